/**
 * A listing of an FsStore directory knows which sidecars exist from its one
 * read of the directory; a file listed there without one is hashed, and its
 * sidecar written. A put with metadata over that file meanwhile (a file
 * copied in by hand, then written by vc while a long listing hashes its way
 * through the directory) wrote a sidecar the listing did not look at: the
 * listing's own, without metadata, replaced it, and the object lost its
 * user metadata and content type for good.
 */
import { join } from "node:path";
import { FsStore } from "../src/store/fs.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";
import { assertEquals } from "./assert.ts";

Deno.test("FsStore: a listing does not replace the sidecar a put wrote after the listing read the directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_fs_list_put_meta_" });
  try {
    // Files copied in by hand: no sidecars. More than one batch of the
    // listing, so it reads the directory, then hands out the first batch.
    for (let i = 0; i < 130; i++) {
      await Deno.writeTextFile(join(dir, `a${String(i).padStart(3, "0")}`), "x");
    }
    await Deno.writeTextFile(join(dir, "z"), "by hand");
    const store = new FsStore(dir);
    const listing = store.list("")[Symbol.asyncIterator]();
    assertEquals((await listing.next()).value?.key, "a000");
    const { etag } = await store.put("z", new TextEncoder().encode("by vc"), {
      metadata: { owner: "bob" },
      contentType: "text/x-z",
    });
    // Settled, as a file is seconds into a long listing: its sidecar may be written.
    await new Promise((r) => setTimeout(r, SETTLE_MS + 1100));
    let last: string | undefined;
    for (;;) {
      const next = await listing.next();
      if (next.done) break;
      last = next.value.key;
      if (last === "z") assertEquals(next.value.etag, etag);
    }
    assertEquals(last, "z");
    const info = await new FsStore(dir).head("z");
    assertEquals(info?.etag, etag);
    assertEquals(info?.metadata, { owner: "bob" });
    assertEquals(info?.contentType, "text/x-z");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
