/**
 * The fake S3 keeps the bytes of a versioned bucket's noncurrent versions,
 * as S3 and moto_server do: deleting the delete marker over a deleted
 * object (`aws s3api delete-object --version-id MARKER`), or the version
 * written over an older one, makes the older object current again, with
 * its bytes, ETag and metadata. A delete while versioning is suspended
 * still erases the key's "null" version for good.
 */
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { join } from "../src/path.ts";
import { pinnedOnS3, tempDir, testS3Store } from "./versioned_helpers.ts";

const utf8 = new TextEncoder();

for (const disk of [false, true]) {
  const where = disk ? "on disk" : "in memory";
  Deno.test(`fake S3 (${where}): deleting the delete marker brings the deleted object back`, async () => {
    await using dir = await tempDir("fake_s3_versioning_old_bytes_");
    await using s3 = await startFakeS3({
      versionedBuckets: ["vb"],
      ...(disk ? { dir: join(dir.path, "data") } : {}),
    });
    await using store = testS3Store(s3, "vb");
    const { etag } = await store.put("k.txt", utf8.encode("old bytes\n"), {
      metadata: { "vc-md5": "x" },
    });
    await store.delete(["k.txt"]);
    const [marker] = await store.keyVersions("k.txt", { limit: 1 });
    assertEquals(marker?.deleteMarker, true);
    await store.deleteVersion("k.txt", marker!.versionId);
    const back = await store.get("k.txt");
    assertEquals(new TextDecoder().decode(back.bytes), "old bytes\n");
    assertEquals(back.info.etag, etag);
    assertEquals(back.info.metadata?.["vc-md5"], "x");
  });

  Deno.test(`fake S3 (${where}): deleting the current version makes the one it replaced current`, async () => {
    await using dir = await tempDir("fake_s3_versioning_old_bytes_");
    await using s3 = await startFakeS3({
      versionedBuckets: ["vb"],
      ...(disk ? { dir: join(dir.path, "data") } : {}),
    });
    await using store = testS3Store(s3, "vb");
    await store.put("k.txt", utf8.encode("one\n"));
    const { versionId } = await store.put("k.txt", utf8.encode("two\n"));
    await store.deleteVersion("k.txt", versionId!);
    assertEquals(new TextDecoder().decode((await store.get("k.txt")).bytes), "one\n");
    const entries = await store.keyVersions("k.txt", { limit: 10 });
    assertEquals(entries.map((e) => [e.isLatest, e.deleteMarker]), [[true, false]]);
  });
}

Deno.test("fake S3: a version another tool deleted comes back as vc's error says", async () => {
  await using s3 = await startFakeS3({ versionedBuckets: ["vb"] });
  await using dir = await tempDir("fake_s3_versioning_old_bytes_");
  const file = join(dir.path, "t.csv");
  await Deno.writeTextFile(file, "one\n");
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, {});
  await pinned.vc.add("/t.csv", file);
  await using store = testS3Store(s3, "vb");
  await store.delete(["t.1.0.0.csv"]);
  const e = await pinned.vc.path("/t.csv").then(() => undefined, (e: Error) => e.message);
  const id = e?.match(/--version-id (\S+)` deletes the delete marker/)?.[1];
  assertEquals(typeof id, "string", e);
  await store.deleteVersion("t.1.0.0.csv", id!);
  assertEquals(await Deno.readTextFile(await pinned.vc.path("/t.csv")), "one\n");
});

// The latest version deleted (a mistaken `aws s3 rm`) is above every version
// left, and no longer pinned (the manifest reverted): the lock file, which
// records it as published, still makes its error say where its bytes are.
Deno.test("fake S3: a deleted latest version the lock file records names its delete marker", async () => {
  await using s3 = await startFakeS3({ versionedBuckets: ["vb"] });
  await using dir = await tempDir("fake_s3_versioning_old_bytes_");
  const file = join(dir.path, "t.csv");
  await Deno.writeTextFile(file, "one\n");
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, {});
  await pinned.vc.add("/t.csv", file);
  await Deno.writeTextFile(file, "two\n");
  await pinned.vc.update("/t.csv", file, { patch: true });
  await Deno.writeTextFile(pinned.manifest, '{\n    "/t.csv": "1.0.0"\n}\n');
  await using store = testS3Store(s3, "vb");
  await store.delete(["t.1.0.1.csv"]);
  const e = await pinned.vc.path("/t.csv", "1.0.1").then(() => undefined, (e: Error) => e.message);
  const id = e?.match(/--version-id (\S+)` deletes the delete marker/)?.[1];
  assertEquals(typeof id, "string", e);
  await store.deleteVersion("t.1.0.1.csv", id!);
  assertEquals(await Deno.readTextFile(await pinned.vc.path("/t.csv", "1.0.1")), "two\n");
});
