/**
 * A `file://` store's key lock records its holder's host and pid, and a
 * lock whose holder is dead on this host is broken at once. Containers that
 * share a host name (host networking) and the store's directory each number
 * their own pids: a holder in another PID namespace was judged dead from
 * here and its lock broken mid-commit, letting two conditional writes of one
 * key through at once. The lock records the PID namespace too, and a holder
 * in another one is left to the age rule.
 */
import { join } from "node:path";
import { assertRejects } from "./assert.ts";
import { acquireLock } from "../src/store/fs_lock.ts";

// Above Linux's largest pid_max (2^22): dead here, as another namespace's pid may be.
const OTHER_PID = 4_194_305;

async function ownPidNamespace(): Promise<string | undefined> {
  try {
    return await Deno.readLink("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
}

const here = await ownPidNamespace();

/** A key lock of this host name whose holder's pid is dead here, recorded in namespace `pidns`. */
function writeDeadHolder(path: string, pidns: string): Promise<void> {
  return Deno.writeTextFile(
    path,
    JSON.stringify({
      pid: OTHER_PID,
      host: Deno.hostname(),
      nonce: crypto.randomUUID(),
      at: new Date().toISOString(),
      pidns,
    }),
  );
}

Deno.test({
  name: "fs lock: a holder in another PID namespace keeps its lock on a shared host name",
  ignore: here === undefined || Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_lock_pidns_" });
    try {
      const path = join(dir, ".vc~lock~key");
      await writeDeadHolder(path, "pid:[1]"); // not ours (namespace inodes are far larger)
      // The holder is at work in its own namespace: waiting times out.
      await assertRejects(() => acquireLock(path, { timeoutMs: 300 }), Error, "timed out");
      // In this very namespace, the same dead pid is broken at once.
      await writeDeadHolder(path, here!);
      await (await acquireLock(path, { timeoutMs: 5_000 })).release();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
