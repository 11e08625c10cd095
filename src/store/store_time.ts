/**
 * The store's idea of the current time, for expiry that must not trust a
 * machine whose clock runs ahead (see `ObjectStore.serverTime`).
 *
 * @module
 */
import { join } from "../path.ts";
import { tempPathFor } from "../atomic_write.ts";

/** 2020-01-01T00:00:00Z: a store's "now" before it is no time at all (an epoch-zero Date). */
const EARLIEST_PLAUSIBLE = Date.UTC(2020, 0, 1);
/** IMF-fixdate (RFC 9110), the one form servers send: `Sun, 06 Dec 2026 08:00:00 GMT`. */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * The time an HTTP `Date` header names, in ms (the middle of its second:
 * the header has whole seconds), or `undefined` when it is missing, not an
 * IMF-fixdate, or before 2020 (a server's clock at its epoch is no clock).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpDateMs } from "./store_time.ts";
 * assert.equal(httpDateMs("Sun, 06 Dec 2026 08:00:00 GMT"), Date.UTC(2026, 11, 6, 8) + 500);
 * assert.equal(httpDateMs(null), undefined);
 * assert.equal(httpDateMs("yesterday"), undefined);
 * assert.equal(httpDateMs("Thu, 01 Jan 1970 00:00:00 GMT"), undefined);
 * ```
 */
export function httpDateMs(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (!IMF_FIXDATE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= EARLIEST_PLAUSIBLE ? ms + 500 : undefined;
}

/**
 * The mtime of a tiny probe file written in `dir` (named as a temp file, so
 * listings skip it and a sweep removes one left by a killed process) and
 * removed at once: the clock of the machine that holds the directory (the
 * file server's, on NFS). `undefined` when `dir` does not exist, takes no
 * write (read-only, full) or gives no mtime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeFileTime } from "./store_time.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const time = await probeFileTime(dir);
 *   assert(time !== undefined && Math.abs(time - Date.now()) < 60_000);
 *   assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []); // removed
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function probeFileTime(dir: string): Promise<number | undefined> {
  const path = tempPathFor(join(dir, "clock-probe"));
  try {
    // A byte written, then closed (NFS sends the write at close, and the
    // server dates it), then looked at by path: the server's date, not the
    // client's cached one.
    await Deno.writeFile(path, new Uint8Array([0]), { createNew: true });
  } catch {
    return undefined;
  }
  try {
    const mtime = (await Deno.stat(path)).mtime;
    return mtime === null ? undefined : mtime.getTime();
  } catch {
    return undefined;
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}
