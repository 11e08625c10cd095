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
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

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

async function writeScript(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await Deno.writeTextFile(path, text);
  return path;
}

/** Runs the writer with the release flags; what it printed. */
async function writer(script: string, lock: string, timeoutMs: number): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, script, lock, String(timeoutMs)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return text;
}

/** Starts the holder with the release flags and waits until it holds the lock. */
async function startHolder(script: string, lock: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, script, lock],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let said = "";
  while (!said.includes("held")) {
    const { value, done } = await reader.read();
    if (done) break;
    said += value;
  }
  reader.releaseLock();
  assertStringIncludes(said, "held");
  return child;
}

Deno.test({
  name:
    "fs lock: under the binary's permissions a killed holder's lock is broken at once, a live one's kept",
  // Locks are mandatory on Windows: only the age rule breaks a lock there.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_fs_lock_dead_holder_" });
    let holder: Deno.ChildProcess | undefined;
    try {
      const lock = join(dir, ".vc~lock~a.bin");
      const holderScript = await writeScript(dir, "holder.ts", HOLDER);
      const writerScript = await writeScript(dir, "writer.ts", WRITER);
      holder = await startHolder(holderScript, lock);
      // Alive: its lock stays, whatever the permissions.
      assertStringIncludes(await writer(writerScript, lock, 300), "timed out");
      holder.kill("SIGKILL");
      await holder.status;
      holder = undefined;
      // Dead: broken long before the age rule (an hour here) would.
      assertEquals(await writer(writerScript, lock, 10_000), "taken");
      assert((await Deno.lstat(lock).catch(() => undefined)) === undefined, "the lock is left");
    } finally {
      if (holder !== undefined) {
        holder.kill("SIGKILL");
        await holder.status;
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
