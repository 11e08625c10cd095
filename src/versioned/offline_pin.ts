/**
 * What an offline read of a version that is not cached says beyond the
 * cache's own message (a bucket URI and where its copy would be): which
 * entry and version that is, whether the manifest pins it (a teammate's
 * `vc update`, pulled since the last download, moved the pin), the call
 * that caches every pinned version while online, and the versions of the
 * path that are cached, which can be read offline instead.
 *
 * @module
 */
import type { AssetCache } from "../cache/asset_cache.ts";
import { PREFILL, RESOLVE_PATH } from "../command_words.ts";
import { OfflineError } from "../errors.ts";
import { basename, dirname, join } from "../path.ts";
import { parseVersionedKey } from "./naming.ts";
import { sortVersions } from "./version.ts";

/**
 * The versions of `path` other than `version` whose copies sit cached
 * beside the copy `uri` (the version's object) would have: a directory read
 * and a record lookup each, no request. Newest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AssetCache } from "../cache/asset_cache.ts";
 * import { cachedVersions } from "./offline_pin.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${root}/d`);
 *   await Deno.writeTextFile(`${root}/d/a.1.0.0.csv`, "a");
 *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
 *   await cache.cache(`file://${root}/d/a.1.0.0.csv`);
 *   assert.deepEqual(cachedVersions(cache, `file://${root}/d/a.1.1.0.csv`, "/d/a.csv", "1.1.0"), ["1.0.0"]);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export function cachedVersions(
  cache: AssetCache,
  uri: string,
  path: string,
  version: string,
): string[] {
  const dir = dirname(cache.localPath(uri));
  const name = `/${basename(path)}`;
  const found = new Set<string>();
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync(dir);
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!entry.isFile) continue;
    const key = parseVersionedKey(entry.name);
    if (key === undefined || key.path !== name || key.version === version) continue;
    // A file with a record of its own: a cached copy, not a partial.
    if (cache.copyRecord(join(dir, entry.name)) !== undefined) found.add(key.version);
  }
  return sortVersions(found).reverse();
}

/**
 * `error` (the cache's offline miss of `version` of `path`) with the entry,
 * the manifest's pin and the ways on said after it; `pinned` is the version
 * `manifest` pins (`undefined` when it pins none, or an override).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OfflineError } from "../errors.ts";
 * import { offlineMiss } from "./offline_pin.ts";
 * const e = offlineMiss(new OfflineError("x is not cached"), {
 *   path: "/a.csv", version: "1.1.0", pinned: "1.1.0", manifest: "m.json", cached: ["1.0.0"],
 * });
 * assert.match(e.message, /it is \/a\.csv 1\.1\.0, pinned in m\.json/);
 * assert.match(e.message, /the cache holds 1\.0\.0 of \/a\.csv/);
 * ```
 */
export function offlineMiss(
  error: OfflineError,
  about: {
    path: string;
    version: string;
    pinned: string | undefined;
    manifest: string;
    cached: readonly string[];
  },
): OfflineError {
  const { path, version, pinned, manifest, cached } = about;
  const entry = pinned === version
    ? `; it is ${path} ${version}, pinned in ${manifest}: ${PREFILL.library} online caches every pinned version`
    : `; it is ${path} ${version}`;
  const held = cached.length === 0
    ? ""
    : `; the cache holds ${cached.slice(0, 5).join(", ")}${
      cached.length > 5 ? ` and ${cached.length - 5} more` : ""
    } of ${path}, which ${RESOLVE_PATH.library} of that version reads offline`;
  return new OfflineError(`${error.message}${entry}${held}`, { cause: error });
}
