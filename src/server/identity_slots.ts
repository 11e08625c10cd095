/**
 * Per-identity shares of the service's transfers (`maxUploadsPerIdentity`,
 * `maxDownloadsPerIdentity`): one {@linkcode Limiter} per identity with a
 * transfer in flight or waiting, dropped when it has none, and the totals
 * over all identities for `/metrics`.
 *
 * @module
 */
import { Limiter } from "../pool.ts";

/**
 * At most `limit` jobs per identity at once (`Infinity`: no bound, the jobs
 * only counted); an identity's jobs past that many wait for one of its own
 * to end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IdentitySlots } from "./identity_slots.ts";
 * const slots = new IdentitySlots(1);
 * const release = await slots.acquire("alice");
 * const second = slots.acquire("alice"); // waits for alice's slot
 * const bob = await slots.acquire("bob"); // bob's own slot is free
 * assert.deepEqual([slots.active, slots.pending], [2, 1]);
 * release(); // alice's slot passes to her second
 * const releaseSecond = await second;
 * bob();
 * releaseSecond();
 * await new Promise((resolve) => setTimeout(resolve, 0)); // the counts settle
 * assert.deepEqual([slots.active, slots.pending], [0, 0]);
 * ```
 */
export class IdentitySlots {
  readonly #mine = new Map<string, Limiter>();
  #active = 0;

  /** Creates the shares, `limit` jobs per identity (a positive integer, or `Infinity`). */
  constructor(readonly limit: number) {
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 1))) {
      throw new RangeError(`IdentitySlots: limit must be a positive integer, got ${limit}`);
    }
  }

  /** Jobs holding a slot now, over all identities. */
  get active(): number {
    return this.#active;
  }

  /** Whether a job of `identity` started now would wait for one of its own to end. */
  full(identity: string): boolean {
    const mine = this.#mine.get(identity);
    return mine !== undefined && mine.active >= this.limit;
  }

  /** Jobs waiting for their identity's slot, over all identities. */
  get pending(): number {
    let waiting = 0;
    for (const limiter of this.#mine.values()) waiting += limiter.pending;
    return waiting;
  }

  /**
   * Runs `job` once `identity` has a slot free. Aborting `signal` while it
   * waits rejects with the signal's reason, and the job never runs.
   */
  async run<T>(identity: string, job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const counted = async () => {
      this.#active++;
      try {
        return await job();
      } finally {
        this.#active--;
      }
    };
    if (this.limit === Infinity) return await counted();
    let mine = this.#mine.get(identity);
    if (mine === undefined) this.#mine.set(identity, mine = new Limiter(this.limit));
    try {
      return await mine.run(counted, signal);
    } finally {
      if (mine.active === 0 && mine.pending === 0) this.#mine.delete(identity);
    }
  }

  /**
   * Takes a slot of `identity` (waiting as {@linkcode run} does) and
   * resolves to the function that gives it back (once; later calls do
   * nothing), for a job that ends after its caller returns (a download's
   * body sent after its response).
   */
  acquire(identity: string, signal?: AbortSignal): Promise<() => void> {
    return new Promise((granted, refused) => {
      this.run(identity, () =>
        new Promise<void>((release) => {
          granted(() => release());
        }), signal).catch(refused);
    });
  }
}
