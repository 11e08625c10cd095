/**
 * A list line with a comment after its item (`/data/a.csv  # the model`, as
 * requirements files allow): `#` starts a comment only at the start of a
 * line, so the comment was part of the item, and CI's log said only that
 * `/data/a.csv  # the model` is not in the manifest, or that the object
 * `s3://b/raw/x.bin # raw data` does not exist, for every such line. The
 * failure now says where the comment goes. (The item is still read as
 * written: an S3 key or a versioned path may hold ` #`.)
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { type CliResult, CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { testAwsEnv } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const HINT =
  "a # starts a comment only at the start of a line: put the comment on a line of its own";

Deno.test("prefill: an item followed by a # comment on its line says where comments go", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "raw/x.bin", "x");
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a\n");
  await ws.vc("add", "/data/a.csv", "src/a.csv");
  await ws.write(
    "list.txt",
    [
      "/data/a.csv  # the model",
      "/data/a.csv@1.0.0 # pinned",
      "s3://b/raw/x.bin # raw data",
      "/data/other.csv # not in the manifest either way",
      "s3://b/raw/none.bin",
    ].join("\n") + "\n",
  );
  let r: CliResult | undefined;
  // The S3 client reads its credentials from the process environment.
  await withProcessEnv(testAwsEnv(s3.url), async () => {
    r = await ws.run(["prefill", "--manifest", "versioned_assets.json", "--list", "list.txt"], {
      ...testAwsEnv(s3.url),
      VC_BUCKET: ws.bucket,
    });
  });
  assert(r !== undefined);
  assertEquals(r.code, 1, r.stderr);
  const failure = (line: number) => {
    const found = r!.stderr.split("\n").find((l) => l.includes(`list.txt:${line}: `));
    assert(found !== undefined, r!.stderr);
    return found;
  };
  for (const line of [1, 2, 3]) assertStringIncludes(failure(line), HINT);
  // What is no comment mistake (not in the manifest, or not in the store,
  // without a comment either) gets no such advice.
  for (const line of [4, 5]) assert(!failure(line).includes("comment"), failure(line));
});
