/**
 * A version gone from an `s3://` bucket: the error says what S3 versioning
 * really keeps of its key (ListObjectVersions, on this failure only), not a
 * guess: the delete marker to delete, by its id, when the bytes remain as a
 * noncurrent version; that no bytes remain when a delete made while
 * versioning was suspended erased its "null" version; and that the bucket
 * keeps no earlier version at all when it has no history of the key.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { join } from "../src/path.ts";
import { pinnedOnS3, tempDir, testS3Store } from "./versioned_helpers.ts";

async function setStatus(s3: { url: string }, status: "Enabled" | "Suspended"): Promise<void> {
  const res = await fetch(`${s3.url}/vb?versioning`, {
    method: "PUT",
    body: `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`,
  });
  await res.body?.cancel();
  assertEquals(res.status, 200);
}

/** A bucket `vb` holding /t.csv 1.0.0 and 1.0.1, the manifest pinning 1.0.1. */
async function published(s3: { url: string }, dir: string): Promise<void> {
  await using store = testS3Store(s3, "vb");
  await store.put("t.1.0.0.csv", new TextEncoder().encode("one\n"));
  await store.put("t.1.0.1.csv", new TextEncoder().encode("two\n"));
  await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/t.csv": "1.0.1"}\n');
}

Deno.test("a deleted version kept as a noncurrent version: the error names its delete marker's id", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"] });
  await using dir = await tempDir("vc_missing_kept_bytes_");
  await published(s3, dir.path);
  // Versioning turned on after months of use: the objects are "null" versions.
  await setStatus(s3, "Enabled");
  await using store = testS3Store(s3, "vb");
  await store.delete(["t.1.0.1.csv"]);
  const marker = (await store.keyVersions("t.1.0.1.csv", { limit: 10 })).find((e) =>
    e.deleteMarker
  );
  assert(marker !== undefined && marker.versionId !== "null");
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, { "/t.csv": "1.0.1" });
  const e = await assertRejects(() => pinned.vc.path("/t.csv"), NotFoundError);
  assertStringIncludes(e.message, "S3 versioning keeps its bytes as noncurrent version null");
  assertStringIncludes(
    e.message,
    `\`aws s3api delete-object --bucket vb --key t.1.0.1.csv --version-id ${marker.versionId}\``,
  );
  assert(!e.message.includes("MARKER_ID"), e.message);
});

Deno.test("a version deleted while versioning was suspended: the error says no bytes remain", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"] });
  await using dir = await tempDir("vc_missing_kept_bytes_");
  await published(s3, dir.path);
  await setStatus(s3, "Enabled");
  await setStatus(s3, "Suspended");
  {
    await using store = testS3Store(s3, "vb");
    await store.delete(["t.1.0.1.csv"]);
  }
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, { "/t.csv": "1.0.1" });
  const e = await assertRejects(() => pinned.vc.path("/t.csv"), NotFoundError);
  assertStringIncludes(e.message, "deleted while the bucket's S3 versioning was suspended");
  assertStringIncludes(e.message, "keeps no bytes of it");
  assert(!e.message.includes("brings the last one back"), e.message);
});

Deno.test("a deleted version in a bucket without versioning: the error says nothing was kept", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"] });
  await using dir = await tempDir("vc_missing_kept_bytes_");
  await published(s3, dir.path);
  {
    await using store = testS3Store(s3, "vb");
    await store.delete(["t.1.0.1.csv"]);
  }
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, { "/t.csv": "1.0.1" });
  const e = await assertRejects(() => pinned.vc.path("/t.csv"), NotFoundError);
  assertStringIncludes(e.message, "s3://vb keeps no earlier version of it");
  assert(!e.message.includes("brings the last one back"), e.message);
});
