/**
 * Parsing of the sizes and durations users type (`10GB`, `30d`), with errors
 * that name the flag and the accepted forms.
 *
 * @module
 */
import { capitalMNote, durationMs } from "../duration.ts";
import { LARGEST_SIZE, parseSizeText, sizeTooLarge } from "../size.ts";
import { UsageError } from "./errors.ts";

/**
 * Parses a size such as `10GB`, `1.5 GiB`, `500M` or `1024` (bytes) into
 * bytes. Decimal units (kB, MB, GB, TB, PB) are powers of 1000, binary ones (KiB,
 * MiB, GiB, TiB, PiB) of 1024. A fraction of a byte (`0.5`, `1.5B`: most
 * likely a unit left out) is refused, not rounded down; a fraction of a
 * larger unit is rounded down to whole bytes (`1.2GiB`). `flag` names the
 * flag in the error message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSize } from "./units.ts";
 * assert(parseSize("10GB") === 10_000_000_000);
 * assert(parseSize("1.5 GiB") === 1.5 * 2 ** 30);
 * assert(parseSize("0") === 0);
 * assert.throws(() => parseSize("0.5", "--max-size"), /--max-size must be a whole number of bytes/);
 * assert(parseSize("1.2GiB") === 1288490188);
 * ```
 */
export function parseSize(text: string, flag = "size"): number {
  const size = parseSizeText(text);
  if (size === undefined && sizeTooLarge(text)) {
    throw new UsageError(`${flag}: size "${text}" is too large`, {
      hint: LARGEST_SIZE,
    });
  }
  if (size === undefined) {
    throw new UsageError(`${flag}: invalid size "${text}"`, {
      hint: "use a number with an optional unit: 500MB, 10GB, 2GiB, 1TB",
    });
  }
  // Rounded down, `cache prune --max-size 0.5` (0.5 GB, its unit left out)
  // was 0 bytes and pruned the whole cache.
  if (!size.whole) {
    const bare = /^\s*\d+\.\d+\s*$/.test(text);
    throw new UsageError(`${flag} must be a whole number of bytes, got "${text}"`, {
      hint: bare
        ? `a bare number is bytes: give a unit, e.g. ${text.trim()}GB or ${text.trim()}GiB`
        : "a fraction of a byte is no size: give whole bytes or a larger unit, e.g. 1.5KB",
    });
  }
  return size.bytes;
}

/**
 * Parses a duration such as `30d`, `12h`, `15m`, `45s`, `500ms` or `1h30m`
 * into milliseconds. A bare `0` is allowed (it means "always" for timeouts);
 * other bare numbers are rejected because the unit would be a guess.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./units.ts";
 * assert(parseDuration("30d") === 30 * 86_400_000);
 * assert(parseDuration("1h30m") === 90 * 60_000);
 * assert(parseDuration("0") === 0);
 * ```
 */
export function parseDuration(text: string, flag = "duration"): number {
  const trimmed = text.trim();
  if (/^0+(\.0+)?$/.test(trimmed)) return 0;
  if (trimmed === "") {
    throw new UsageError(`${flag}: empty duration`, { hint: "e.g. 30d, 12h, 15m" });
  }
  const ms = durationMs(trimmed);
  if (ms === undefined) {
    throw new UsageError(`${flag}: invalid duration "${text}"`, {
      hint: capitalMNote(trimmed) ??
        "use a number with a unit: 500ms, 45s, 15m, 12h, 30d, 2w (or 1h30m)",
    });
  }
  return Math.round(ms);
}
