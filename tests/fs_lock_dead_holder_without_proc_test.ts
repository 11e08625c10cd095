/**
 * A `file://` store's key lock whose holder was killed (`kill -9`) is
 * broken at once by the next writer of that key on the same host, also
 * under the permissions the `vc` binary and `deno task vc` run with. Those
 * leave out `--allow-all`, and Deno refuses any look at `/proc` without it,
 * so the dead-holder check that asked `/proc` whether the holder's pid was
 * alive always said "cannot tell" there: the lock of a killed writer held
 * every writer of its key for the whole 30 s age rule. A holder now keeps
 * an advisory lock (`flock`) on its lock file, which the kernel drops when
 * it dies; a live holder's lock still stays. Both processes run here with
 * the release permission flags, not `-A`.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { runWithReleaseFlags, startWithReleaseFlags, writeScript } from "./release_flags_script.ts";

const FS_LOCK = JSON.stringify(new URL("../src/store/fs_lock.ts", import.meta.url).href);

// Takes the lock, says so, and holds it until killed.
const HOLDER = `
import { acquireLock } from ${FS_LOCK};
setInterval(() => {}, 60_000);
await acquireLock(Deno.args[0]);
console.log("held");
`;

// Takes the lock with an age rule far beyond its patience: only a holder
// known dead lets it through.
const WRITER = `
import { acquireLock } from ${FS_LOCK};
try {
  const lock = await acquireLock(Deno.args[0], { staleMs: 3_600_000, timeoutMs: Number(Deno.args[1]) });
  await lock.release();
  console.log("taken");
} catch (e) {
  console.log(String(e));
}
`;

Deno.test({
  name:
    "fs lock: under the binary's permissions a killed holder's lock is broken at once, a live one's kept",
  // Locks are mandatory on Windows: only the age rule breaks a lock there.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_fs_lock_dead_holder_" });
    try {
      const lock = join(dir, ".vc~lock~a.bin");
      const holderScript = await writeScript(dir, "holder.ts", HOLDER);
      const writerScript = await writeScript(dir, "writer.ts", WRITER);
      // What the writer printed, given up after `timeoutMs`.
      const writer = async (timeoutMs: number) =>
        (await runWithReleaseFlags(writerScript, [lock, String(timeoutMs)])).trim();
      await using holder = await startWithReleaseFlags(holderScript, [lock], "held");
      // Alive: its lock stays, whatever the permissions.
      assertStringIncludes(await writer(300), "timed out");
      await holder.kill();
      // Dead: broken long before the age rule (an hour here) would.
      assertEquals(await writer(10_000), "taken");
      assert((await Deno.lstat(lock).catch(() => undefined)) === undefined, "the lock is left");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
