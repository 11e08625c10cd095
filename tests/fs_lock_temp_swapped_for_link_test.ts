/**
 * A `file://` store's key lock is made as a temp file beside it, written,
 * then hard-linked into place. The temp was created exclusively, but its
 * content was then written by name (`Deno.writeTextFile(temp)`), which opens
 * the name again, following a link and truncating: another user who may
 * write in the store's directory (a team's shared `/srv/assets`) and swaps
 * the fresh temp for a symbolic link between the two opens had the lock's
 * JSON written over a file of the locking user's anywhere (`~/.bashrc`),
 * and the link became the lock. The content is now written through the
 * handle of the file vc created, and a temp that is no longer that file is
 * not linked into place: the file the link points to is left as it was.
 * The swap is made deterministic by wrapping `Deno.open`.
 */
import { tryAcquireLock } from "../src/store/fs_lock.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test({
  name: "a lock temp swapped for a link after its creation: nothing is written through it",
  ignore: Deno.build.os === "windows", // symbolic links need privileges there
  fn: async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_fs_lock_swap_" }));
    const victim = `${dir}/victim.txt`;
    await Deno.writeTextFile(victim, "the user's own file\n");
    const realOpen = Deno.open;
    let swapped = 0;
    const swappingOpen = async (path: string | URL, options?: Deno.OpenOptions) => {
      const file = await realOpen(path, options);
      if (options?.createNew && String(path).includes(".vc-tmp-")) {
        // What another user does between vc's open and its next step.
        await Deno.remove(path);
        await Deno.symlink(victim, path);
        swapped++;
      }
      return file;
    };
    Object.defineProperty(Deno, "open", {
      value: swappingOpen,
      configurable: true,
      writable: true,
    });
    let lock;
    try {
      lock = await tryAcquireLock(`${dir}/.vc~lock~key`);
    } finally {
      Object.defineProperty(Deno, "open", { value: realOpen, configurable: true, writable: true });
    }
    try {
      assertEquals(swapped, 1);
      assertEquals(await Deno.readTextFile(victim), "the user's own file\n");
      // The lock is still taken, as a file of vc's own, not the planted link.
      assert(lock !== undefined, "the lock was not taken");
      assert((await Deno.lstat(`${dir}/.vc~lock~key`)).isFile, "the lock is a plain file");
      await lock.release();
      assertEquals(await Deno.readTextFile(victim), "the user's own file\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
