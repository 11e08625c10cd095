/**
 * The order prefill's items take the download slots in: the items a store's
 * throttling or its share of the slots sets aside (in memory, then in temp
 * files past a bound), each store's pause, and the scheduler that hands the
 * download slots the next item to run.
 *
 * @module
 */
import { type ParsedUri, parseUri } from "../uri.ts";
import type { DownloadIntegrity } from "../store/download.ts";
import type { VersionedCache } from "../versioned/versioned_cache.ts";
import { onAbort } from "../abort_hub.ts";

/** Where an item came from (a list file's line, a manifest), as a failure names it. */
export type Source = { file?: string; line?: number };

export interface Target {
  label: string;
  source: Source;
  uri: string;
  /** `uri` as `parseUri` parsed it, when its item did (a plain URI's). */
  parsed?: ParsedUri;
  /** A version's `/` key, read when `uri` does not exist (`versioned/slash_keys.ts`). */
  slashedUri?: string;
  /** A version's directory bucket, read as its store has it (`VersionedAsset.storeRoot`). */
  storeRoot?: string;
  immutable: boolean;
  /** Pinned content (integrity lock entry), checked as the download enters the cache. */
  integrity?: DownloadIntegrity;
  /** Position in the input, so failures are reported in input order. */
  order: number;
  /**
   * For a version: its manifest's cache and entry, to say what its
   * download's `NotFoundError` means, as `vc path` says it.
   */
  version?: { vc: VersionedCache; path: string; version: string };
  /** Its try while its store asks to slow down (1 for the first; see `StoreThrottle`). */
  round?: number;
  /** When its first try began (`performance.now()`), once its store asked it to slow down. */
  throttledSince?: number;
  /** The store whose download slots it holds while it runs (see `StoreSlots`). */
  slot?: string;
}

/** The longest pause of a throttled store. */
const MAX_THROTTLE_PAUSE_MS = 30_000;

/**
 * Per store, the pause its answers asking to slow down (503 SlowDown, 429)
 * set: each item backed off on its own, gave up after its retries and
 * failed, while the next items started at full speed (a 10-second SlowDown
 * window failed 36 of 300 items). The pause is the store's: its items not
 * started wait for it, and one that gave up is tried again after it. A
 * store that asks again right after a pause gets one twice as long (up to
 * 30 s); an item fetched resets it.
 */
export class StoreThrottle {
  readonly #baseMs: number;
  readonly #stores = new Map<string, { until: number; pauseMs: number }>();
  readonly #now: () => number;

  /** `now` is the clock in ms (a test's, to place a pause's end between two looks). */
  constructor(baseMs: number, now: () => number = () => performance.now()) {
    this.#baseMs = baseMs;
    this.#now = now;
  }

  /** The ms left of the pause of `root`, 0 for none. */
  paused(root: string): number {
    const state = this.#stores.get(root);
    return state === undefined ? 0 : Math.max(0, state.until - this.#now());
  }

  /**
   * `root` asked to slow down: the pause it starts (ms), or undefined when
   * one is on (the items that give up within it join it).
   */
  throttled(root: string): number | undefined {
    const now = this.#now();
    const state = this.#stores.get(root);
    if (state !== undefined && state.until > now) return undefined;
    const pauseMs = state === undefined
      ? this.#baseMs
      : Math.min(Math.max(state.pauseMs * 2, 1), MAX_THROTTLE_PAUSE_MS);
    this.#stores.set(root, { until: now + pauseMs, pauseMs });
    return pauseMs;
  }

  /** An item of `root` was fetched: a pause to come starts short again. */
  answered(root: string): void {
    if (this.paused(root) === 0) this.#stores.delete(root);
  }
}

/**
 * Items held aside in memory at most (paused stores', and those of stores
 * that hold their share of the slots and have not answered), unless
 * 4 × `concurrency` is more: past it, the items set aside wait in temp files
 * (see {@linkcode SpilledItems}), so a long list of one such store is read on
 * to find the other stores' work in bounded memory.
 */
export const PARKED_MAX = 1024;

/** Items per temp file of the items set aside past {@linkcode PARKED_MAX}. */
const SPILL_CHUNK = 256;

/**
 * The items of one store set aside past {@linkcode PARKED_MAX}, oldest
 * first: in files of {@linkcode SPILL_CHUNK} items, then those not yet
 * written. In memory: at most a chunk, and the files' names.
 */
interface SpilledItems {
  files: string[];
  pending: Target[];
}

/**
 * The items set aside out of the download slots, per store, in the order
 * they were put aside: those of stores paused by their throttling (see
 * {@linkcode StoreThrottle}), each waiting out its store's pause, and those
 * of stores that hold their share of the slots and have not answered (see
 * `StoreSlots` in `prefill.ts`), each waiting for its store to answer or a slot
 * to be its. Past `max` of them in memory, a store's next items wait in a
 * temp dir (JSON lines; a manifest's cache by its index in `versioned`),
 * read back as its items in memory are taken; the dir is removed on
 * disposal. When no temp dir can be made, `full` says so and no more items
 * are read meanwhile.
 */
export class ParkedItems implements Disposable {
  readonly #throttle: StoreThrottle;
  readonly #versioned: readonly VersionedCache[];
  readonly #stores = new Map<string, Target[]>();
  readonly #spilled = new Map<string, SpilledItems>();
  #count = 0;
  #spilledCount = 0;
  #dir: string | undefined;
  #files = 0;
  #noSpill = false;
  #wake: (() => void) | undefined;
  /** The most held at once in memory before the others wait in temp files. */
  readonly max: number;

