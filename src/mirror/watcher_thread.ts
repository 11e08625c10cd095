/**
 * A `Deno.watchFs` made on another thread (a Web Worker, `watch_worker.ts`),
 * for a watch whose own watcher stalled at a FIFO made in the tree (see
 * `watcher_stuck.ts`). Deno keeps one system watcher per isolate, and the
 * stalled one holds its lock: another `Deno.watchFs` on the main thread
 * blocks the process for good. The worker's isolate has a watcher of its
 * own, and closing it (terminating the worker) never waits for a stalled
 * thread, so it can be replaced in turn.
 *
 * @module
 */
import { bundledWorkerUrl, mayLoadWorker } from "../bundled_modules.ts";
import { stuckWatcherThreads } from "./watcher_stuck.ts";
import { workerInbox } from "./worker_inbox.ts";

/** A request to the watch worker. */
export interface WatchRequest {
  /** The paths to watch. */
  paths: string[];
  /** Whether their subdirectories are watched too. */
  recursive: boolean;
}

/** A message from the watch worker. */
export type WatchMessage =
  | { type: "started" }
  | { type: "event"; kind: Deno.FsEvent["kind"]; paths: string[]; flag?: Deno.FsEventFlag }
  | { type: "end" }
  | { type: "fail"; message: string };

/** What {@linkcode watchFsOffThread} returns: a watcher as `Deno.watchFs`'s, and whether it is stuck. */
export interface OffThreadWatcher extends AsyncIterable<Deno.FsEvent> {
  /** Ends the watcher (terminates its worker; never blocks). */
  close(): void;
  /** Whether a watcher thread stalled at a FIFO since this one started (Linux, `--allow-all`). */
  stuck(): boolean;
}

/**
 * Watches `paths` from a worker; undefined where no worker can be started
 * (its module may not be read, or the runtime has no workers). Its first
 * event, once the worker's watcher has started, is a `rescan` (what changed
 * before then went unseen, as when the system's queue overflowed). What
 * the system refuses (the watch limit, a path gone) ends the iteration with
 * that error, as a failed `Deno.watchFs` would.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { watchFsOffThread } from "./watcher_thread.ts";
 * const dir = await Deno.makeTempDir();
 * const watcher = watchFsOffThread([dir], { recursive: true });
 * try {
 *   assert(watcher !== undefined);
 *   assert.equal(watcher.stuck(), false);
 * } finally {
 *   watcher?.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function watchFsOffThread(
  paths: string[],
  options: { recursive: boolean },
): OffThreadWatcher | undefined {
  let worker: Worker;
  try {
    // Embedded by `deno compile` with --include (scripts/compile.ts).
    const url = bundledWorkerUrl(
      "src/mirror/watch_worker.ts",
      new URL("./watch_worker.ts", import.meta.url),
    );
    if (!mayLoadWorker(url)) return undefined;
    worker = new Worker(url, { type: "module" });
  } catch {
    return undefined;
  }
  // Threads stalled before this watcher started are not its own.
  const before = stuckWatcherThreads();
  const inbox = workerInbox<WatchMessage>(worker);
  let closed = false;
  worker.postMessage({ paths, recursive: options.recursive } satisfies WatchRequest);
  const close = () => {
    if (closed) return;
    closed = true;
    worker.terminate();
    inbox.push({ type: "end" });
  };
  return {
    close,
    stuck: () => [...stuckWatcherThreads()].some((tid) => !before.has(tid)),
    async *[Symbol.asyncIterator](): AsyncGenerator<Deno.FsEvent> {
      try {
        for (;;) {
          const m = await inbox.next();
          // What changed before the worker's watcher started went unseen:
          // said as the system says a dropped queue, for a full pass.
          if (m.type === "started") {
            yield { kind: "other", paths: [], flag: "rescan" };
            continue;
          }
          if (m.type === "end") return;
          if (m.type === "event") {
            yield { kind: m.kind, paths: m.paths, ...(m.flag ? { flag: m.flag } : {}) };
          } else throw new Error(m.message);
        }
      } finally {
        close();
      }
    },
  };
}
