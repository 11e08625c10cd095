/**
 * A bound on request bodies that come in tiny pieces. Deno.serve hands a
 * chunked body to JavaScript one chunk per read, each read costing the event
 * loop ~40 µs whatever its size (an upload's reads ~150 µs, with the
 * multipart search and the idle bounds): a 200 KB upload in 1-byte chunks held
 * every other client's requests for seconds (a `/healthz` took 4.2 s), and a
 * 1 MiB `cache_id` body so sent took 40 s of the loop. Past
 * {@linkcode TINY_READS_GRACE} reads (an upload's; a `cache_id` body's, cheaper
 * each, {@linkcode JSON_TINY_READS_GRACE}), a body whose reads brought fewer than
 * {@linkcode MIN_AVERAGE_READ_BYTES} on average is refused with 400; one in
 * chunks of a usual size (curl's 64 KiB; a generator's lines of 64 bytes
 * or more on average) never is. A body with a Content-Length comes as its
 * client wrote it too: one written in small pieces, a pause between, is
 * judged alike.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";

/** Reads a body may take before their average size is judged (default). */
export const TINY_READS_GRACE = 4096;

/** The grace of a `cache_id` JSON body's reads. */
export const JSON_TINY_READS_GRACE = 16_384;

/** The least average bytes per read past the grace. */
export const MIN_AVERAGE_READ_BYTES = 64;

/**
 * Counts a body's reads; `count` throws `HttpError` 400 once there have
 * been more than `grace` ({@linkcode TINY_READS_GRACE}) reads averaging fewer than
 * {@linkcode MIN_AVERAGE_READ_BYTES} bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TinyReadsGuard, TINY_READS_GRACE } from "./tiny_reads.ts";
 * const guard = new TinyReadsGuard();
 * assert.throws(() => {
 *   for (let i = 0; i <= TINY_READS_GRACE; i++) guard.count(1);
 * }, { status: 400 });
 * const usual = new TinyReadsGuard();
 * for (let i = 0; i <= 2 * TINY_READS_GRACE; i++) usual.count(1000);
 * ```
 */
export class TinyReadsGuard {
  #reads = 0;
  #bytes = 0;
  readonly #grace: number;

  /** `grace`: the reads taken before their average is judged. */
  constructor(grace: number = TINY_READS_GRACE) {
    this.#grace = grace;
  }

  /** Counts one read of `bytes` bytes. */
  count(bytes: number): void {
    this.#reads++;
    this.#bytes += bytes;
    if (this.#reads > this.#grace && this.#bytes < this.#reads * MIN_AVERAGE_READ_BYTES) {
      throw new HttpError(
        400,
        `the request body came in ${this.#reads} chunks of ${
          Math.round(this.#bytes / this.#reads * 10) / 10
        } bytes on average: each costs the service a read; send it in writes (a chunked ` +
          `body: chunks) of 64 KiB or more, as curl -F or -T sends a file`,
        // The rest is not read: draining it costs as much (see head_timeout.ts).
        { headers: { connection: "close" } },
      );
    }
  }
}
