/**
 * Planning a mirror: a streaming merge of two key-sorted sequences (the
 * source side and the target side) into pairs, one pair per key. Memory holds
 * one entry of each side at a time, so planning a million files costs no more
 * than planning ten.
 *
 * Both sides must be in UTF-8 byte order (S3's listing order, and the order
 * of `walkFiles`). An out-of-order input is an error, not a silent mis-plan:
 * a merge of unsorted input would take present files for missing ones and
 * delete them.
 *
 * @module
 */
import { compareUtf8 } from "../utf8.ts";

/** Anything with a key. */
export interface Keyed {
  /** The relative key both sides are compared by. */
  key: string;
}

/** One key of the merge: present on the source side, the target side, or both. */
export interface Pair<S extends Keyed, T extends Keyed> {
  /** The key. */
  key: string;
  /** The source entry, when the source has the key. */
  source?: S;
  /** The target entry, when the target has the key. */
  target?: T;
}

/** Thrown when a side is not sorted (or repeats a key). */
export class UnsortedInputError extends Error {
  /** Creates the error naming the side and the two keys. */
  constructor(side: string, previous: string, key: string) {
    super(
      `${side} is not in UTF-8 key order: ${JSON.stringify(key)} came after ${
        JSON.stringify(previous)
      }`,
    );
    this.name = "UnsortedInputError";
  }
}

/**
 * Checks that `items` is strictly increasing by key, passing the items on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sortedChecked } from "./plan.ts";
 * const keys = [];
 * for await (const x of sortedChecked([{ key: "a" }, { key: "b" }], "test")) keys.push(x.key);
 * assert.deepEqual(keys, ["a", "b"]);
 * await assert.rejects(async () => {
 *   for await (const _ of sortedChecked([{ key: "b" }, { key: "a" }], "test"));
 * });
 * ```
 */
export async function* sortedChecked<T extends Keyed>(
  items: AsyncIterable<T> | Iterable<T>,
  side: string,
): AsyncGenerator<T> {
  let previous: string | undefined;
  for await (const item of items) {
    if (previous !== undefined && compareUtf8(previous, item.key) >= 0) {
      throw new UnsortedInputError(side, previous, item.key);
    }
    previous = item.key;
    yield item;
  }
}

/**
 * Merges two sorted sequences into one sequence of pairs, in key order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergePairs } from "./plan.ts";
 * const out = [];
 * for await (const p of mergePairs([{ key: "a" }, { key: "b" }], [{ key: "b" }, { key: "c" }])) {
 *   out.push(`${p.key}:${p.source ? "s" : ""}${p.target ? "t" : ""}`);
 * }
 * assert.deepEqual(out, ["a:s", "b:st", "c:t"]);
 * ```
 */
export async function* mergePairs<S extends Keyed, T extends Keyed>(
  source: AsyncIterable<S> | Iterable<S>,
  target: AsyncIterable<T> | Iterable<T>,
): AsyncGenerator<Pair<S, T>> {
  // Order is checked inline rather than by wrapping generators: a no-op run
  // of a million files pays for every generator layer per item.
  const s = iterate(source);
  const t = iterate(target);
  let lastS: string | undefined;
  let lastT: string | undefined;
  const nextS = async () => {
    const r = await s.next();
    if (!r.done) {
      if (lastS !== undefined && compareUtf8(lastS, r.value.key) >= 0) {
        throw new UnsortedInputError("source", lastS, r.value.key);
      }
      lastS = r.value.key;
    }
    return r;
  };
  const nextT = async () => {
    const r = await t.next();
    if (!r.done) {
      if (lastT !== undefined && compareUtf8(lastT, r.value.key) >= 0) {
        throw new UnsortedInputError("target", lastT, r.value.key);
      }
      lastT = r.value.key;
    }
    return r;
  };
  try {
    let a = await nextS();
    let b = await nextT();
    while (!a.done || !b.done) {
      const c = a.done ? 1 : b.done ? -1 : compareUtf8(a.value.key, b.value.key);
      if (c < 0) {
        const source = a.value as S;
        yield { key: source.key, source };
        a = await nextS();
      } else if (c > 0) {
        const target = b.value as T;
        yield { key: target.key, target };
        b = await nextT();
      } else {
        yield { key: (a.value as S).key, source: a.value as S, target: b.value as T };
        [a, b] = await Promise.all([nextS(), nextT()]);
      }
    }
  } finally {
    await Promise.allSettled([s.return(undefined), t.return(undefined)]);
  }
}