  constructor(throttle: StoreThrottle, max: number, versioned: readonly VersionedCache[] = []) {
    this.#throttle = throttle;
    this.max = max;
    this.#versioned = versioned;
  }

  /** Whether no more items may be set aside (none in memory, no temp dir for them). */
  get full(): boolean {
    return this.#count >= this.max && this.#noSpill;
  }

  /** Items held (in memory and in temp files). */
  get size(): number {
    return this.#count + this.#spilledCount;
  }

  /** `target` of `root` waits for the store's pause. */
  add(root: string, target: Target): void {
    const items = this.#stores.get(root);
    const spilled = this.#spilled.get(root);
    // After the store's items in temp files (its order kept), or past the bound.
    if ((spilled !== undefined || this.#count >= this.max) && this.#spill(root, target, spilled)) {
      if (items === undefined) this.#stores.set(root, []);
      return;
    }
    if (items === undefined) this.#stores.set(root, [target]);
    else items.push(target);
    this.#count++;
  }

  /**
   * An item whose store's pause is over and that `mayStart` lets start (its
   * store's), taken out; else undefined.
   */
  take(mayStart: (root: string) => boolean): Target | undefined {
    for (const [root, items] of this.#stores) {
      if (this.#throttle.paused(root) > 0 || !mayStart(root)) continue;
      if (items.length === 0) this.#readBack(root, items);
      const target = items.shift()!;
      if (items.length === 0 && !this.#spilled.has(root)) this.#stores.delete(root);
      this.#count--;
      return target;
    }
    return undefined;
  }

  /** Removes the temp dir of the items set aside past the bound, if any. */
  [Symbol.dispose](): void {
    const dir = this.#dir;
    this.#dir = undefined;
    if (dir !== undefined) {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // Gone already: nothing to let go.
      }
    }
  }

  /** `target` of `root` written out after the store's other items; false when it cannot be. */
  #spill(root: string, target: Target, spilled: SpilledItems | undefined): boolean {
    if (this.#noSpill) return false;
    try {
      // Not granted (a library user's narrower --allow-write): no prompt mid-run.
      if (
        this.#dir === undefined && Deno.permissions.querySync({ name: "write" }).state !== "granted"
      ) {
        throw new Error("no write permission");
      }
      this.#dir ??= Deno.makeTempDirSync({ prefix: "vc-prefill-set-aside-" });
    } catch {
      // No temp dir (no permission, a full disk): no more items are read
      // while the bound is reached, as before.
      this.#noSpill = true;
      return false;
    }
    if (spilled === undefined) {
      spilled = { files: [], pending: [] };
      this.#spilled.set(root, spilled);
    }
    spilled.pending.push(target);
    this.#spilledCount++;
    if (spilled.pending.length >= SPILL_CHUNK) {
      const file = `${this.#dir}/${this.#files++}.jsonl`;
      const lines = spilled.pending.map((t) => JSON.stringify(this.#encode(t)));
      try {
        Deno.writeTextFileSync(file, lines.join("\n"));
      } catch {
        // A full disk: these stay in memory, and no more items are read
        // while the bound is reached, as before.
        this.#noSpill = true;
        return true;
      }
      spilled.files.push(file);
      spilled.pending = [];
    }
    return true;
  }

  /** The oldest of `root`'s items in temp files into `items` (empty). */
  #readBack(root: string, items: Target[]): void {
    const spilled = this.#spilled.get(root)!;
    const file = spilled.files.shift();
    if (file === undefined) {
      items.push(...spilled.pending);
      spilled.pending = [];
    } else {
      for (const line of Deno.readTextFileSync(file).split("\n")) {
        items.push(this.#decode(JSON.parse(line)));
      }
      Deno.removeSync(file);
    }
    if (spilled.files.length === 0 && spilled.pending.length === 0) this.#spilled.delete(root);
    this.#count += items.length;
    this.#spilledCount -= items.length;
  }

  /** What a target set aside keeps (its parsed URI is parsed again). */
  #encode(t: Target): SpilledTarget {
    const out: SpilledTarget = { u: t.uri, o: t.order, m: t.immutable };
    if (t.label !== t.uri) out.l = t.label;
    if (t.source.file !== undefined) out.f = t.source.file;
    if (t.source.line !== undefined) out.n = t.source.line;
    if (t.slashedUri !== undefined) out.s = t.slashedUri;
    if (t.storeRoot !== undefined) out.r = t.storeRoot;
    if (t.integrity !== undefined) out.i = t.integrity;
    if (t.round !== undefined) out.k = t.round;
    if (t.throttledSince !== undefined) out.t = t.throttledSince;
    if (t.version !== undefined) {
      out.v = [this.#versioned.indexOf(t.version.vc), t.version.path, t.version.version];
    }
    return out;
  }

  #decode(o: SpilledTarget): Target {
    const source: Source = {};
    if (o.f !== undefined) source.file = o.f;
    if (o.n !== undefined) source.line = o.n;
    const t: Target = { label: o.l ?? o.u, source, uri: o.u, immutable: o.m, order: o.o };
    if (o.s !== undefined) t.slashedUri = o.s;
    if (o.r !== undefined) t.storeRoot = o.r;
    if (o.i !== undefined) t.integrity = o.i;
    if (o.k !== undefined) t.round = o.k;
    if (o.t !== undefined) t.throttledSince = o.t;
    const vc = o.v === undefined ? undefined : this.#versioned[o.v[0]];
    if (vc !== undefined) t.version = { vc, path: o.v![1], version: o.v![2] };
    return t;
  }

  /**
   * Whether items of another store than `root`, not paused and that
   * `mayUse` says could take a slot, are held.
   */
  others(root: string, mayUse: (other: string) => boolean): boolean {
    for (const other of this.#stores.keys()) {
      if (other !== root && this.#throttle.paused(other) === 0 && mayUse(other)) return true;
    }
    return false;
  }

  /**
   * The ms until the first pause of a store held ends, undefined when none
   * is paused (the items of a store that holds its share of the slots wait
   * for a change, not a time).
   */
  nextMs(): number | undefined {
    let ms: number | undefined;
    for (const root of this.#stores.keys()) {
      const left = this.#throttle.paused(root);
      if (left > 0 && (ms === undefined || left < ms)) ms = left;
    }
    return ms;
  }

  /** An item ended or was put aside: the scheduler waiting on it goes on. */
  changed(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves at the next change, after `ms` (if given) or on the abort. */
  wait(ms: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        // Only a pause sets a timer: the first touch of the timer globals
        // loads Deno's Node layer, which a run without pauses must not pay
        // (tests/cold_path_node_timers_test.ts).
        if (timer !== undefined) clearTimeout(timer);
        stop();
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, Math.max(ms, 1));
      const stop = onAbort(signal, done);
      this.#wake = done;
    });
  }
}

/** A {@linkcode Target} as a temp file of {@linkcode ParkedItems} keeps it. */
interface SpilledTarget {
  u: string;
  o: number;
  m: boolean;
  l?: string;
  f?: string;
  n?: number;
  s?: string;
  r?: string;
  i?: DownloadIntegrity;
  k?: number;
  t?: number;
  v?: [number, string, string];
}

/**
 * What the scheduler asks of the download slots each store holds (see
 * `StoreSlots` in `prefill.ts`).
 */
export interface SlotKeeper {
  /** Whether an item of `root` may take a slot, `othersHaveWork` telling whether others do. */
  mayStart(root: string, othersHaveWork: (root: string) => boolean): boolean;
  /** `target` takes a slot of its store (`root`, undefined for none). */
  start(target: Target, root: string | undefined): void;
  /** Whether `root` holds slots and has not answered them. */
  waitsForAnswer(root: string): boolean;
}

/**
 * The store whose slots `target` holds: its bucket's, for an `s3://` item
 * (a local file answers); undefined for others, and one that does not parse
 * (it fails when run).
 */
export function slotOf(target: Target): string | undefined {
  if (target.parsed === undefined) {
    if (!target.uri.startsWith("s3://")) return undefined;
    try {
      target.parsed = parseUri(target.uri);
    } catch {
      return undefined;
    }
  }
  return target.parsed.scheme === "s3" ? `s3://${target.parsed.bucket}` : undefined;
}

/** Items set aside between two turns of the event loop (`scheduled`'s `turn`). */
const TURN_EVERY = 64;

/**
 * The items to run, in the download slots: those of `source`, and the items
 * held aside in `parked` once their store's pause is over or it may take a
 * slot again (first; see `StoreSlots` in `prefill.ts`). While `parked` is full (no
 * temp dir for the items past its bound), or
 * `source` is done and items are in flight or held, it waits for a pause to
 * end, an item to end or be put aside, or a store to answer; it ends when
 * nothing is left (or on the abort). `turn`, awaited after every
 * {@linkcode TURN_EVERY} items set aside, gives the event loop a turn (the
 * items in flight move while the source is read on).
 */
export function scheduled(
  source: AsyncIterable<Target> | undefined,
  parked: ParkedItems,
  slots: SlotKeeper,
  running: ReadonlyMap<Target, unknown>,
  signal: AbortSignal | undefined,
  turn?: () => Promise<void>,
): AsyncIterable<Target> {
  const items = source?.[Symbol.asyncIterator]();
  let sourceDone = items === undefined;
  // More items may be read to find the other stores' work.
  const readable = () => !sourceDone && !parked.full;
  // Work that could take a slot kept from `root`: not that of another store
  // that has not answered either (two behind an endpoint that never answers
  // each waited for the other's, and slots stood idle).
  const othersHaveWork = (root: string) =>
    readable() || parked.others(root, (other) => !slots.waitsForAnswer(other));
  const mayStart = (root: string) => slots.mayStart(root, othersHaveWork);
  const start = (target: Target, root: string | undefined): IteratorResult<Target> => {
    slots.start(target, root);
    return { done: false, value: target };
  };
  // The source's next item, while it is awaited (a list read from a pipe).
  let reading: Promise<IteratorResult<Target>> | undefined;
  // Items set aside since the event loop last had a turn. Reading on through
  // a list already in memory is a chain of microtasks, which gave the items
  // in flight no turn: a list of 20,000 URIs of one store was read, checked
  // and set aside whole (spilled to temp files past the bound) before its
  // first request went out (scripts/bench/NOTES.md, 2026-12-07 21:00).
  let setAside = 0;
  const next = async (): Promise<IteratorResult<Target>> => {
    while (signal?.aborted !== true) {
      // The wait for a pause is measured before the items are looked at: a
      // pause that ends in between (take() saw it on, a later look none) left
      // the scheduler waiting for a change that never came, and a CI job hung.
      const pauseMs = parked.nextMs();
      const ready = parked.take(mayStart);
      if (ready !== undefined) return start(ready, slotOf(ready));
      if (readable()) {
        reading ??= items!.next();
        // An item set aside may start meanwhile (its store answered): not
        // only once the source's next item comes.
        // (The wait that lost the race, if it did, is let go.)
        const step = parked.size === 0 ? await reading : await Promise.race([
          reading,
          parked.wait(pauseMs, signal).then(() => undefined),
        ]).finally(() => parked.changed());
        if (step === undefined) continue;
        reading = undefined;
        if (!step.done) {
          const root = slotOf(step.value);
          if (root === undefined || mayStart(root)) return start(step.value, root);
          // Its store holds its share and has not answered: set aside.
          parked.add(root, step.value);
          if (turn !== undefined && ++setAside % TURN_EVERY === 0) await turn();
          continue;
        }
        sourceDone = true;
        continue;
      }
      // Nothing held, nothing in flight that may yet be put aside: the end.
      if (parked.size === 0 && running.size === 0) break;
      await parked.wait(pauseMs, signal);
    }
    return { done: true, value: undefined };
  };
  // A plain iterator, not a generator: no step of one around each item.
  const iterator: AsyncIterator<Target> = { next };
  return { [Symbol.asyncIterator]: () => iterator };
}
