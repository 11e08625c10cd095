/**
 * A version whose last object was uploaded in parts (its ETag `<hex>-N`, no
 * MD5 of the content) and deleted in a bucket with S3 versioning is restored
 * by publishing its very bytes, as a single-part one is: the file's own
 * multipart ETag (standard part sizes) tells them, where the ETag alone
 * cannot. Other bytes of the same size are still refused.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseEtag } from "../src/hash.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { join } from "../src/path.ts";
import { pinnedOnS3, tempDir, testS3Store } from "./versioned_helpers.ts";

// Five parts of 4096 bytes: the part size the ETag's part count gives exactly.
const SIZE = 5 * 4096;

async function deletedMultipartVersion(s3: { url: string }): Promise<void> {
  await using store = testS3Store(s3, "vb", { multipartThreshold: 4096, partSize: 4096 });
  // Another tool's upload (no vc-md5), then `aws s3 rm`.
  await store.put("big.1.0.0.bin", new Uint8Array(SIZE).fill(7));
  const [entry] = await store.keyVersions("big.1.0.0.bin", { limit: 1 });
  assertEquals(parseEtag(entry!.etag!).kind, "multipart");
  await store.delete(["big.1.0.0.bin"]);
}

Deno.test("a deleted multipart version is restored by its very bytes", async () => {
  await using s3 = await startFakeS3({ versionedBuckets: ["vb"], minPartSize: 1024 });
  await deletedMultipartVersion(s3);
  await using dir = await tempDir("vc_deleted_multipart_");
  const file = join(dir.path, "big.bin");
  await Deno.writeFile(file, new Uint8Array(SIZE).fill(7));
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, {});
  const warnings: string[] = [];
  assertEquals(
    await pinned.vc.add("/big.bin", file, { onWarning: (w) => warnings.push(w.message) }),
    "1.0.0",
  );
  assertEquals(warnings, []);
});

Deno.test("a deleted multipart version is not given other bytes of its size", async () => {
  await using s3 = await startFakeS3({ versionedBuckets: ["vb"], minPartSize: 1024 });
  await deletedMultipartVersion(s3);
  await using dir = await tempDir("vc_deleted_multipart_");
  const file = join(dir.path, "big.bin");
  await Deno.writeFile(file, new Uint8Array(SIZE).fill(8));
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, {});
  const e = await assertRejects(() => pinned.vc.add("/big.bin", file), InvalidInputError);
  assertStringIncludes(e.message, "cannot publish /big.bin 1.0.0");
  assert(e.message.includes("held other content once"), e.message);
});
