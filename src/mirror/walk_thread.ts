/**
 * A mirror's local walk on another thread: the same entries, order, errors
 * and bounds as `walkLocalBatches` (`local_side.ts`), produced by a Web
 * Worker (`walk_worker.ts`). A no-op mirror is the stat of every file, the
 * parse of the listing and the merge; with the stats on a second core the
 * main thread only parses and merges (a no-op of 10,000 files spends ~40% of
 * its main-thread CPU on the walk otherwise).
 *
 * Where no worker can be started (a runtime without workers, a compiled
 * binary without the worker module), the walk runs on this thread.
 *
 * @module
 */
import { onAbort } from "../abort_hub.ts";
import { InvalidInputError, NotUtf8NameError } from "../errors.ts";
import { bundledWorkerUrl, mayLoadWorker } from "../bundled_modules.ts";
import {
  type LocalEntry,
  type LocalRoot,
  type LocalSkipKind,
  walkLocalBatches,
  type WalkLocalOptions,
} from "./local_side.ts";
import type { KeyFilter } from "./keys.ts";
import { workerInbox } from "./worker_inbox.ts";

/** A request to the walk worker. */
export type WalkRequest =
  | {
    type: "walk";
    root: LocalRoot;
    filter: KeyFilter;
    symlinks: "skip" | "follow";
    scope: string;
    missingOk: boolean;
    skipTempNames: boolean;
    skipInternalNames: boolean | "any-case";
    sweepDeadTemps: boolean;
    /** Whether to send the entries passed over (`WalkLocalOptions.onSkip`). */
    skips: boolean;
    /** Entries the worker may send beyond the last acknowledged count. */
    ahead: number;
  }
  | { type: "ack"; count: number };

/** A message from the walk worker. */
export type WalkMessage =
  | {
    type: "batch";
    /** Paths joined by NUL (no file name contains one). */
    paths: string;
    /** Keys joined by NUL. */
    keys: string;
    /** size, mtimeMs, ctimeMs, ino (NaN for none) per entry. */
    numbers: Float64Array;
  }
  | { type: "error"; path: string; error: { name: string; message: string } }
  | { type: "skip"; key: string; path: string; kind: LocalSkipKind }
  | { type: "end" }
  | { type: "fail"; error: { name: string; message: string } };

