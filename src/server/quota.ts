/**
 * Per-identity storage usage for `--max-bytes-per-identity`, kept in one
 * small object per identity (`usage/<sha256(token_id)>.json`) and updated
 * with compare-and-swap on every upload and delete, so no upload lists the
 * store. Concurrent uploads of one identity may overshoot the cap by what is
 * in flight at once; `vc serve expire --recount-usage` recounts from a full listing.
 * Each write names itself in the object (see {@linkcode UsageCounter.add}),
 * so one whose answer was lost is not counted again.
 *
 * @module
 */
import { isMissingKey, PreconditionFailedError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { ObjectStore } from "../store/types.ts";
import { readSmallObjectText } from "../store/small_object.ts";
import { HttpError } from "./http_error.ts";
import { budgetedWait, sharedStoreWork } from "./request_budget.ts";

const MAX_ATTEMPTS = 50;

/**
 * How many of the latest writes a usage object names. A write whose answer
 * was lost is recognised while it is among them: other writes of the same
 * identity landing between it and its re-read (the store's retry backs off
 * meanwhile) push it out only past this many. 32 was passed by eight writers
 * racing through five rounds each, and the lost write was counted twice.
 */
const WRITES_KEPT = 128;

/** The room {@linkcode UsageCounter.room} found for one upload. */
export interface QuotaRoom {
  /** How many bytes the upload may have. */
  bytes: number;
  /** The 413 of an upload refused after `received` of its bytes arrived. */
  exceeded: (received: number) => HttpError;
}

/** Changes of one owner's usage written together, and their callers' answer. */
interface UsageBatch extends PromiseWithResolvers<void> {
  delta: number;
}

/** The usage object's content. */
interface Usage {
  owner: string;
  bytes: number;
  /**
   * Ids of the latest writes, oldest first. Absent in objects written before
   * they were kept, or by a recount.
   */
  writes?: string[];
}

/**
 * Bytes stored per identity, with a cap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { UsageCounter } from "./quota.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const usage = new UsageCounter(new FsStore(dir), 100);
 *   await usage.add("token-file:alice", 60);
 *   assert((await usage.room("token-file:alice", 0)).bytes === 40);
 *   assert(await usage.bytes("token-file:alice") === 60);
 *   // A delete's share landing before its upload's: the sum still comes back to 0.
 *   await usage.add("token-file:bob", -30);
 *   assert(await usage.bytes("token-file:bob") === 0);
 *   await usage.add("token-file:bob", 30);
 *   assert(await usage.bytes("token-file:bob") === 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class UsageCounter {
  readonly #store: ObjectStore;
  readonly #max: number;
  readonly #createMissing: boolean;
  /** Per owner, the changes that wait for the write under way to end. */
  readonly #open = new Map<string, UsageBatch>();
  /** Per owner, the write under way (settled, never rejected). */
  readonly #writing = new Map<string, Promise<void>>();

  /**
   * Keeps usage in `store`, capping each identity at `maxBytes`. With
   * `createMissing: false`, {@linkcode UsageCounter.add} changes only usage
   * objects that exist (those of identities a quota counts), and makes none.
   */
  constructor(store: ObjectStore, maxBytes: number, options: { createMissing?: boolean } = {}) {
    this.#store = store;
    this.#max = maxBytes;
    this.#createMissing = options.createMissing ?? true;
  }

  /** Bytes `owner` stores now. */
  async bytes(owner: string): Promise<number> {
    // The kept sum dips below zero while a removal's share has landed before
    // its upload's (see add): nothing is stored then.
    return Math.max(0, (await this.#read(owner))?.usage.bytes ?? 0);
  }

  /**
   * The room of an upload replacing a file of `replacing` bytes, and its
   * 413 once the upload passes it; throws that 413 when there is none.
   */
  async room(owner: string, replacing: number): Promise<QuotaRoom> {
    const used = await this.bytes(owner);
    const bytes = this.#max - used + replacing;
    // An expired cache answers 404 but counts until it is removed: a client
    // that no longer sees it cannot tell, so the message says what frees it.
    // Where the identity stands is said too: one small cache to delete, or
    // half of them?
    const exceeded = (received?: number) =>
      new HttpError(
        413,
        `upload exceeds the storage quota of identity ${displayName(owner)}: it uses ${used} ` +
          `of its ${this.#max} bytes, ${Math.max(0, bytes)} bytes are left${
            replacing > 0 ? ` (counting the ${replacing} of the file it replaces)` : ""
          }${received === undefined ? "" : `, and this upload has at least ${received} bytes`}` +
          "; delete caches first (an expired cache counts until it is removed: by the " +
          "service's periodic sweep, `vc serve expire`, or a request for its ID)",
      );
    if (bytes <= 0) throw exceeded();
    return { bytes, exceeded };
  }

  /**
   * Adds `delta` (negative on delete) to `owner`'s usage. The sum is kept as
   * is, below zero too: an upload adds its size after its entry points at
   * the file, so a racing delete may subtract it first, and a sum cut at
   * zero would keep the upload's share for good.
   *
   * Each write carries an id of its own in the object: a write the store
   * made whose answer was lost (a reset, a proxy's 500) makes the store's
   * retry of the conditional PUT fail with 412, and the object read again
   * then names this write, which has been counted (before, it was added a
   * second time, and the owner refused uploads for quota not used).
   *
   * Changes of one owner made in this process while its usage is being
   * written are summed into the next write, so uploads finishing at once
   * contend for the object only with other processes (instances), not with
   * each other.
   */
  async add(owner: string, delta: number): Promise<void> {
    if (delta === 0) return;
    // Changes of one owner made while a write of its usage is under way go
    // together in the next write: one compare-and-swap for all of them.
    // Each upload raced every other for the one object before, and with a
    // hundred finishing at once (a job's fan-out, over several instances)
    // some lost every attempt: answered 503 with their files stored, their
    // sizes never counted.
    let batch = this.#open.get(owner);
    if (batch === undefined) {
      const opened: UsageBatch = { delta: 0, ...Promise.withResolvers<void>() };
      batch = opened;
      this.#open.set(owner, opened);
      const before = this.#writing.get(owner) ?? Promise.resolve();
      // The write is all the waiting requests', not under one's time budget.
      const written = sharedStoreWork(() =>
        before.then(() => {
          this.#open.delete(owner); // changes from now on wait for the next write
          return this.#apply(owner, opened.delta);
        })
      );
      written.then(opened.resolve, opened.reject);
      const settled = written.catch(() => {});
      this.#writing.set(owner, settled);
      settled.then(() => {
        if (this.#writing.get(owner) === settled) this.#writing.delete(owner);
      });
    }
    batch.delta += delta;
    await budgetedWait(batch.promise, `the write of the usage of ${displayName(owner)}`);
  }

  async #apply(owner: string, delta: number): Promise<void> {
    if (delta === 0) return;
    // 64 random bits: unique enough among the kept writes, and 128 of them
    // keep the object small (it is read and written on every upload).
    const id = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.#read(owner);
      if (current === undefined && !this.#createMissing) return;
      const writes = writesOf(current?.usage);
      if (writes.includes(id)) return; // an earlier attempt landed
      const usage: Usage = {
        owner,
        bytes: (current?.usage.bytes ?? 0) + delta,
        writes: [...writes.slice(-(WRITES_KEPT - 1)), id],
      };
      try {
        await this.#write(owner, usage, current?.version);
        return;
      } catch (e) {
        if (!(e instanceof PreconditionFailedError)) throw e;
      }
    }
    // Other instances' writes of this identity kept winning: trying again soon works.
    throw new HttpError(
      503,
      `usage of ${displayName(owner)} kept changing (${MAX_ATTEMPTS} attempts); try again`,
      { headers: { "retry-after": "1" } },
    );
  }

  /** Overwrites `owner`'s usage (the recount of `vc serve expire`). */
  async set(owner: string, bytes: number): Promise<void> {
    await this.#store.put(key(owner), encode({ owner, bytes }), {
      contentType: "application/json",
    });
  }

  async #read(owner: string): Promise<{ usage: Usage; version: string } | undefined> {
    try {
      const got = await this.#store.get(key(owner));
      const text = await readSmallObjectText(got, `${this.#store.url}/${key(owner)}`);
      return { usage: JSON.parse(text) as Usage, version: got.info.etag };
    } catch (e) {
      if (isMissingKey(e)) return undefined;
      throw e;
    }
  }

  async #write(owner: string, usage: Usage, version: string | undefined): Promise<void> {
    await this.#store.put(key(owner), encode(usage), {
      contentType: "application/json",
      ...(version === undefined ? { ifNoneMatch: "*" as const } : { ifMatch: version }),
    });
  }
}

