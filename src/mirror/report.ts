/**
 * Mirror reports: how failures are described.
 *
 * @module
 */
import type { MirrorFailure } from "./types.ts";

// Why either can happen with nothing else writing the target: a bucket (aws
// s3 cp and rclone write such keys) can hold "a" and "a/b" at once.
const BOTH_KEYS = '(a bucket may hold keys "a" and "a/b" at once, a file system cannot)';

/**
 * A failure entry for `key`, saying "vanished" or "unreadable" when the
 * error says so, and what is in the way of a file that cannot be written:
 * the system's own words name only vc's temp file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failure } from "./report.ts";
 * const f = failure("a", "/x/a", new Deno.errors.NotFound("gone"));
 * assert(f.error.startsWith("vanished"));
 * const d = failure("a/b", "/x/a/b", new Deno.errors.NotADirectory("Not a directory"));
 * assert(d.error.startsWith("in the way: a file is where one of its directories belongs"));
 * ```
 */
export function failure(key: string, path: string, error: unknown): MirrorFailure {
  let text = message(error);
  if (error instanceof Deno.errors.NotFound) text = `vanished: ${text}`;
  else if (error instanceof Deno.errors.PermissionDenied) text = `unreadable: ${text}`;
  else if (error instanceof Deno.errors.NotADirectory) {
    text = `in the way: a file is where one of its directories belongs ${BOTH_KEYS}: ${text}`;
  } else if (error instanceof Deno.errors.IsADirectory) {
    text = `in the way: a directory with files is where this file goes ${BOTH_KEYS}: ${text}`;
  }
  return { key, path, error: text };
}

/**
 * The message of an error (or the value as text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { message } from "./report.ts";
 * assert.equal(message(new Error("x")), "x");
 * ```
 */
export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
