/**
 * FsStore: an object edited in place behind vc's back, same size, with its
 * mtime put back (`touch -r`, `cp -p` over it, `rsync -t --inplace`), is
 * re-hashed, not served with the ETag its put recorded. The put's sidecar
 * used to carry no ctime (the rename changes it), so size, mtime and inode
 * were all that was compared, and all three were unchanged.
 */
import { join } from "node:path";
import { md5Hex } from "../src/hash.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals } from "./assert.ts";

const enc = new TextEncoder();

// Deno reports ctime in whole seconds: wait until a later second than `ms`.
async function nextSecond(ms: number): Promise<void> {
  const wait = 1000 - (ms % 1000) + 50;
  await new Promise((resolve) => setTimeout(resolve, wait));
}

for (const mode of ["put", "create-once put", "copy"] as const) {
  Deno.test(`FsStore: a same-size edit with the mtime put back is found after a ${mode}`, async () => {
    const root = await Deno.makeTempDir({ prefix: "vc-fs-touch-r-" });
    try {
      const store = new FsStore(root);
      const key = "d/k.bin";
      if (mode === "copy") {
        await store.put("src.bin", enc.encode("original"));
        await store.copy("src.bin", key);
      } else {
        await store.put(key, enc.encode("original"), mode === "put" ? {} : { ifNoneMatch: "*" });
      }
      const path = join(root, "d", "k.bin");
      const before = await Deno.stat(path);
      await nextSecond(Date.now());
      // Same size, other bytes, same inode; then the old mtime back.
      const f = await Deno.open(path, { write: true });
      await f.write(enc.encode("ORIGINAL"));
      f.close();
      await Deno.utime(path, before.atime ?? new Date(), before.mtime ?? new Date());
      const after = await Deno.stat(path);
      assertEquals([after.size, after.mtime?.getTime(), after.ino], [
        before.size,
        before.mtime?.getTime(),
        before.ino,
      ]);
      assertEquals((await store.head(key))?.etag, md5Hex("ORIGINAL"), "head re-hashes");
      const listed = [];
      for await (const info of store.list("d/")) listed.push(info.etag);
      assertEquals(listed, [md5Hex("ORIGINAL")], "list re-hashes");
      await store.close();
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}