/**
 * {@linkcode mergePairs} over batches: takes sorted sequences of arrays (a
 * directory of a walk, what arrived of a listing) and yields arrays of pairs.
 * A no-op run of a million files then takes a few thousand async steps, not
 * several million. Order is checked across batch boundaries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergePairBatches } from "./plan.ts";
 * const out = [];
 * const merged = mergePairBatches([[{ key: "a" }], [{ key: "b" }]], [[{ key: "b" }, { key: "c" }]]);
 * for await (const batch of merged) {
 *   for (const p of batch) out.push(`${p.key}:${p.source ? "s" : ""}${p.target ? "t" : ""}`);
 * }
 * assert.deepEqual(out, ["a:s", "b:st", "c:t"]);
 * await assert.rejects(async () => {
 *   for await (const _ of mergePairBatches([[{ key: "b" }], [{ key: "a" }]], []));
 * }, /not in UTF-8 key order/);
 * ```
 */
export async function* mergePairBatches<S extends Keyed, T extends Keyed>(
  source: AsyncIterable<S[]> | Iterable<S[]>,
  target: AsyncIterable<T[]> | Iterable<T[]>,
): AsyncGenerator<Pair<S, T>[]> {
  const s = new BatchReader(iterate(source), "source");
  const t = new BatchReader(iterate(target), "target");
  try {
    // Both sides' first batches are fetched together (a walk and a listing overlap).
    await Promise.all([s.fill(), t.fill()]);
    let out: Pair<S, T>[] = [];
    for (;;) {
      if (s.empty && !s.done || t.empty && !t.done) {
        // About to wait: hand over what is merged so far first.
        if (out.length > 0) {
          yield out;
          out = [];
        }
        await Promise.all([s.empty ? s.fill() : undefined, t.empty ? t.fill() : undefined]);
        continue;
      }
      if (s.empty && t.empty) break;
      const a = s.empty ? undefined : s.peek();
      const b = t.empty ? undefined : t.peek();
      const c = a === undefined ? 1 : b === undefined ? -1 : compareUtf8(a.key, b.key);
      if (c < 0) {
        out.push({ key: a!.key, source: s.take() });
      } else if (c > 0) {
        out.push({ key: b!.key, target: t.take() });
      } else {
        out.push({ key: a!.key, source: s.take(), target: t.take() });
      }
    }
    if (out.length > 0) yield out;
  } finally {
    await Promise.allSettled([s.it.return(undefined), t.it.return(undefined)]);
  }
}

/** One side of {@linkcode mergePairBatches}: the current batch and a cursor in it. */
class BatchReader<T extends Keyed> {
  batch: T[] = [];
  index = 0;
  done = false;
  last: string | undefined;
  constructor(
    readonly it: ReturnType<typeof iterate<T[]>>,
    readonly side: string,
  ) {}
  get empty(): boolean {
    return this.index >= this.batch.length;
  }
  peek(): T {
    return this.batch[this.index]!;
  }
  take(): T {
    return this.batch[this.index++]!;
  }
  /** Reads the next non-empty batch (or the end), checking its order. */
  async fill(): Promise<void> {
    while (!this.done && this.empty) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return;
      }
      const batch = r.value;
      let last = this.last;
      for (let i = 0; i < batch.length; i++) {
        const key = batch[i]!.key;
        if (last !== undefined && compareUtf8(last, key) >= 0) {
          throw new UnsortedInputError(this.side, last, key);
        }
        last = key;
      }
      this.last = last;
      this.batch = batch;
      this.index = 0;
    }
  }
}

/**
 * Merges several sorted sequences of batches into one (see
 * {@linkcode mergeSources}); one sequence passes through untouched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeSourceBatches } from "./plan.ts";
 * const out = [];
 * const merged = mergeSourceBatches([[[{ key: "a" }, { key: "c" }]], [[{ key: "b" }]]], () => {});
 * for await (const b of merged) out.push(...b.map((x) => x.key));
 * assert.deepEqual(out, ["a", "b", "c"]);
 * ```
 */
