/**
 * `FsStore.delete` on a filesystem out of inodes (many small objects): the
 * delete that would free space needed an inode for the key's lock file
 * first, so every delete (a `vc serve` expiry sweep, `vc repo gc`, `vc
 * mirror --delete`) failed with ENOSPC and only `rm` by hand could free the
 * store. It now deletes without the lock then: no put can commit meanwhile,
 * since a put's temp file, lock and sidecar need inodes too. Needs a tmpfs
 * with few inodes (ignored where one cannot be mounted: not root).
 */
import { join } from "node:path";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { canMount, tmpfsScratch } from "./mounts.ts";

Deno.test({
  name:
    "FsStore: delete frees a filesystem out of inodes (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await using scratch = await tmpfsScratch("vc_fs_delete_inodes_", {
      mountOn: "store",
      options: "size=1m,nr_inodes=12",
    });
    const root = scratch.mnt;
    const store = new FsStore(root);
    await store.put("a", new Uint8Array([1]), { metadata: { m: "a" } });
    await store.put("b", new Uint8Array([2]));
    // Every inode left taken by files of another program.
    for (let i = 0; i < 100; i++) {
      try {
        await Deno.writeFile(join(root, `other${i}`), new Uint8Array());
      } catch {
        break;
      }
    }
    await assertRejects(() => store.put("c", new Uint8Array([3])), Error, "No space left");
    await store.delete(["a"]);
    assertEquals(await store.head("a"), undefined);
    const b = await store.head("b");
    await store.delete(["b"], { ifMatch: b?.etag as string });
    assertEquals(await store.head("b"), undefined);
    const left = (await Array.fromAsync(Deno.readDir(root))).map((e) => e.name);
    assertEquals(left.filter((n) => !n.startsWith("other")), [], "no sidecar left behind");
    // The inodes freed take a put again.
    await Deno.remove(join(root, "other0"));
    await store.put("c", new Uint8Array([3]));
    assertEquals((await store.head("c"))?.size, 1);
  },
});
