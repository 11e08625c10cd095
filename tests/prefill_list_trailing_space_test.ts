/**
 * A list file names S3 keys exactly: `s3://b/k ` (a key ending with a space,
 * which S3 and the aws CLI keep) is not `s3://b/k`, another object.
 */
import { assertEquals } from "./assert.ts";
import { readListFile } from "../src/prefill/list_file.ts";

Deno.test("list file: a URI keeps the trailing whitespace of its key; versioned paths and comments are trimmed", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(
      file,
      "  s3://b/trail \r\ns3://b/tab\t\n  # comment\n   \n /foo/bar.csv@1.2.5  \ns3://b/plain\n",
    );
    assertEquals(await readListFile(file), [
      "s3://b/trail ",
      "s3://b/tab\t",
      "/foo/bar.csv@1.2.5",
      "s3://b/plain",
    ]);
  } finally {
    await Deno.remove(file);
  }
});