export function mergeSourceBatches<T extends Keyed>(
  sources: readonly (AsyncIterable<T[]> | Iterable<T[]>)[],
  onDuplicate: (key: string, kept: T, dropped: T) => void,
): AsyncIterable<T[]> | Iterable<T[]> {
  if (sources.length === 1) return sources[0]!;
  return rebatch(mergeMany(sources.map(flatten), onDuplicate));
}

async function* flatten<T>(batches: AsyncIterable<T[]> | Iterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

async function* rebatch<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Merges several sorted sequences (one per SOURCE argument) into one sorted
 * sequence. When two sources yield the same key, the first source's entry is
 * kept and `onDuplicate` is told about the other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeSources } from "./plan.ts";
 * const dup: string[] = [];
 * const out = [];
 * const merged = mergeSources([[{ key: "a" }, { key: "c" }], [{ key: "b" }, { key: "c" }]], (k) => dup.push(k));
 * for await (const x of merged) out.push(x.key);
 * assert.deepEqual(out, ["a", "b", "c"]);
 * assert.deepEqual(dup, ["c"]);
 * ```
 */
export function mergeSources<T extends Keyed>(
  sources: readonly (AsyncIterable<T> | Iterable<T>)[],
  onDuplicate: (key: string, kept: T, dropped: T) => void,
): AsyncIterable<T> | Iterable<T> {
  // One source passes through untouched (mergePairs checks its order).
  if (sources.length === 1) return sources[0]!;
  return mergeMany(sources, onDuplicate);
}

async function* mergeMany<T extends Keyed>(
  sources: readonly (AsyncIterable<T> | Iterable<T>)[],
  onDuplicate: (key: string, kept: T, dropped: T) => void,
): AsyncGenerator<T> {
  const its = sources.map((s, i) => iterate(sortedChecked(s, `source ${i + 1}`)));
  try {
    const heads = await Promise.all(its.map((it) => it.next()));
    while (true) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i]!;
        if (h.done) continue;
        if (best < 0 || compareUtf8(h.value.key, (heads[best]!.value as T).key) < 0) best = i;
      }
      if (best < 0) return;
      const kept = heads[best]!.value as T;
      // Drop equal keys from later sources (a source's own keys are unique).
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i]!;
        if (i !== best && !h.done && h.value.key === kept.key) {
          onDuplicate(kept.key, kept, h.value);
          heads[i] = await its[i]!.next();
        }
      }
      yield kept;
      heads[best] = await its[best]!.next();
    }
  } finally {
    await Promise.allSettled(its.map((it) => it.return(undefined)));
  }
}

/**
 * Passes on the batches of `source`, pulling up to `limit` items ahead of the
 * consumer. For a local walk: while the merge waits for the listing's next
 * page, the walk goes on stat-ing instead of sitting idle. Order and errors
 * are kept (an error arrives after the batches before it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAheadChunks } from "./plan.ts";
 * const seen: number[][] = [];
 * for await (const b of readAheadChunks([[1, 2], [3]], 10)) seen.push(b);
 * assert.deepEqual(seen, [[1, 2], [3]]);
 * ```
 */
export function readAheadChunks<T>(
  source: AsyncIterable<T[]> | Iterable<T[]>,
  limit: number,
): AsyncGenerator<T[]> {
  const chunks: T[][] = [];
  let size = 0;
  return pumped(source, limit, 0, {
    get size() {
      return size;
    },
    push(chunk) {
      chunks.push(chunk);
      size += chunk.length;
    },
    take() {
      const chunk = chunks.shift();
      if (chunk !== undefined) size -= chunk.length;
      return chunk;
    },
  });
}

/** What a read-ahead holds between its pump and its consumer. */
interface ReadAheadBuffer<V, B> {
  /** Items held (the read-ahead stops pulling at its limit). */
  readonly size: number;
  push(value: V): void;
  /** The next step for the consumer, or undefined when nothing is held. */
  take(): B | undefined;
}

