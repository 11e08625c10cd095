/**
 * For tests of the test runner (`scripts/test_shards.ts`) and the processes
 * its batches leave: the runner's path, whether a process still runs (read
 * from /proc, so Linux only), and a cleanup that kills what is left.
 */
import { fileURLToPath } from "node:url";

/** The path of `scripts/test_shards.ts`. */
export const SHARDS: string = fileURLToPath(new URL("../scripts/test_shards.ts", import.meta.url));

/** Whether process `pid` still runs (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}

/** SIGKILLs each of `pids` still there (for a test's `finally`: those gone are skipped). */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
}
