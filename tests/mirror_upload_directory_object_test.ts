/**
 * A local → store mirror and keys ending in `/`: one that holds data
 * (`aws s3api put-object --key p/sub/ --body f`) can have no source file, so
 * it is only on the target (counted without --delete, removed with it, as
 * `aws s3 sync --delete` does); it was left out of the listing without a
 * word. Empty folder markers (the S3 console's "Create folder") and the
 * prefix's own marker stay.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror local → store: a key ending in / with data is only on the target, and --delete removes it", async () => {
  await using w = await tempDir();
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await s3.putObject("b", "p/", "the prefix's own marker, with data");
  await s3.putObject("b", "p/sub/", "data in a folder marker");
  await s3.putObject("b", "p/empty/", "");
  await s3.putObject("b", "p/keep", "x");
  await writeTree(join(w.dir, "src"), { keep: "x", "sub/file": "y" });
  const options = {
    sources: [join(w.dir, "src")],
    target: store,
    targetPrefix: "p",
    statePath: join(w.dir, "s.db"),
  };
  const kept = await mirror({ ...options, dryRun: true });
  assertEquals(kept.extra, 1);
  const dry = await mirror({ ...options, delete: true, dryRun: true });
  assertEquals(dry.deletedKeys, ["sub/"]);
  const real = await mirror({ ...options, delete: true });
  assertEquals(real.failed, []);
  assertEquals(real.deletedKeys, dry.deletedKeys);
  assertEquals(s3.listKeys("b").sort(), ["p/", "p/empty/", "p/keep", "p/sub/file"]);
  assertEquals((await mirror({ ...options, delete: true })).deleted, 0);
});
