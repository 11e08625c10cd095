/**
 * An FsStore overwrite whose data is still being flushed to disk (seconds
 * for a large file) leaves the object it replaces whole: its sidecar (ETag,
 * user metadata, content type) is not touched before the flush is done. The
 * new sidecar used to be written first, so for the whole flush a reader of
 * the old object got it without its metadata and content type (and hashed
 * it again), and a writer killed then (`kill -9`, a power cut) left the old
 * object without them for good.
 */
import { join } from "node:path";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("FsStore: an overwrite in its data flush leaves the old object's sidecar and metadata as they were", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_fs_overwrite_flush_" });
  const syncData = Deno.FsFile.prototype.syncData;
  let release: () => void = () => {};
  const held = new Promise<void>((r) => release = r);
  let flushing: () => void = () => {};
  const flushStarted = new Promise<void>((r) => flushing = r);
  try {
    const store = new FsStore(dir);
    const old = await store.put("k.bin", new TextEncoder().encode("old"), {
      metadata: { owner: "alice" },
      contentType: "text/x-old",
    });
    const sidecar = join(dir, ".vc~meta~k.bin.json");
    const before = await Deno.readTextFile(sidecar);
    // The overwrite's data flush takes as long as the test says.
    Deno.FsFile.prototype.syncData = async function (this: Deno.FsFile) {
      flushing();
      await held;
      return await syncData.call(this);
    };
    const put = store.put("k.bin", new TextEncoder().encode("new!"), {
      metadata: { owner: "bob" },
    });
    try {
      await flushStarted;
      // Time for anything the put does while its flush is pending.
      await new Promise((r) => setTimeout(r, 50));
      // What a kill -9 now would leave on disk: the old object, as it was.
      assertEquals(await Deno.readTextFile(sidecar), before);
      const seen = await store.head("k.bin");
      assertEquals(seen?.etag, old.etag);
      assertEquals(seen?.metadata, { owner: "alice" });
      assertEquals(seen?.contentType, "text/x-old");
    } finally {
      release();
      await put;
    }
    Deno.FsFile.prototype.syncData = syncData;
    const now = await store.head("k.bin");
    assert(now !== undefined && now.etag !== old.etag);
    assertEquals(now.metadata, { owner: "bob" });
    assertEquals(now.contentType, undefined);
    const { body } = await store.get("k.bin");
    assertEquals(await new Response(body).text(), "new!");
  } finally {
    Deno.FsFile.prototype.syncData = syncData;
    await Deno.remove(dir, { recursive: true });
  }
});
