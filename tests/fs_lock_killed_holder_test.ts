/**
 * A `file://` store writer killed (`kill -9`) while it takes a key's lock:
 * the lock file must never be left empty, since an empty lock names no
 * holder and only the age rule (30 s) could break it, so the next writer of
 * that key (`vc mirror` again, say) stalled silently for 30 s.
 */
import { join } from "node:path";
import { acquireLock } from "../src/store/fs_lock.ts";
import { assert } from "./assert.ts";

// The child stalls in the lock file's content write (the moment a kill hit):
// with the old create-then-write, its lock exists empty; a lock that appears
// with its content never waits for that write.
const CHILD = `
import { acquireLock } from ${
  JSON.stringify(new URL("../src/store/fs_lock.ts", import.meta.url).href)
};
setInterval(() => {}, 60_000); // alive until killed
Deno.FsFile.prototype.write = () => new Promise(() => {});
await acquireLock(Deno.args[0]);
`;

Deno.test({
  name: "fs lock: a holder killed while taking the lock leaves no lock that waits for the age rule",
  async fn() {
    const dir = await Deno.makeTempDir();
    const path = join(dir, ".vc~lock~a.bin");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", CHILD, path],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const until = Date.now() + 20_000;
      for (;;) {
        const st = await Deno.lstat(path).catch(() => undefined);
        if (st !== undefined) break;
        assert(Date.now() < until, "the child never took the lock");
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 200)); // it is in the write now, if it writes
      child.kill("SIGKILL");
      await child.status;
      const started = Date.now();
      const lock = await acquireLock(path, { timeoutMs: 5_000 }).catch((e) => e);
      assert(
        !(lock instanceof Error),
        `the dead holder's lock was not broken: ${lock}`,
      );
      await lock.release();
      assert(Date.now() - started < 5_000);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
