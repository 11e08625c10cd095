/**
 * `GET /readyz`, a load balancer's readiness check: 200 while this instance
 * can reach its store, 503 when it cannot (and, like every request, while it
 * shuts down). `/healthz` is liveness only and never asks the store: an
 * instance that lost its store (its network, its credentials) said "ok"
 * there while it answered every cache request 503, so a balancer kept
 * sending it work that the other instances on the same store could serve.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { ObjectStore } from "../store/types.ts";
import { HttpError } from "./http_error.ts";
import { probeStore, type StoreProbe } from "./store_probe.ts";

/** How long a look at the store answers `/readyz` after it ends. */
export const READINESS_REUSE_MS = 1000;

/** How long a look at the store may take before the instance counts as not ready. */
const READINESS_TIMEOUT_MS = 5000;

/**
 * Answers readiness from a listing of the store's first entry, the look
 * `vc serve` takes at start-up. One look serves every check made while it
 * runs and for {@linkcode READINESS_REUSE_MS} after, so probes (from every
 * balancer, or anyone: the route needs no token) cost the store at most
 * about one listing a second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Readiness } from "./readiness.ts";
 * import { FsStore } from "../store/fs.ts";
 * import { systemClock } from "../clock.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await assert.doesNotReject(new Readiness(new FsStore(dir), systemClock).check());
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class Readiness {
  readonly #store: ObjectStore;
  readonly #clock: Clock;
  #probe: Promise<StoreProbe> | undefined;
  #endedAt: number | undefined;

  /** Checks `store`, reusing a look for a while as `clock` tells. */
  constructor(store: ObjectStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /**
   * Resolves when the store answered its listing; rejects with an
   * `HttpError` 503 when it did not answer in time or is down, or with the
   * store's own error when it refused (credentials, a missing bucket),
   * which the handler answers 503 too.
   */
  async check(): Promise<void> {
    const ended = this.#endedAt;
    if (
      this.#probe === undefined ||
      (ended !== undefined && this.#clock.now() - ended >= READINESS_REUSE_MS)
    ) {
      const probe = probeStore(this.#store, { timeoutMs: READINESS_TIMEOUT_MS });
      this.#probe = probe;
      this.#endedAt = undefined;
      probe.catch(() => {}).finally(() => {
        if (this.#probe === probe) this.#endedAt = this.#clock.now();
      });
    }
    const result = await this.#probe;
    if (!result.ok) {
      throw new HttpError(503, "the store is unavailable; this instance is not ready", {
        headers: { "retry-after": "5" },
        detail: result.unavailable.message,
      });
    }
  }
}
