/**
 * A file rewritten in place while a mirror uploads it in parts: the upload is
 * aborted before it completes, so the store keeps the object it had (never
 * one made of old and new parts, under a vc-md5 its bytes do not have), and
 * the next run converges.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { S3Store } from "../src/store/s3.ts";
import type { PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { md5Hex } from "../src/hash.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

const SIZE = 1024 * 1024 + 300 * 1024; // past 1 MiB: read from disk in parts

/** Rewrites the file (same size, new bytes) once its first part is stored. */
class RewritesAfterFirstPart extends S3Store {
  armed = false;
  override put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    if (!this.armed || typeof body !== "object" || body === null || !("path" in body)) {
      return super.put(key, body, options);
    }
    this.armed = false;
    const path = body.path;
    let done = false;
    return super.put(key, body, {
      ...options,
      onProgress: (n) => {
        if (!done) {
          done = true;
          Deno.writeFileSync(path, new Uint8Array(SIZE).fill(0x4e));
        }
        options.onProgress?.(n);
      },
    });
  }
}

Deno.test("mirror (fake S3): a file rewritten while it goes up in parts leaves the old object, not a mix", async () => {
  const fake = await startFakeS3({ buckets: ["mirror"], minPartSize: 1024 });
  await using w = await tempDir();
  const store = new RewritesAfterFirstPart({
    bucket: "mirror",
    endpoint: fake.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 64 * 1024,
    partSize: 256 * 1024,
    concurrency: 1,
  });
  try {
    const src = join(w.dir, "src");
    await Deno.mkdir(src);
    const file = join(src, "big.bin");
    const first = new Uint8Array(SIZE).fill(0x4f);
    await Deno.writeFile(file, first);
    const opts = { sources: [src], target: store, statePath: join(w.dir, "s.db") };
    assertEquals((await mirror(opts)).failed, []);
    // A same-size edit, rewritten again while it goes up.
    await Deno.writeFile(file, new Uint8Array(SIZE).fill(0x50));
    store.armed = true;
    const r = await mirror(opts);
    assertEquals(r.failed.length, 1);
    assertStringIncludes(
      r.failed[0]!.error,
      "changed while it was uploaded; the upload was aborted",
    );
    const stored = new Uint8Array(
      await new Response((await store.get("big.bin")).body).arrayBuffer(),
    );
    assertEquals(md5Hex(stored), md5Hex(first), "the store keeps the object it had");
    assertEquals(fake.headObject("mirror", "big.bin")!.metadata["vc-md5"], md5Hex(first));
    assertEquals(fake.stats.CompleteMultipartUpload, 1, "only the first run's upload completed");
    assertEquals(fake.stats.AbortMultipartUpload, 1, "the rewritten one was aborted");
    // The next run uploads the file as it is now.
    const again = await mirror(opts);
    assertEquals(again.failed, []);
    assertEquals(again.transferred, 1);
    const now = new Uint8Array(await new Response((await store.get("big.bin")).body).arrayBuffer());
    assertEquals(md5Hex(now), md5Hex(await Deno.readFile(file)));
  } finally {
    await store.close();
    await fake.stop();
  }
});
