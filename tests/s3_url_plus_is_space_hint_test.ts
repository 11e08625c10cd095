/**
 * An S3 object URL with a `+` in its path, as the S3 console's "Object URL"
 * writes a key's spaces (`https://b.s3.amazonaws.com/my+file.csv` for the
 * key `my file.csv`): S3 reads a `+` in a URL path as a space, so that URL
 * is the key `my file.csv`, and a literal `+` is `%2B`. The hint said
 * `did you mean s3://b/my+file.csv?`, a key that does not exist; it now
 * names the key S3 serves at that URL.
 */
import { assertEquals } from "./assert.ts";
import { meantStoreUri } from "../src/uri.ts";

Deno.test("an S3 object URL's `+` is the space S3 reads it as in the s3:// URI meant", () => {
  const cases: [string, string][] = [
    ["https://b.s3.us-east-1.amazonaws.com/with+space/x+y.csv", "s3://b/with space/x y.csv"],
    ["https://s3.eu-west-1.amazonaws.com/b/my+file.csv", "s3://b/my file.csv"],
    // A literal `+` is escaped in such a URL, and stays one.
    ["https://b.s3.amazonaws.com/c%2B%2B/a+b%2Bc.txt", "s3://b/c++/a b+c.txt"],
    ["https://b.s3.amazonaws.com/sp%20ace.txt", "s3://b/sp ace.txt"],
  ];
  for (const [url, meant] of cases) assertEquals(meantStoreUri(url), meant, url);
});

Deno.test("an s3:// URI keeps its `+` as written: only an https URL's path reads it as a space", () => {
  assertEquals(meantStoreUri("s3:/b/a+b.txt"), "s3://b/a+b.txt");
  assertEquals(meantStoreUri("arn:aws:s3:::b/a+b.txt"), "s3://b/a+b.txt");
  // A console link's prefix is a query value: form-decoded already.
  assertEquals(
    meantStoreUri("https://s3.console.aws.amazon.com/s3/object/b?region=us-east-1&prefix=a%2Bb+c"),
    "s3://b/a+b c",
  );
});
