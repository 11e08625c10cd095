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
 * @module
 */

/**
 * True when a thread of Deno's file watcher in this process is blocked
 * opening a FIFO (Linux under `--allow-all`; false elsewhere, and when
 * `/proc` cannot be read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fsWatcherStuck } from "./watcher_stuck.ts";
 * assert.equal(fsWatcherStuck(), false); // no watcher in this process
 * ```
 */
export function fsWatcherStuck(): boolean {
  if (Deno.build.os !== "linux") return false;
  let tasks: Iterable<Deno.DirEntry>;
  try {
    tasks = Deno.readDirSync("/proc/self/task");
  } catch {
    return false;
  }
  try {
    for (const task of tasks) {
      const dir = `/proc/self/task/${task.name}`;
      try {
        if (!Deno.readTextFileSync(`${dir}/comm`).startsWith("notify-rs")) continue;
        if (Deno.readTextFileSync(`${dir}/wchan`).trim() === "wait_for_partner") return true;
      } catch {
        // The thread ended meanwhile, or its files cannot be read.
      }
    }
  } catch {
    // The listing failed part way.
  }
  return false;
}
