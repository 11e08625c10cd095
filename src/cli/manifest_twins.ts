/**
 * Manifest paths that are Unicode twins (`café` with `é` precomposed, NFC,
 * and with `e` + a combining accent, NFD): `add` and `update` refuse to make
 * one, but a hand edit or a merge may. They are two assets (two keys), so
 * they are read as they are; a command that lists every entry warns of them
 * and prints them apart. A bucket may hold versions of both spellings (one
 * published from a macOS file name, one typed): `vc ls-remote` does the same.
 *
 * @module
 */
import { lookalikePairs, spelledApart } from "../unicode_spelling.ts";
import type { Output } from "./output.ts";

/**
 * Warns (through `out`, so `--quiet` drops it) when `paths` of `holder` (a
 * manifest file, or the bucket `vc ls-remote` lists) hold Unicode twins, and
 * gives how to show each path: a twin with its non-ASCII characters escaped,
 * so that its line is told from its twin's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { Output } from "./output.ts";
 * import { manifestPathsShown } from "./manifest_twins.ts";
 * const io = memoryIo();
 * const shown = manifestPathsShown(new Output(io), "m.json", ["/caf\u00e9", "/cafe\u0301", "/a"]);
 * assert.equal(shown("/cafe\u0301"), String.raw`/cafe\u0301`);
 * assert.equal(shown("/a"), "/a");
 * assert(io.stderr().includes(String.raw`"/caf\u00e9" and "/cafe\u0301" (NFC vs NFD)`));
 * ```
 */
export function manifestPathsShown(
  out: Output,
  holder: string,
  paths: readonly string[],
): (path: string) => string {
  const twins = lookalikePairs(paths);
  if (twins !== undefined) {
    out.warn(
      `${holder} has paths that look the same but are spelled differently in ` +
        `Unicode, so they are different assets: ${twins}`,
    );
  }
  return spelledApart(paths);
}
