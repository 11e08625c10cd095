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
  console.warn(inertLines(line));
}

/**
 * A line (or lines) for stderr that is not a warning, as given, its
 * control characters escaped as a warning line's are: the service's own
 * lines (`vc serve: the log callback threw …`), whose text is what a
 * caller's callback threw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineOnStderr } from "./warning_line.ts";
 *
 * const error = console.error;
 * const lines: unknown[] = [];
 * console.error = (line) => lines.push(line);
 * try {
 *   lineOnStderr("vc serve: the onExpired callback threw: no a\u202egnp.exe");
 * } finally {
 *   console.error = error;
 * }
 * assert.deepEqual(lines, ["vc serve: the onExpired callback threw: no a\\u202egnp.exe"]);
 * ```
 */
export function lineOnStderr(line: string): void {
  console.error(inertLines(line));
}

// Each line of `text` made printable: the line breaks vc put there stay.
function inertLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}

/**
 * A line vc says on its own behalf by default, `vc: ` and `line`, on
 * stderr as one line, its control characters (line breaks too) escaped: a
 * catalog's "waiting for …" line, which names a catalog's path or a
 * session's query from outside.
 * The default of every `onConnectWait` / `onLockWait`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sayOnStderr } from "./warning_line.ts";
 *
 * const error = console.error;
 * const lines: unknown[] = [];
 * console.error = (line) => lines.push(line);
 * try {
 *   sayOnStderr("waiting for the SQLite catalog /srv/a\x1b]0;x\x07.db");
 * } finally {
 *   console.error = error;
 * }
 * assert.deepEqual(lines, ["vc: waiting for the SQLite catalog /srv/a\\x1b]0;x\\x07.db"]);
 * ```
 */
export function sayOnStderr(line: string): void {
  // One line whatever it quotes: a line break in a catalog's path or a
  // session's query must not start a line of its own that looks like vc's.
  console.error(printable(`vc: ${line}`));
}
