/**
 * A `file://` store whose directory goes away while in use (a backup disk
 * unmounted under `vc mirror --watch`, the directory removed or renamed) is
 * not an empty store. A put of a key at its top level made the directory
 * again (and every directory above it: the temp file's open makes its
 * parents), and a listing read it as empty, so a mirror's next pass copied
 * the whole tree into the mount point, on the wrong disk. Both now fail with
 * `StoreNotFoundError`, as a deleted bucket does, and nothing is made in its
 * place; a store never made is still made by its first write.
 */
import { join } from "node:path";
import { StoreNotFoundError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { openDeleteMirror, storeContents, tempDir } from "./mirror_helpers.ts";
import { canMount, run } from "./mounts.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

async function listKeys(store: FsStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list("")) keys.push(o.key);
  return keys;
}

Deno.test("FsStore: a store directory removed while in use is not made again by a put, nor listed as empty", async () => {
  await using w = await tempDir();
  const mount = join(w.dir, "mnt");
  const root = join(mount, "backup");
  const store = new FsStore(root);
  // Never made: listed as empty, and made by its first write.
  assertEquals(await listKeys(store), []);
  await store.put("a.txt", bytes("a"));
  await Deno.rename(mount, join(w.dir, "unmounted"));
  await assertRejects(() => store.put("b.txt", bytes("b")), StoreNotFoundError, root);
  await assertRejects(() => store.put("d/c.txt", bytes("c")), StoreNotFoundError, root);
  await assertRejects(() => listKeys(store), StoreNotFoundError, root);
  await assertRejects(() => Deno.stat(mount), Deno.errors.NotFound);
  // Back: used as before.
  await Deno.rename(join(w.dir, "unmounted"), mount);
  await store.put("b.txt", bytes("b"));
  assertEquals(await listKeys(store), ["a.txt", "b.txt"]);
});

Deno.test("mirror: a file:// target whose directory is gone since the mirror opened fails the pass and copies nothing into its place", async () => {
  await using w = await tempDir();
  const root = join(w.dir, "mnt", "backup");
  const { mirror, store, src } = await openDeleteMirror(w.dir, root);
  await using m = mirror;
  await Deno.rename(join(w.dir, "mnt"), join(w.dir, "unmounted"));
  await Deno.writeTextFile(join(src, "c.txt"), "c");
  const pass = await assertRejects(() => m.run(), Error, "does not exist (gone since it was used");
  assertStringIncludes(pass.message, "nothing was deleted");
  const events = await m.syncPaths([join(src, "c.txt")]);
  assertEquals(events.transferred, 0);
  assertEquals(events.failed.length, 1);
  await assertRejects(() => Deno.stat(join(w.dir, "mnt")), Deno.errors.NotFound);
  await Deno.rename(join(w.dir, "unmounted"), join(w.dir, "mnt"));
  assertEquals((await m.run()).transferred, 1);
  assertEquals(await storeContents(store), { "a.txt": "a", "c.txt": "c", "sub/b.txt": "b" });
});

Deno.test({
  name:
    "FsStore: a store directory that is another filesystem's since it was used (a disk unmounted from it, or mounted over it) is not written to",
  ignore: !canMount,
  async fn() {
    await using w = await tempDir();
    const root = join(w.dir, "backup");
    const store = new FsStore(root);
    await store.put("a.txt", bytes("a"));
    // What an unmounted disk's mount point is: an empty directory elsewhere.
    if (!(await run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", root))) {
      throw new Error(`mounting a tmpfs at ${root} failed (the probe's mount worked)`);
    }
    try {
      await assertRejects(
        () => store.put("b.txt", bytes("b")),
        StoreNotFoundError,
        "another filesystem",
      );
      await assertRejects(() => listKeys(store), StoreNotFoundError, "another filesystem");
      assertEquals([...Deno.readDirSync(root)], []);
    } finally {
      await run("umount", root);
    }
    await store.put("b.txt", bytes("b"));
    assertEquals(await listKeys(store), ["a.txt", "b.txt"]);
  },
});
