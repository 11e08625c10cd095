/**
 * A count and its noun for messages: "1 file", "2 files", "1 pass".
 *
 * @module
 */

/**
 * `n` and `noun`, in its plural (default: `noun` + "s") unless `n` is 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { counted } from "./counted.ts";
 * assert.equal(counted(1, "file"), "1 file");
 * assert.equal(counted(0, "file"), "0 files");
 * assert.equal(counted(1, "pass", "passes"), "1 pass");
 * assert.equal(counted(3, "pass", "passes"), "3 passes");
 * ```
 */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
