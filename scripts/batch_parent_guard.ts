/**
 * Imported first by each batch module of `scripts/test_shards.ts`: ends the
 * batch when the runner that started it is gone. A runner killed by
 * `SIGKILL` (an out-of-memory kill, a CI step's hard stop) passes nothing
 * on, and its batches, process groups of their own, would run on as
 * orphans, with the servers their tests started. Once a second, the batch
 * compares its parent's PID with `TEST_RUNNER_PID` (a process whose
 * parent ends is handed to another); when they differ, it kills the
 * processes that keep its TMPDIR (those that left its group, as the runner
 * does at a time limit), then its process group, itself included. Not on
 * Windows, which runs no process groups. The timer is unref'd: it keeps
 * no batch alive, and no test sees it.
 *
 * @module
 */
import { killProcessesWithEnv, RUNNER_PID_ENV } from "./deno_test_process.ts";

const runner = Number(Deno.env.get(RUNNER_PID_ENV));
if (Deno.build.os !== "windows" && Number.isInteger(runner) && runner > 0) {
  const timer = setInterval(() => {
    if (Deno.ppid === runner) return;
    const tmpDir = Deno.env.get("TMPDIR");
    if (tmpDir) killProcessesWithEnv(`TMPDIR=${tmpDir}`);
    try {
      // The batch leads its process group (the runner starts it detached).
      Deno.kill(-Deno.pid, "SIGKILL");
    } catch {
      Deno.kill(Deno.pid, "SIGKILL");
    }
  }, 1000);
  Deno.unrefTimer(timer);
}
