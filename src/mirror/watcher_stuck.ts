/**
 * Whether Deno's file watcher is stuck at a FIFO made in the watched tree.
 *
 * Deno's watcher (the `notify` crate's inotify thread) opens each file it
 * reports, and the open of a FIFO waits for a writer: from then on no event
 * comes, and worse, closing that watcher or making another `Deno.watchFs`
 * blocks the process's main thread for good (no pass any more, deaf to
 * SIGTERM). The watch asks this before it closes or makes a watcher.
 *
 * On Linux the thread is seen in `/proc/self/task`: named `notify-rs inoti…`
 * and waiting in the kernel's FIFO open (`wait_for_partner`). Deno lets only
 * `--allow-all` read there: under vc's own permissions (the `vc` binary,
 * `deno task vc`) it cannot look. Elsewhere, or where `/proc` cannot be
 * read, the answer is false, as before.
 *
 * So the watch also asks {@linkcode fifoMadeSince} of each special file a
 * full pass or batch skipped: a FIFO made (or moved) into the tree since the
 * watcher started may have stopped it, and is taken as having done so (a
 * FIFO there before the start does not stop it). That needs no more than
 * `--allow-read`.
 *
 * @module
 */

/**
 * True when a thread of Deno's file watcher in this process is blocked
 * opening a FIFO (Linux under `--allow-all`; false elsewhere, and when
 * `/proc` cannot be read). Threads in `ignore` (ids from
 * {@linkcode stuckWatcherThreads}: those of a watcher replaced already) are
 * not counted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fsWatcherStuck } from "./watcher_stuck.ts";
 * assert.equal(fsWatcherStuck(), false); // no watcher in this process
 * ```
 */
export function fsWatcherStuck(ignore: ReadonlySet<string> = new Set()): boolean {
  for (const tid of stuckWatcherThreads()) if (!ignore.has(tid)) return true;
  return false;
}

/**
 * The ids of this process's watcher threads blocked opening a FIFO (see
 * {@linkcode fsWatcherStuck}): a stalled thread stays so for good once its
 * FIFO is removed, so a watcher started after it tells its own stall by the
 * ids not in the set taken at its start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stuckWatcherThreads } from "./watcher_stuck.ts";
 * assert.equal(stuckWatcherThreads().size, 0); // no watcher in this process
 * ```
 */
export function stuckWatcherThreads(): Set<string> {
  const stuck = new Set<string>();
  if (Deno.build.os !== "linux") return stuck;
  let tasks: Iterable<Deno.DirEntry>;
  try {
    tasks = Deno.readDirSync("/proc/self/task");
  } catch {
    return stuck;
  }
  try {
    for (const task of tasks) {
      const dir = `/proc/self/task/${task.name}`;
      try {
        if (!Deno.readTextFileSync(`${dir}/comm`).startsWith("notify-rs")) continue;
        if (Deno.readTextFileSync(`${dir}/wchan`).trim() === "wait_for_partner") {
          stuck.add(task.name);
        }
      } catch {
        // The thread ended meanwhile, or its files cannot be read.
      }
    }
  } catch {
    // The listing failed part way.
  }
  return stuck;
}

/**
 * Slack for change times in whole seconds (Deno's `ctime` on Linux, measured
 * with Deno 2.9): a FIFO changed up to this long before the watcher started
 * counts as made since, rather than a stuck watcher go unseen.
 */
const CTIME_SLACK_MS = 1_000;

/**
 * True when `path` is a FIFO made, moved or changed since `sinceMs` (a wall
 * clock time, as `Date.now()`), from its inode's change time: Deno's watcher
 * started at `sinceMs` may be stuck at it (Linux; false elsewhere, and for
 * anything else, gone, or not read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fifoMadeSince } from "./watcher_stuck.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a.txt`, "a");
 *   assert.equal(fifoMadeSince(`${dir}/a.txt`, 0), false); // a file, not a FIFO
 *   assert.equal(fifoMadeSince(`${dir}/gone`, 0), false);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function fifoMadeSince(path: string, sinceMs: number): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    const info = Deno.lstatSync(path);
    return info.isFifo === true && (info.ctime?.getTime() ?? Infinity) >= sinceMs - CTIME_SLACK_MS;
  } catch {
    return false;
  }
}
