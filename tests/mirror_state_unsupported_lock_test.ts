/**
 * `vc mirror` takes `<state>.lock` so two mirrors do not share one state
 * file. On a file system that gives no `flock` (macOS SMB shares and FUSE
 * mounts: ENOTSUP; NFS without its lock daemon: ENOLCK), where the cache
 * dir that holds the state may be, every mirror failed on that lock with
 * a bare OS error naming no file. It now goes on without, as the asset
 * cache and vc's other file locks do there. Simulated on Linux by making
 * `Deno.FsFile`'s lock calls fail as such a file system makes them fail.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals } from "./assert.ts";
import { settle, tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror: a state file on a file system without locks is used without the lock", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "d/b.txt": "b" });
  await settle();
  const options = {
    sources: [src],
    target: `file://${join(w.dir, "store")}`,
    cacheDir: join(w.dir, "cache"),
    racyWindowMs: 0,
  };
  const proto = Deno.FsFile.prototype;
  const original = proto.tryLockSync;
  proto.tryLockSync = () => {
    throw new Deno.errors.NotSupported("Operation not supported (os error 45)");
  };
  try {
    const first = await mirror(options);
    assertEquals([first.transferred, first.failed.length], [2, 0]);
    const again = await mirror(options);
    assertEquals([again.transferred, again.unchanged, again.hashed], [0, 2, 0]);
  } finally {
    proto.tryLockSync = original;
  }
});
