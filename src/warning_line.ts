import { printable } from "./printable.ts";

/**
 * The library's default for a warning no caller takes (no `onWarning`
 * given): one `warning:` line on stderr. One place, so every capability's
 * fallback reads the same. A warning names keys and URIs from outside (a
 * bucket's listing): their control characters are shown escaped
 * ({@linkcode printable}), as on every line the CLI prints, so a key
 * holding a terminal sequence does not act on the caller's terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { warnOnStderr } from "./warning_line.ts";
 *
 * const warn = console.warn;
 * const lines: unknown[] = [];
 * console.warn = (line) => lines.push(line);
 * try {
 *   warnOnStderr("the file system gives no file locks");
 * } finally {
 *   console.warn = warn;
 * }
 * assert.deepEqual(lines, ["warning: the file system gives no file locks"]);
 * ```
 */
export function warnOnStderr(message: string): void {
  warnLineOnStderr(`warning: ${message}`);
}

/**
 * One warning line on stderr as given (it says `vc: ` or `warning: ` itself),
 * its control characters escaped: the default of a warning callback whose
 * messages bring their own prefix (the asset cache's).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { warnLineOnStderr } from "./warning_line.ts";
 *
 * const warn = console.warn;
 * const lines: unknown[] = [];
 * console.warn = (line) => lines.push(line);
 * try {
 *   warnLineOnStderr("vc: serving the cached copy of s3://b/a\x1b[2J.csv");
 * } finally {
 *   console.warn = warn;
 * }
 * assert.deepEqual(lines, ["vc: serving the cached copy of s3://b/a\\x1b[2J.csv"]);
 * ```
 */
export function warnLineOnStderr(line: string): void {
  console.warn(line.split("\n").map(printable).join("\n"));
}
