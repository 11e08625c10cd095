/**
 * An AWS S3 URL that names no bucket vc can read (`https://s3.amazonaws.com/`,
 * an S3 console page that is no object's or bucket's, a host written with
 * its trailing root dot) was refused with the hint meant for another
 * server: "with the server's URL (scheme, host and port, no bucket) in
 * AWS_ENDPOINT_URL", which, followed, sets AWS's own host (or its web
 * console's) as the endpoint. It now says the s3://BUCKET/KEY form only, and
 * a fully qualified AWS host (`b.s3.amazonaws.com.`) is AWS's as without
 * the dot.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { mistypedUriHint } from "../src/uri.ts";
import { awsS3Host } from "../src/store/aws_partition.ts";

Deno.test("an AWS URL naming no bucket is not told to set AWS_ENDPOINT_URL", () => {
  for (
    const url of [
      "https://s3.amazonaws.com/",
      "https://s3.eu-west-1.amazonaws.com",
      "https://s3.console.aws.amazon.com/s3/home?region=us-east-1",
      "https://us-east-1.console.aws.amazon.com/s3/buckets?region=us-east-1",
    ]
  ) {
    const hint = mistypedUriHint(url);
    assertStringIncludes(hint, "s3://BUCKET/KEY", url);
    assert(!hint.includes("AWS_ENDPOINT_URL="), `${url}: ${hint}`);
    assert(!hint.includes("in AWS_ENDPOINT_URL"), `${url}: ${hint}`);
  }
  // Another server's URL still gets the endpoint's form.
  assertStringIncludes(mistypedUriHint("https://s3.example.com/b/k"), "in AWS_ENDPOINT_URL");
});

Deno.test("an AWS S3 host with its trailing root dot is AWS's", () => {
  assertEquals(awsS3Host("b.s3.eu-west-1.amazonaws.com."), { bucket: "b", region: "eu-west-1" });
  assertEquals(mistypedUriHint("https://b.s3.amazonaws.com./x"), "; did you mean s3://b/x?");
});
