/**
 * The library's default for a warning no caller takes (no `onWarning`
 * given): one `warning:` line on stderr. One place, so every capability's
 * fallback reads the same.
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
  console.warn(`warning: ${message}`);
}
