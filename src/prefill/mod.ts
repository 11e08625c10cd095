/**
 * Prefill (`@vc/vc/prefill`): {@linkcode prefill} fills an asset cache (and
 * the manifests of versioned caches) in parallel; {@linkcode readListFile}
 * and {@linkcode parsePrefillItem} read the list files `vc prefill --list`
 * takes (one URI or versioned path per line, `#` comments), and
 * {@linkcode readListEntries} keeps each item's file and line, which the
 * failures of a prefill of its entries then name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AssetCache } from "../cache/asset_cache.ts";
 * import { prefill, readListFile } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${root}/a.csv`, "a");
 *   await Deno.writeTextFile(`${root}/list.txt`, `# assets\nfile://${root}/a.csv\n`);
 *   const uris = await readListFile(`${root}/list.txt`);
 *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
 *   const summary = await prefill({ cache, uris });
 *   assert.equal(summary.failed.length, 0);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 *
 * @module
 */
export { DEFAULT_PREFILL_CONCURRENCY, prefill, PrefillInterruptedError } from "./prefill.ts";
export type {
  PrefillFailure,
  PrefillKeptPartial,
  PrefillOptions,
  PrefillProgress,
  PrefillSummary,
} from "./prefill.ts";
export { listEntries, parsePrefillItem, readListEntries, readListFile } from "./list_file.ts";
export type {
  PrefillItem,
  PrefillListEntries,
  PrefillListEntry,
  ReadListOptions,
} from "./list_file.ts";
