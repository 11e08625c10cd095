/**
 * In a bucket whose objects have opaque ETags (S3 with SSE-KMS as its
 * default encryption: 32 hex digits that are no MD5), a file renamed under
 * a local → store mirror was copied in the store, then found "not the
 * file's content" (the copy's ETag taken for an MD5) and uploaded in full
 * over the copy: every rename cost a server-side copy and the upload it was
 * meant to save. The copy's `vc-md5`, carried over from the object the
 * state vouches for, checks it where its ETag cannot.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { md5Hex } from "../src/hash.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { assertEquals } from "./assert.ts";
import { settle, tempDir, upOptions } from "./mirror_helpers.ts";

/** A memory store whose objects get an opaque ETag, as SSE-KMS gives them; counts its PUTs. */
class KmsStore extends MemoryStore {
  puts = 0;
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    this.puts++;
    const put = await super.put(key, body, options);
    const etag = md5Hex(`sse-kms ${put.etag}`);
    const o = this.objects.get(key)!;
    this.objects.set(key, { ...o, etag, opaqueEtag: true });
    return { ...put, etag };
  }
}

Deno.test("mirror local → store with opaque ETags: a renamed file is copied, not uploaded too", async () => {
  await using w = await tempDir();
  const store = new KmsStore();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  const data = randomBytes(2 * 1024 * 1024, 41);
  await Deno.writeFile(join(src, "big.bin"), data);
  await settle();
  const opts = upOptions(w.dir, store, { targetPrefix: "m", delete: true });
  assertEquals((await mirror(opts)).transferred, 1);
  await Deno.rename(join(src, "big.bin"), join(src, "renamed.bin"));
  await settle();
  store.puts = 0;
  const r = await mirror(opts);
  assertEquals([r.transferred, r.copied, r.deleted, r.failed.length], [1, 1, 1, 0]);
  assertEquals([r.bytes, store.puts], [0, 0], "nothing uploaded");
  const { body } = await store.get("m/renamed.bin");
  assertEquals(md5Hex(new Uint8Array(await new Response(body).arrayBuffer())), md5Hex(data));
});
