/**
 * A version's key that only ever had delete markers (an `aws s3 rm` of a
 * key that did not exist yet, a delete retried) never held an object: no
 * machine can have cached anything under it, so `add` and `update` publish
 * that version, unwarned, rather than skip or refuse it.
 */
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { keyHeldBefore } from "../src/versioned/version_history.ts";
import { join } from "../src/path.ts";
import { pinnedOnS3, tempDir, testS3Store } from "./versioned_helpers.ts";

Deno.test("a key with delete markers only never held an object: not held", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"], versionedBuckets: ["vb"] });
  await using store = testS3Store(s3, "vb");
  await store.delete(["t.1.0.0.csv"]);
  assertEquals(await keyHeldBefore(store, "t.1.0.0.csv"), { held: false });
  await store.delete(["t.1.0.0.csv"]);
  assertEquals(await keyHeldBefore(store, "t.1.0.0.csv"), { held: false });
});

Deno.test("add publishes a version whose key has only delete markers, unwarned", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"], versionedBuckets: ["vb"] });
  await using dir = await tempDir("vc_marker_only_key_");
  {
    await using store = testS3Store(s3, "vb");
    await store.delete(["t.1.0.0.csv"]);
  }
  const file = join(dir.path, "t.csv");
  await Deno.writeTextFile(file, "one\n");
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, {});
  const warnings: string[] = [];
  const version = await pinned.vc.add("/t.csv", file, {
    onWarning: (w) => warnings.push(w.message),
  });
  assertEquals(version, "1.0.0");
  assertEquals(warnings, []);
});
