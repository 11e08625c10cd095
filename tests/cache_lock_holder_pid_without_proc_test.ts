/**
 * A process waiting for another's download of the same cache entry says who
 * holds it. The holder was named from `/proc/locks`, which Deno reads only
 * with `--allow-all`: under the permissions the `vc` binary and `deno task
 * vc` run with, the message always said "another process", never its pid.
 * A holder whose hold lasts now names itself in a note beside the entry's
 * lock, locked while it holds; a dead holder's note is not believed. Both
 * processes run here with the release permission flags, not `-A`.
 */
import { join } from "node:path";
import { sharedTempPathFor } from "../src/atomic_write.ts";
import { acquireEntryLock, HOLDER_NOTE_AFTER_MS, lockHolder } from "../src/cache/entry_lock.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { mkfifo } from "./fifo.ts";
import { runWithReleaseFlags, startWithReleaseFlags, writeScript } from "./release_flags_script.ts";

const ENTRY_LOCK = JSON.stringify(new URL("../src/cache/entry_lock.ts", import.meta.url).href);

// Takes the entry's lock, says so, and holds it until killed.
const HOLDER = `
import { acquireEntryLock } from ${ENTRY_LOCK};
setInterval(() => {}, 60_000);
await acquireEntryLock(Deno.args[0]);
console.log("held");
`;

// Waits for the entry's lock, printing who holds it, then gives up.
const WAITER = `
import { acquireEntryLock } from ${ENTRY_LOCK};
try {
  using _lock = await acquireEntryLock(Deno.args[0], {
    onWait: (holder) => console.log("waiting for " + holder),
    noticeAfter: 1000,
    timeout: Number(Deno.args[1]),
  });
  console.log("taken");
} catch (e) {
  console.log(String(e));
}
`;

Deno.test({
  name:
    "cache lock: under the binary's permissions a waiter names the holder's pid, not a dead one's",
  // Locks are mandatory on Windows: no note there (its lock would bar reading it).
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_cache_lock_holder_pid_" });
    try {
      const holderScript = await writeScript(dir, "holder.ts", HOLDER);
      const waiterScript = await writeScript(dir, "waiter.ts", WAITER);
      const dataPath = join(dir, "cache", "a.csv");
      await using holder = await startWithReleaseFlags(holderScript, [dataPath], "held");
      const first = holder.pid;
      const said = await runWithReleaseFlags(waiterScript, [dataPath, "1500"]);
      assertStringIncludes(said, `waiting for process ${first}\n`);
      assertStringIncludes(said, `process ${first} has held the lock`);
      // Killed: its note stays behind, unlocked. The next holder's wait is
      // not said with the dead pid.
      await holder.kill();
      await using next = await startWithReleaseFlags(holderScript, [dataPath], "held");
      const second = await runWithReleaseFlags(waiterScript, [dataPath, "1500"]);
      assertStringIncludes(second, `waiting for process ${next.pid}\n`);
      assertEquals(second.includes(`process ${first}`), false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "cache lock: the holder's note is never written through a planted link, nor read from a FIFO",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_cache_lock_holder_note_" });
    try {
      const dataPath = join(dir, "a.csv");
      const note = join(dir, ".a.csv.vc-tmp-0-holder");
      const victim = join(dir, "victim.txt");
      await Deno.writeTextFile(victim, "precious");
      await Deno.symlink(victim, note);
      {
        using _lock = await acquireEntryLock(dataPath);
        await new Promise((r) => setTimeout(r, HOLDER_NOTE_AFTER_MS * 3));
        // The link's name went; the note is vc's own file.
        assert(Deno.lstatSync(note).isFile);
      }
      assertEquals(await Deno.readTextFile(victim), "precious");
      // Released: its note went with it.
      assertEquals(await Deno.lstat(note).catch(() => undefined), undefined);
      // A FIFO at the note's name: told without the pid, without blocking.
      mkfifo(note);
      assertEquals(lockHolder(sharedTempPathFor(dataPath)).includes("process"), true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
