/**
 * `withFlagNames` looked for the user's names in a message (quoted names,
 * paths) once per library option it knows, ~40 scans, even when the message
 * names no option at all: `vc prefill` of 50,000 missing items spent ~7 s
 * after the downloads ended on its failures' messages (~22 s at 100,000),
 * in silence. A message is now scanned only for the options it names.
 */
import { assertEquals } from "./assert.ts";
import { withFlagNames } from "../src/cli/errors.ts";

/** `fn()`'s result, and how many times it called `String.prototype.matchAll`. */
function countingScans<T>(fn: () => T): { result: T; scans: number } {
  const original = String.prototype.matchAll;
  let scans = 0;
  String.prototype.matchAll = function (this: string, ...args: [RegExp]) {
    scans++;
    return original.apply(this, args);
  } as typeof original;
  try {
    return { result: fn(), scans };
  } finally {
    String.prototype.matchAll = original;
  }
}

Deno.test("withFlagNames: a message naming no library option is not scanned for the user's names", () => {
  const message = "file:///data/f1.bin does not exist (it would be cached at /c/file/data/f1.bin)";
  const { result, scans } = countingScans(() => withFlagNames(message));
  assertEquals(result, message);
  assertEquals(scans, 0);
});