/**
 * The one read-ahead pump behind {@linkcode readAheadChunks} and
 * {@linkcode readAheadBatches}: pulls `source` into `buffer` until it holds
 * `limit` items, wakes a waiting consumer once it holds `wakeAt`, and keeps
 * order and errors (an error arrives after what was pulled before it). (No
 * timer: Deno's setTimeout would load node:timers into a no-op mirror run.)
 */
async function* pumped<V, B>(
  source: AsyncIterable<V> | Iterable<V>,
  limit: number,
  wakeAt: number,
  buffer: ReadAheadBuffer<V, B>,
): AsyncGenerator<B> {
  const it = iterate(source);
  let failure: { error: unknown } | undefined;
  let ended = false;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakePump: (() => void) | undefined;
  const pump = (async () => {
    try {
      while (!stopped) {
        if (buffer.size >= limit) {
          await new Promise<void>((r) => wakePump = r);
          continue;
        }
        const r = await it.next();
        if (r.done) break;
        buffer.push(r.value);
        if (buffer.size >= wakeAt) wakeConsumer?.();
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
      const step = buffer.take();
      if (step === undefined) {
        if (ended) {
          if (failure !== undefined) throw failure.error;
          return;
        }
        await new Promise<void>((r) => wakeConsumer = r);
        wakeConsumer = undefined;
        continue;
      }
      wakePump?.();
      wakePump = undefined;
      yield step;
    }
  } finally {
    stopped = true;
    wakePump?.();
    if (!ended) await it.return(undefined).catch(() => {});
    await pump;
  }
}

/** Items re-batched per step when several sources merge. */
const BATCH = 512;

/** Items a read-ahead gathers before it wakes a waiting consumer: one S3 listing page. */
const PAGE_BATCH = 1000;

function iterate<T>(items: AsyncIterable<T> | Iterable<T>): {
  next(): Promise<IteratorResult<T>>;
  return(value: undefined): Promise<IteratorResult<T>>;
} {
  if (Symbol.asyncIterator in items) {
    const it = (items as AsyncIterable<T>)[Symbol.asyncIterator]();
    return {
      next: () => it.next(),
      return: (value: undefined) =>
        it.return?.(value) ?? Promise.resolve({ done: true, value: undefined as T }),
    };
  }
  const it = (items as Iterable<T>)[Symbol.iterator]();
  return {
    next: () => Promise.resolve(it.next()),
    return: (value: undefined) =>
      Promise.resolve(it.return?.(value) ?? { done: true, value: undefined as T }),
  };
}

/**
 * Passes on the items of `source`, pulling them up to `limit` ahead of the
 * consumer: a source that waits on the network (a listing's next page) then
 * waits while the consumer works, not after. Order and errors are kept: an
 * error arrives after the items before it. Memory holds `limit` items.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAhead } from "./plan.ts";
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
export async function* readAhead<T>(
  source: AsyncIterable<T> | Iterable<T>,
  limit: number,
): AsyncGenerator<T> {
  for await (const batch of readAheadBatches(source, limit)) yield* batch;
}

/**
 * {@linkcode readAhead} handing over everything pulled so far as one array
 * (never empty) per step, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAheadBatches } from "./plan.ts";
 * const seen: number[] = [];
 * for await (const b of readAheadBatches([1, 2, 3], 10)) seen.push(...b);
 * assert.deepEqual(seen, [1, 2, 3]);
 * ```
 */
export function readAheadBatches<T>(
  source: AsyncIterable<T> | Iterable<T>,
  limit: number,
): AsyncGenerator<T[]> {
  // Filled by the pump, drained whole by the consumer. A waiting consumer is
  // woken per page-sized batch (or at the end), not per item: the items of
  // one parsed page arrive without a wait, and waking on each would hand
  // them over one by one.
  let queue: T[] = [];
  return pumped(source, limit, Math.max(1, Math.min(limit, PAGE_BATCH)), {
    get size() {
      return queue.length;
    },
    push(item) {
      queue.push(item);
    },
    take() {
      if (queue.length === 0) return undefined;
      const batch = queue;
      queue = [];
      return batch;
    },
  });
}
