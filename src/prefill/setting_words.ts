/**
 * How a prefill failure names the setting that would fix it: a script's
 * option (`prefill`'s `versioned`, `concurrency`) or `vc prefill`'s flag
 * (`--manifest`, `--concurrency`). The library says the option (a script
 * never typed a flag); the command line's `withFlagNames` (src/cli/errors.ts)
 * says the same failure with the flag, as it does every option the library
 * names.
 *
 * @module
 */

/** A versioned path with no manifest to resolve it: what to give, in each's words. */
export const NO_MANIFEST: { readonly option: string; readonly flag: string } = {
  option: "pass its VersionedCache in prefill's `versioned` option",
  flag: "name one with --manifest (with --list, vc prefill reads no manifest it is not given, " +
    "not even ./versioned_assets.json or VC_MANIFEST)",
};

/** A manifest read as a list of items: where a manifest goes instead, in each's words. */
export const LIST_GIVEN_MANIFEST: { readonly option: string; readonly flag: string } = {
  option: "give a manifest in prefill's `versioned` option (a VersionedCache of it)",
  flag: "give a manifest with --manifest",
};

/** Out of open files: what to lower, in each's words. */
export const OUT_OF_FILES: { readonly option: string; readonly flag: string } = {
  option: " (vc ran out of open files: lower prefill's `concurrency` option, or raise the " +
    "open-files limit, `ulimit -n`)",
  flag: " (vc ran out of open files: lower the concurrency, `--concurrency`, or raise the " +
    "open-files limit, `ulimit -n`)",
};
