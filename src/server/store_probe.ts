/**
 * The cache service's look at its store before it listens: a store that
 * refuses its credentials or has no such bucket would answer every request
 * with an error the client cannot act on, so the service does not start.
 *
 * @module
 */
import type { ObjectStore } from "../store/types.ts";
import { isStoreUnavailable } from "../store/retry.ts";
import { readSmallObjectText } from "../store/small_object.ts";

/** What {@linkcode probeStore} found. */
export type StoreProbe =
  /** `holdsFiles`: the `meta/` prefix has an entry (files were uploaded). */
  | { ok: true; holdsFiles: boolean }
  /** The store could not be asked (down, unreachable, slow): it may come back. */
  | { ok: false; unavailable: Error };

/**
 * Lists the first entry of the service's `meta/` prefix (what its sweep
 * lists). Throws the store's error when the store answered with a refusal
 * (credentials, permissions, a missing bucket); returns the error when it
 * could not answer within `timeoutMs` (default 10 s) or is down, so the
 * service can start and answer 503 until it is back. Rejects with the
 * `signal`'s reason as soon as it aborts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeStore } from "./store_probe.ts";
 * import { FsStore } from "../store/fs.ts";
 * const dir = await Deno.makeTempDir();
 * const store = new FsStore(dir);
 * try {
 *   assert.deepEqual(await probeStore(store), { ok: true, holdsFiles: false });
 * } finally {
 *   await store.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function probeStore(
  store: ObjectStore,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<StoreProbe> {
  // The caller's signal (Ctrl-C at start-up) stops the look at once, with
  // its reason: a store that does not answer held it for the whole timeout.
  options.signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    for await (const _ of store.list("meta/", { etags: false, signal })) {
      return { ok: true, holdsFiles: true };
    }
    return { ok: true, holdsFiles: false };
  } catch (e) {
    options.signal?.throwIfAborted();
    if (timeout.aborted) {
      return {
        ok: false,
        unavailable: new Error(
          `${store.url} did not answer a listing within ${(options.timeoutMs ?? 10_000) / 1000}s`,
        ),
      };
    }
    if (isStoreUnavailable(e)) return { ok: false, unavailable: e as Error };
    throw e;
  }
}

/**
 * The owner (token_id) of the first entry of the service's `meta/` prefix,
 * or undefined when there is none or it cannot be read as an entry's
 * metadata: what a starting instance compares its own token_ids with (an
 * `--auth-url` spelled otherwise than the entries' makes other cache IDs).
 * Best effort: a store error, or no answer within 5 s, is undefined too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { Entries } from "./entries.ts";
 * import { firstEntryOwner } from "./store_probe.ts";
 * await using store = new MemoryStore();
 * assert.equal(await firstEntryOwner(store), undefined);
 * await new Entries(store).reserve("a".repeat(128), "token-file:alice");
 * assert.equal(await firstEntryOwner(store), "token-file:alice");
 * ```
 */
export async function firstEntryOwner(
  store: ObjectStore,
  options: { signal?: AbortSignal } = {},
): Promise<string | undefined> {
  // Bounded: a store that stops answering does not hold the start-up.
  const timeout = AbortSignal.timeout(5_000);
  const on = { signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout };
  try {
    for await (const info of store.list("meta/", { etags: false, ...on })) {
      const text = await readSmallObjectText(
        await store.get(info.key, on),
        `${store.url}/${info.key}`,
      );
      const owner = (JSON.parse(text) as { owner?: unknown } | null)?.owner;
      return typeof owner === "string" ? owner : undefined;
    }
  } catch {
    // Not readable just now (or not an entry's metadata): nothing to compare.
  }
  return undefined;
}
