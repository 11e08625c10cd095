/**
 * A version deleted twice in a bucket with S3 versioning (two delete
 * markers stacked over its last object: a second `aws s3 rm`, a cleanup
 * script run again) is still restored by publishing its very bytes: the
 * markers hide no other content than the file's.
 */
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { join } from "../src/path.ts";
import { pinnedOnS3, tempDir, testS3Store } from "./versioned_helpers.ts";

Deno.test("a version deleted twice is restored by its very bytes, not skipped", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"], versionedBuckets: ["vb"] });
  await using dir = await tempDir("vc_deleted_twice_");
  const file = join(dir.path, "t.csv");
  await Deno.mkdir(join(dir.path, "setup"));
  await Deno.mkdir(join(dir.path, "checkout"));
  {
    await using setup = await pinnedOnS3(s3, "vb", join(dir.path, "setup"), {});
    await Deno.writeTextFile(file, "one\n");
    await setup.vc.add("/t.csv", file);
    await Deno.writeTextFile(file, "two\n");
    await setup.vc.update("/t.csv", file, { minor: true });
  }
  {
    await using store = testS3Store(s3, "vb");
    await store.delete(["t.1.1.0.csv"]);
    await store.delete(["t.1.1.0.csv"]);
    const entries = await store.keyVersions("t.1.1.0.csv", { limit: 3 });
    assertEquals(entries.map((e) => e.deleteMarker), [true, true, false]);
  }
  await using pinned = await pinnedOnS3(s3, "vb", join(dir.path, "checkout"), {
    "/t.csv": "1.0.0",
  });
  await Deno.writeTextFile(file, "two\n");
  const warnings: string[] = [];
  const r = await pinned.vc.update("/t.csv", file, { minor: true }, {
    onWarning: (w) => warnings.push(w.message),
  });
  assertEquals(r.to, "1.1.0");
  assertEquals(warnings, []);
});
