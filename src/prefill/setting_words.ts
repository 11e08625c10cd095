/**
 * How a prefill failure names the setting that would fix it: a script's
 * option (`prefill`'s `versioned`, `concurrency`) or `vc prefill`'s flag
 * (`--manifest`, `--concurrency`). The library says the option (a script
 * never typed a flag); {@linkcode flagWorded} says the same failure with the
 * flag, for the command line.
 *
 * @module
 */

/** A versioned path with no manifest to resolve it: what to give, in each's words. */
export const NO_MANIFEST: { readonly option: string; readonly flag: string } = {
  option: "pass its VersionedCache in prefill's `versioned` option",
  flag: "name one with --manifest (with --list, vc prefill reads no manifest it is not given, " +
    "not even ./versioned_assets.json or VC_MANIFEST)",
};

/** Out of open files: what to lower, in each's words. */
export const OUT_OF_FILES: { readonly option: string; readonly flag: string } = {
  option: " (vc ran out of open files: lower prefill's `concurrency` option, or raise the " +
    "open-files limit, `ulimit -n`)",
  flag: " (vc ran out of open files: lower the concurrency, `--concurrency`, or raise the " +
    "open-files limit, `ulimit -n`)",
};

/**
 * A prefill failure's message as `vc prefill` says it: the option named at
 * its end ({@linkcode NO_MANIFEST}, {@linkcode OUT_OF_FILES}) becomes the
 * flag; any other message is returned as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagWorded, OUT_OF_FILES } from "./setting_words.ts";
 * assert.equal(flagWorded(`too many open files${OUT_OF_FILES.option}`), `too many open files${OUT_OF_FILES.flag}`);
 * assert.equal(flagWorded("not found"), "not found");
 * ```
 */
export function flagWorded(error: string): string {
  for (const words of [NO_MANIFEST, OUT_OF_FILES]) {
    if (error.endsWith(words.option)) {
      return error.slice(0, error.length - words.option.length) + words.flag;
    }
  }
  return error;
}
