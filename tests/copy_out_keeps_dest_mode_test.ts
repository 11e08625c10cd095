/**
 * A copy out of the cache (`vc get PATH DEST`, `vc repo get --to FILE`,
 * `AssetCache.copy`) over an existing file widens neither the source's nor
 * that file's permission bits, and keeps that file's owner and group where the
 * process may give them (root), as `vc cache-client get` does since its DEST
 * keeps its mode. Before, the copy took the source's bits: a user's private
 * (0600) DEST came back readable by everyone, and root's copy over a user's
 * file left it root's.
 */
import { join } from "node:path";
import { copyFileAtomic } from "../src/atomic_write.ts";
import { assertEquals } from "./assert.ts";

const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o7777;

Deno.test({
  name: "copy out over an existing file: neither its nor the source's bits are widened",
  // POSIX permission bits.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-copy-mode-" });
    try {
      const source = join(dir, "source.csv");
      await Deno.writeTextFile(source, "new");
      await Deno.chmod(source, 0o644);
      const dest = join(dir, "private.csv");
      await Deno.writeTextFile(dest, "old");
      await Deno.chmod(dest, 0o600);
      await copyFileAtomic(source, dest);
      assertEquals(await Deno.readTextFile(dest), "new");
      assertEquals(await mode(dest), 0o600);

      // A private source stays private over a readable DEST.
      await Deno.chmod(source, 0o600);
      const open = join(dir, "open.csv");
      await Deno.writeTextFile(open, "old");
      await Deno.chmod(open, 0o644);
      await copyFileAtomic(source, open);
      assertEquals(await mode(open), 0o600);

      // A new DEST: the source's bits, as before.
      await Deno.chmod(source, 0o640);
      await copyFileAtomic(source, join(dir, "fresh.csv"));
      assertEquals(await mode(join(dir, "fresh.csv")), 0o640);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "copy out by root over a user's file keeps it that user's",
  // Only root may give a file to another user.
  ignore: Deno.build.os === "windows" || Deno.uid() !== 0,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-copy-owner-" });
    try {
      const source = join(dir, "source.csv");
      await Deno.writeTextFile(source, "new");
      const dest = join(dir, "users.csv");
      await Deno.writeTextFile(dest, "old");
      await Deno.chmod(dest, 0o600);
      await Deno.chown(dest, 4321, 4322);
      await copyFileAtomic(source, dest);
      const info = await Deno.stat(dest);
      assertEquals([info.uid, info.gid, info.mode! & 0o7777], [4321, 4322, 0o600]);
      assertEquals(await Deno.readTextFile(dest), "new");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
