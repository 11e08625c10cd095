/**
 * The store side of a mirror: a listing under a prefix turned into entries
 * keyed by their relative key (the store key without the prefix), filtered.
 * Listings carry size and ETag, so comparing needs no per-object request.
 *
 * @module
 */
import type { ListOptions, ObjectStore } from "../store/types.ts";
import { type KeyFilter, matchesFilter } from "./keys.ts";

/** One object in the store. */
export interface RemoteEntry {
  /** Relative key (store key without the mirror's prefix). */
  key: string;
  /** The key in the store. */
  storeKey: string;
  /** Size in bytes. */
  size: number;
  /** ETag without quotes. */
  etag: string;
  /** User metadata, when the entry came from a HEAD (never from a listing). */
  metadata?: Record<string, string>;
}

/**
 * The objects under `prefix` (normalised, `""` or ending with `/`) as
 * {@linkcode RemoteEntry}s, in key order. "Directory marker" keys ending
 * with `/` are not files and are left alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { listRemote } from "./store_side.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const store = new FsStore(dir);
 *   await store.put("p/a.txt", new TextEncoder().encode("a"));
 *   await store.put("q.txt", new TextEncoder().encode("q"));
 *   const keys = [];
 *   for await (const e of listRemote(store, "p/", {})) keys.push(`${e.key}=${e.storeKey}`);
 *   assert.deepEqual(keys, ["a.txt=p/a.txt"]);
 *   await store.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function* listRemote(
  store: ObjectStore,
  prefix: string,
  filter: KeyFilter,
  options: {
    scope?: string;
    signal?: AbortSignal;
    /** Told about entries a store's listing skipped (then the listing is incomplete). */
    onWarning?: (warning: { key: string; message: string }) => void;
  } = {},
): AsyncGenerator<RemoteEntry> {
  const listPrefix = prefix + (options.scope ?? "");
  // Stores that skip unreadable entries instead of failing the listing
  // report them through `onWarning`; stores without it ignore the option.
  const listOptions: ListOptions & { onWarning?: typeof options.onWarning } = {};
  if (options.signal) listOptions.signal = options.signal;
  if (options.onWarning) listOptions.onWarning = options.onWarning;
  const entries = (async function* (): AsyncGenerator<RemoteEntry> {
    for await (const o of store.list(listPrefix, listOptions)) {
      if (o.key.endsWith("/") || !o.key.startsWith(prefix)) continue;
      const key = o.key.slice(prefix.length);
      if (!matchesFilter(filter, key)) continue;
      yield { key, storeKey: o.key, size: o.size, etag: o.etag };
    }
  })();
  yield* readAhead(entries, READ_AHEAD);
}

/**
 * Entries a listing may run ahead of the merge: two S3 pages, so the next
 * page is on its way while the walk and the merge work through this one.
 */
const READ_AHEAD = 2000;

/**
 * Passes on the items of `source`, pulling them up to `limit` ahead of the
 * consumer: a source that waits on the network (a listing's next page) then
 * waits while the consumer works, not after. Order and errors are kept: an
 * error arrives after the items before it. Memory holds `limit` items.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAhead } from "./store_side.ts";
 * async function* numbers() {
 *   yield 1;
 *   yield 2;
 *   throw new Error("cut short");
 * }
 * const seen: number[] = [];
 * await assert.rejects(async () => {
 *   for await (const n of readAhead(numbers(), 10)) seen.push(n);
 * }, /cut short/);
 * assert.deepEqual(seen, [1, 2]);
 * ```
 */
export async function* readAhead<T>(source: AsyncIterable<T>, limit: number): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  // Filled by the pump, drained by the consumer; swapped when drained.
  let queue: T[] = [];
  let failure: { error: unknown } | undefined;
  let ended = false;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakePump: (() => void) | undefined;
  const pump = (async () => {
    try {
      while (!stopped) {
        if (queue.length >= limit) {
          await new Promise<void>((r) => wakePump = r);
          continue;
        }
        const r = await it.next();
        if (r.done) break;
        queue.push(r.value);
        wakeConsumer?.();
      }
    } catch (error) {
      failure = { error };
    } finally {
      ended = true;
      wakeConsumer?.();
    }
  })();
  try {
    for (;;) {
      if (queue.length === 0) {
        if (ended) {
          if (failure !== undefined) throw failure.error;
          return;
        }
        await new Promise<void>((r) => wakeConsumer = r);
        wakeConsumer = undefined;
        continue;
      }
      const batch = queue;
      queue = [];
      wakePump?.();
      wakePump = undefined;
      for (const item of batch) yield item;
    }
  } finally {
    stopped = true;
    wakePump?.();
    if (!ended) await it.return?.(undefined)?.catch(() => {});
    await pump;
  }
}
