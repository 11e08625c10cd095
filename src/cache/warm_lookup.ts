/**
 * A read-only look at the asset cache for one immutable object: its local
 * path when the cache would serve it right away (a fresh, verified record and
 * the cache's own data file), else `undefined`. It never downloads, never
 * asks a store and never repairs anything, so a caller that gets `undefined`
 * hands the request to {@linkcode AssetCache}, which decides everything else
 * (revalidation, downloads, errors).
 *
 * This is what the lean `vc path` entry uses instead of constructing an
 * `AssetCache` (whose module loads the download machinery's loaders): the
 * same public record functions (`CacheLayout`, `readEntryRecord`,
 * `lastUsedOf`, `markUsed`) and the same checks as the cache's own warm hit.
 *
 * @module
 */
import { CacheLayout } from "./layout.ts";
import {
  isOwnDataFile,
  lastUsedOf,
  markDue,
  markUsed,
  readEntryRecord,
  validationHolds,
} from "./entry_records.ts";
import { parseUri } from "../uri.ts";
import { holdsPinnedContent, type PinnedContent } from "./pinned_content.ts";

/** What {@linkcode warmLookup} needs. */
export interface WarmLookupOptions {
  /** Absolute cache directory. */
  cacheDir: string;
  /** The custom S3 endpoint in use, if any (it names the cache's S3 directory). */
  endpoint?: string | undefined;
  /** The content (size and SHA-256) a lock file pins, when it does. */
  integrity?: PinnedContent | undefined;
  /** The current time (ms since the epoch); default `Date.now()`. */
  now?: number;
}

/**
 * The local path of `uri` (an object of an immutable, versioned bucket) when
 * the cache holds a fresh copy of it, else `undefined`. A hit marks the entry
 * used (at most once a minute), as the cache does. Throws what the cache's
 * own checks throw (a record behind a symbolic link, an unsafe key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AssetCache } from "./asset_cache.ts";
 * import { warmLookup } from "./warm_lookup.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/x.csv`, "a,b\n");
 *   const uri = `file://${dir}/x.csv`;
 *   assert.equal(await warmLookup(uri, { cacheDir: `${dir}/cache` }), undefined);
 *   await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
 *   const local = await cache.cache(uri, { immutable: true });
 *   assert.equal(await warmLookup(uri, { cacheDir: `${dir}/cache` }), local);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function warmLookup(
  uri: string,
  options: WarmLookupOptions,
): Promise<string | undefined> {
  const parsed = parseUri(uri);
  if (parsed.scheme === "local") return undefined;
  const layout = new CacheLayout(
    options.cacheDir,
    options.endpoint === undefined ? {} : { endpoint: options.endpoint },
  );
  const loc = layout.locate(parsed);
  // As the cache reads records: never through a symbolic link.
  layout.assertSafeOnce(loc.journalPath);
  const found = readEntryRecord(loc);
  const meta = found?.meta;
  // An earlier version's record file is rewritten by the cache on use: its job.
  if (meta === undefined || meta.uri !== loc.uri || found?.legacyUsed !== undefined) {
    return undefined;
  }
  const now = options.now ?? Date.now();
  // Marked for revalidation, gone from the store, or validated "in the
  // future" (clock skew): the cache asks the store.
  if (!validationHolds(meta, now)) return undefined;
  // Pinned content: served only when the record says it was checked.
  if (!holdsPinnedContent(meta, options.integrity)) return undefined;
  let stat: Deno.FileInfo;
  try {
    // lstat: a data file replaced by a link is not a regular file: a miss.
    stat = Deno.lstatSync(loc.dataPath);
  } catch {
    return undefined; // missing, or unreadable: the cache reports it
  }
  if (!isOwnDataFile(stat, meta)) return undefined;
  if (markDue(lastUsedOf(stat), now, loc.dataPath)) await markUsed(loc.dataPath, now);
  return loc.dataPath;
}