/** Where the usage objects live in the service's store. */
export const USAGE_PREFIX = "usage/";

function key(owner: string): string {
  return `${USAGE_PREFIX}${sha256Hex(owner)}.json`;
}

/**
 * Whether the store holds any usage object, i.e. a service with a quota (or
 * `vc serve expire --recount-usage`) keeps usage there. One listing of one key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { UsageCounter, usageKept } from "./quota.ts";
 * await using store = new MemoryStore();
 * assert(!(await usageKept(store)));
 * await new UsageCounter(store, 100).add("token-file:alice", 10);
 * assert(await usageKept(store));
 * ```
 */
export async function usageKept(
  store: ObjectStore,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  const { signal } = options;
  const listing = store.list(
    USAGE_PREFIX,
    signal === undefined ? { etags: false } : { signal, etags: false },
  );
  for await (const _ of listing) return true;
  return false;
}

function encode(usage: Usage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(usage));
}

/** The write ids `usage` names; none in an object from before they were kept. */
function writesOf(usage: Usage | undefined): string[] {
  const writes: unknown = usage?.writes;
  return Array.isArray(writes) ? writes.filter((w): w is string => typeof w === "string") : [];
}

/**
 * The name part of a token_id (`token-file:alice` → `alice`, `https://auth:bob` → `bob`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayName } from "./quota.ts";
 * assert(displayName("http://auth:5000:bob") === "bob");
 * ```
 */
export function displayName(tokenId: string): string {
  return tokenId.slice(tokenId.lastIndexOf(":") + 1);
}
