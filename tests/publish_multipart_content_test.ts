/**
 * A multipart upload of `vc add` / `vc update` reads its parts at other
 * times than the hash. A change that moves no stat field (a writer through
 * a shared mmap into pages already dirty, another NFS client under cached
 * attributes, a change within one timestamp tick) was published with
 * `exit 0` under the MD5 (and SHA-256) of the old content: `vc-md5` only
 * repeated what vc sent, so the check after the upload passed. Now the
 * file must still hash to the recorded MD5 after the upload; otherwise the
 * upload is deleted and nothing is published.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { publishVersion } from "../src/versioned/publish.ts";
import { digestSource, snapshotSource } from "../src/versioned/source_file.ts";
import { testS3Store } from "./versioned_helpers.ts";

const SIZE = 3 * 1024 * 1024 + 17;

function bytes(seed: number): Uint8Array {
  const out = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

Deno.test("publishVersion: a multipart upload of content other than the hashed one is refused", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1024 });
  await using store = testS3Store(s3, "b", {
    multipartThreshold: 1024 * 1024,
    partSize: 1024 * 1024,
  });
  const dir = await Deno.makeTempDir({ prefix: "vc_publish_multipart_" });
  try {
    const file = join(dir, "a.bin");
    await Deno.writeFile(file, bytes(1));
    const digest = await digestSource(file);
    // Same size, new bytes, and the stat identity taken after the change:
    // as when the change moved no stat field.
    await Deno.writeFile(file, bytes(2));
    const snapshot = await snapshotSource(file);
    const request = {
      bucket: "s3://b",
      manifest: "m.json",
      path: "/a.bin",
      version: "1.0.0",
      snapshot,
      digest,
      retryHint: "retry",
    };
    const e = await assertRejects(() => publishVersion(store, request), IntegrityError);
    assertStringIncludes(e.message, "could not be verified");
    assertStringIncludes(e.message, "the upload was deleted");
    assertEquals(await store.head("a.1.0.0.bin"), undefined);

    // The same file, hashed as it is, goes up in parts and is verified.
    const fresh = await digestSource(file);
    const etag = await publishVersion(store, { ...request, digest: fresh });
    assertStringIncludes(etag, "-4");
    assertEquals((await store.head("a.1.0.0.bin"))?.size, SIZE);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