/**
 * {@linkcode walkLocalBatches} run by a worker, up to `ahead` entries ahead
 * of the consumer; on this thread when no worker starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walkLocalBatchesOffThread } from "./walk_thread.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/b.txt`, "b");
 *   await Deno.writeTextFile(`${dir}/a.txt`, "a");
 *   const keys: string[] = [];
 *   const walk = walkLocalBatchesOffThread({ dir, base: "x/" }, {
 *     filter: {},
 *     symlinks: "skip",
 *     onError: () => {},
 *   });
 *   for await (const b of walk) keys.push(...b.map((e) => e.key));
 *   assert.deepEqual(keys, ["x/a.txt", "x/b.txt"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function* walkLocalBatchesOffThread(
  root: LocalRoot,
  options: WalkLocalOptions,
  missingOk = false,
  ahead = 5000,
): AsyncGenerator<LocalEntry[]> {
  options.signal?.throwIfAborted();
  let worker: Worker;
  try {
    // A `deno compile` binary must embed the worker with `--include
    // src/mirror/walk_worker.ts` (scripts/compile.ts); the release bundle
    // registers where it is (src/bundled_modules.ts).
    const url = bundledWorkerUrl(
      "src/mirror/walk_worker.ts",
      new URL("./walk_worker.ts", import.meta.url),
    );
    if (!mayLoadWorker(url)) throw new Error("the walk worker's module may not be read");
    worker = new Worker(url, { type: "module" });
  } catch {
    yield* walkLocalBatches(root, options, missingOk);
    return;
  }
  const inbox = workerInbox<WalkMessage>(worker);
  const stopListening = onAbort(
    options.signal,
    () => inbox.push({ type: "broken", message: "aborted" }),
  );
  let received = 0;
  let started = false;
  try {
    const request: WalkRequest = {
      type: "walk",
      root,
      filter: options.filter,
      symlinks: options.symlinks,
      scope: options.scope ?? "",
      missingOk,
      skipTempNames: options.skipTempNames ?? false,
      skipInternalNames: options.skipInternalNames ?? false,
      sweepDeadTemps: options.sweepDeadTemps ?? false,
      skips: options.onSkip !== undefined,
      ahead,
    };
    worker.postMessage(request);
    for (;;) {
      const m = await inbox.next();
      options.signal?.throwIfAborted();
      if (m.type === "batch") {
        started = true;
        const paths = m.paths.split("\0");
        const keys = m.keys.split("\0");
        const n = m.numbers;
        const batch: LocalEntry[] = new Array(keys.length);
        for (let i = 0; i < keys.length; i++) {
          const ino = n[i * 4 + 3]!;
          batch[i] = {
            key: keys[i]!,
            path: paths[i]!,
            size: n[i * 4]!,
            mtimeMs: n[i * 4 + 1]!,
            ctimeMs: n[i * 4 + 2]!,
            ino: Number.isNaN(ino) ? null : ino,
          };
        }
        received += batch.length;
        // Acknowledged as handed over: the consumer's own read-ahead bounds the rest.
        worker.postMessage({ type: "ack", count: received } satisfies WalkRequest);
        yield batch;
      } else if (m.type === "error") {
        started = true;
        options.onError(m.path, revive(m.error));
      } else if (m.type === "skip") {
        options.onSkip?.(m.key, m.path, m.kind);
      } else if (m.type === "end") {
        return;
      } else if (m.type === "fail") {
        throw revive(m.error);
      } else {
        // The worker could not load or died. Before it produced anything the
        // walk runs here instead; after, the walk is incomplete: fail it.
        if (!started && m.message !== "aborted") {
          worker.terminate();
          yield* walkLocalBatches(root, options, missingOk);
          return;
        }
        throw new Error(`the walk of ${root.dir} stopped: ${m.message}`);
      }
    }
  } finally {
    stopListening();
    worker.terminate();
  }
}

/**
 * Whether this machine has a core to spare for a walk thread: more cores
 * than the 1-minute load average (`Deno.loadavg()`, sys access `loadavg`)
 * by at least one. A second thread only helps when it gets a core of its
 * own; on a busy machine it costs CPU (a second isolate, its cold code) and
 * time (measured on 2 cores, a no-op of 10,000 files: 3-19% slower with it
 * at load 3, 11% faster with it when the cores are free). True where the
 * load is unknown (Windows reports none). Not `/proc/loadavg`: Deno reads
 * `/proc` only with `--allow-all`, so under the CLI's permissions the load
 * was never known and the thread was always started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spareCore } from "./walk_thread.ts";
 * assert.equal(typeof spareCore(), "boolean");
 * ```
 */
export function spareCore(): boolean {
  const cores = navigator.hardwareConcurrency ?? 1;
  if (cores < 2) return false;
  let load: number | undefined;
  try {
    // Asked first, so that a library user without sys permission is never
    // prompted for it.
    if (Deno.permissions.querySync({ name: "sys", kind: "loadavg" }).state !== "granted") {
      return true;
    }
    load = Deno.loadavg()[0];
  } catch {
    return true; // the load is unknown
  }
  // Windows reports zeros: no load known there, as before.
  if (Deno.build.os === "windows") return true;
  return load === undefined || !Number.isFinite(load) || load <= cores - 1;
}

/**
 * vc's own errors the walk throws: a mirror tells them by class (a loop of
 * links, an `InvalidInputError`, fails the same until it changes, so a
 * watch says it once), so they must come back as that class too.
 */
const OWN_ERRORS: Record<string, new (message: string) => Error> = {
  InvalidInputError,
  NotUtf8NameError,
};

/** An error as the worker described it, as the same class where it is one of Deno's or vc's. */
function revive(error: { name: string; message: string }): Error {
  const Known = (Deno.errors as Record<string, (new (message: string) => Error) | undefined>)[
    error.name
  ] ?? OWN_ERRORS[error.name];
  if (Known !== undefined) return new Known(error.message);
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}
