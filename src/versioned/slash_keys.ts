/**
 * Versions stored under a key with a leading `/`. vc publishes `/foo/bar.csv`
 * at `1.2.5` as `foo/bar.1.2.5.csv` (the canonical key), but baiji-pod and
 * other tools may have written `/foo/bar.1.2.5.csv`, which S3 keeps as a
 * different key. vc reads both:
 *
 * - listing (`versions`, `ls-remote`) finds versions under either key, each
 *   version once;
 * - reading a pinned version (`path`, `cat`, `sync`, `prefill`, `verify`,
 *   `lock`) uses the canonical key when it exists, else the `/` key. When
 *   both exist, the canonical key wins, always: the `/` key is only looked at
 *   after the canonical one was not found. So a slash-only version costs one
 *   request (the canonical miss) per read, even when its copy is cached.
 * - publishing (`add`, `update`) writes the canonical key only;
 * - `path-remote` (`VersionedCache.locate`) names the key a read uses.
 *
 * A directory store (`file://`) cannot hold such keys and has none; its `/`
 * listings are empty.
 *
 * @module
 */
import { addVersion, adoptPath } from "../command_words.ts";
import type { AssetCache, CacheGetOptions } from "../cache/asset_cache.ts";
import { InvalidInputError, NotFoundError, OfflineError } from "../errors.ts";
import { compareUtf8 } from "../utf8.ts";
import { requireStore } from "../store/store_check.ts";
import type { ListOptions, ObjectInfo, ObjectStore } from "../store/types.ts";
import { joinUri } from "../uri.ts";
import {
  type ForeignVersion,
  foreignVersionOf,
  leftoverVersionedKey,
  oversizedVersionPath,
  parseVersionedKey,
  plainSpelling,
  startedVersionKey,
  type VersionedKey,
  versionedKey,
  versionPrefix,
} from "./naming.ts";
import { compareVersions } from "./version.ts";

/**
 * The other key a version may be stored under: the canonical key with a
 * leading `/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slashedKey } from "./slash_keys.ts";
 * assert.equal(slashedKey("foo/bar.1.2.5.csv"), "/foo/bar.1.2.5.csv");
 * ```
 */
export function slashedKey(key: string): string {
  return `/${key}`;
}

/**
 * The URI of the `/` key of `key` under `bucket`, for `s3://` buckets only
 * (a directory bucket cannot hold such keys: `undefined`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slashedUri } from "./slash_keys.ts";
 * assert.equal(slashedUri("s3://b/pre", "foo/bar.1.0.0.csv"), "s3://b/pre//foo/bar.1.0.0.csv");
 * assert.equal(slashedUri("file:///srv/assets", "foo/bar.1.0.0.csv"), undefined);
 * ```
 */
export function slashedUri(bucket: string, key: string): string | undefined {
  return /^s3:\/\//i.test(bucket) ? joinUri(bucket, slashedKey(key)) : undefined;
}

/**
 * Runs `read` on each candidate in order and returns the first result that is
 * not a `NotFoundError`. A later candidate the store refuses as a key
 * (`InvalidInputError`: it cannot hold it) counts as not found. When none is
 * found, throws the first candidate's `NotFoundError`; any other error is
 * thrown as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstFound } from "./slash_keys.ts";
 * import { NotFoundError } from "../errors.ts";
 * const tried: string[] = [];
 * const read = (key: string) => {
 *   tried.push(key);
 *   return key === "/a" ? Promise.resolve("slash") : Promise.reject(new NotFoundError(key));
 * };
 * assert.equal(await firstFound(["a", "/a"], read), "slash");
 * assert.deepEqual(tried, ["a", "/a"]);
 * await assert.rejects(() => firstFound(["b", "/b"], read), { message: "b" });
 * ```
 */
export async function firstFound<T>(
  candidates: readonly string[],
  read: (candidate: string) => Promise<T>,
): Promise<T> {
  let notFound: NotFoundError | undefined;
  for (const [i, candidate] of candidates.entries()) {
    try {
      return await read(candidate);
    } catch (error) {
      const missing = error instanceof NotFoundError ||
        (i > 0 && error instanceof InvalidInputError);
      if (!missing) throw error;
      notFound ??= error as NotFoundError;
    }
  }
  throw notFound ?? new NotFoundError("nothing to read");
}

/**
 * A local copy of a versioned asset through the asset cache: `uri` (the
 * canonical key), else `slashedUri` when `uri` does not exist. Throws the
 * canonical key's `NotFoundError` when neither exists. A cache hit on `uri`
 * costs nothing more. Offline (`OfflineError` for `uri`), a cached copy of
 * `slashedUri` is served.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheVersioned } from "./slash_keys.ts";
 * import { NotFoundError } from "../errors.ts";
 * const cache = {
 *   localPath: (uri: string) => `/nonexistent${uri.slice(4)}`,
 *   cache: (uri: string) =>
 *     uri === "s3://b//a.1.0.0.csv"
 *       ? Promise.resolve("/cache/s3/b/%_/a.1.0.0.csv")
 *       : Promise.reject(new NotFoundError(`${uri} does not exist`)),
 * };
 * const asset = { uri: "s3://b/a.1.0.0.csv", slashedUri: "s3://b//a.1.0.0.csv", immutable: true };
 * assert.equal(await cacheVersioned(cache, asset), "/cache/s3/b/%_/a.1.0.0.csv");
 * await assert.rejects(
 *   () => cacheVersioned(cache, { ...asset, slashedUri: undefined }),
 *   /s3:\/\/b\/a.1.0.0.csv does not exist/,
 * );
 * ```
 */
export function cacheVersioned(
  cache: Pick<AssetCache, "cache" | "localPath">,
  asset:
    & {
      uri: string;
      slashedUri?: string | undefined;
      storeRoot?: string | undefined;
      immutable: boolean;
    }
    & Pick<
      CacheGetOptions,
      "integrity"
    >,
  options: Omit<CacheGetOptions, "immutable" | "integrity"> = {},
): Promise<string> {
  const get: CacheGetOptions = { ...options, immutable: asset.immutable };
  if (asset.storeRoot !== undefined) get.storeRoot = asset.storeRoot;
  if (asset.integrity !== undefined) get.integrity = asset.integrity;
  return orSlashed(cache, cache.cache(asset.uri, get), asset.slashedUri, get);
}

/**
 * `first` (the canonical key's copy, asked for with `get`), else, when the
 * canonical key does not exist, the copy of `slashed` (its `/` key) through
 * `cache.cache` with the same options: {@linkcode cacheVersioned}'s fallback,
 * for a caller that asked for the canonical key its own way (prefill,
 * through the asset cache's per-item entry). `first` as it is when
 * `slashed` is `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orSlashed } from "./slash_keys.ts";
 * import { NotFoundError } from "../errors.ts";
 * const cache = {
 *   localPath: (uri: string) => `/nonexistent${uri.slice(4)}`,
 *   cache: (uri: string) => Promise.resolve(`/cache/${uri.slice(5)}`),
 * };
 * const missing = Promise.reject(new NotFoundError("s3://b/a.1.0.0.csv does not exist"));
 * assert.equal(await orSlashed(cache, missing, "s3://b//a.1.0.0.csv", {}), "/cache/b//a.1.0.0.csv");
 * ```
 */
export function orSlashed(
  cache: Pick<AssetCache, "cache" | "localPath">,
  first: Promise<string>,
  slashed: string | undefined,
  get: CacheGetOptions,
): Promise<string> {
  if (slashed === undefined) return first;
  return first.catch(async (error) => {
    if (error instanceof OfflineError) {
      // Offline (or unreachable), the canonical key cannot be asked. A cached
      // copy of the `/` key was read because the canonical key did not exist,
      // so it is served, as any cached copy is; nothing cached: the error.
      const cached = await Deno.stat(cache.localPath(slashed)).catch(() => undefined);
      if (!cached?.isFile) throw error;
      return await cache.cache(slashed, get).catch(() => Promise.reject(error));
    }
    if (!(error instanceof NotFoundError)) throw error;
    return await cache.cache(slashed, get).catch((second) => {
      throw second instanceof NotFoundError ? error : second;
    });
  });
}

/**
 * The key `path` at `version` is stored under in `store` (the canonical key,
 * else the `/` one) with its metadata, or `undefined` when neither exists.
 * One HEAD, two when the canonical key is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headVersion } from "./slash_keys.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * await store.put("/a/b.1.0.0.csv", new TextEncoder().encode("slash"));
 * assert.equal((await headVersion(store, "/a/b.csv", "1.0.0"))?.key, "/a/b.1.0.0.csv");
 * await store.put("a/b.1.0.0.csv", new TextEncoder().encode("canonical"));
 * assert.equal((await headVersion(store, "/a/b.csv", "1.0.0"))?.key, "a/b.1.0.0.csv");
 * assert.equal(await headVersion(store, "/a/b.csv", "2.0.0"), undefined);
 * ```
 */
export async function headVersion(
  store: ObjectStore,
  path: string,
  version: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ key: string; info: ObjectInfo } | undefined> {
  requireStore("headVersion(): the store", store);
  const key = versionedKey(path, version);
  try {
    return await firstFound([key, slashedKey(key)], async (k) => {
      const info = await store.head(k, options);
      if (info === undefined) throw new NotFoundError(k);
      return { key: k, info };
    });
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * Every version of exactly `path` (a normalized versioned path) in `store`,
 * each with the key it is read from (the canonical key when both exist), in
 * no particular order. Lists the name prefix with and without a leading `/`
 * at once: one LIST per 1000 keys of each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listVersionKeys } from "./slash_keys.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * for (const key of ["a/b.1.0.0.csv", "/a/b.1.0.0.csv", "/a/b.2.0.0.csv", "/a/bc.3.0.0.csv"]) {
 *   await store.put(key, new Uint8Array());
 * }
 * const found = await listVersionKeys(store, "/a/b.csv");
 * assert.deepEqual([...found].sort(), [["1.0.0", "a/b.1.0.0.csv"], ["2.0.0", "/a/b.2.0.0.csv"]]);
 * ```
 */
export async function listVersionKeys(
  store: ObjectStore,
  path: string,
  options: {
    signal?: AbortSignal;
    /**
     * Called for each key shaped as a version of `path` with a part too large
     * to order; without it, such a key (under either prefix) is refused with
     * an `InvalidInputError`.
     */
    onOversized?: (warning: { key: string; message: string }) => void;
    /**
     * Called for each key shaped as a version of `path` that vc does not read:
     * build metadata, a `v` prefix or a leading zero (`x.2.0.0+ci.7.csv`,
     * `x.v2.0.0.csv`, `x.02.0.0.csv`; a pre-release, `x.2.0.0-rc.1.csv`, is a
     * version, listed); or inside a folder named as the key of a version the
     * bucket does not hold under either key (`x.3.0.0.csv/x.csv`), those once
     * both listings are done.
     */
    onForeign?: (found: ForeignVersion & { key: string }) => void;
    /**
     * Called for each key that starts with the key of a version of `path` and
     * goes on (`x.1.5.0.csv.bak`, see `leftoverVersionedKey`): no version.
     */
    onLeftover?: (key: string) => void;
    /**
     * Called for each key that is exactly a version of another path yet
     * starts with the key of a version of `path` and goes on (`x.1.6.0.csv~`,
     * `/x.csv~` at 1.6.0, see `startedVersionKey`): an editor's backup
     * uploaded by mistake, to vc as to baiji-pod a version of that other path.
     */
    onOtherPathsVersion?: (key: string, as: VersionedKey) => void;
    /** Called for each key listed under either prefix, a version or not (for progress). */
    onListed?: () => void;
  } = {},
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const [version, info] of await listVersionObjects(store, path, options)) {
    found.set(version, info.key);
  }
  return found;
}

/**
 * {@linkcode listVersionKeys}, each version with what the listing tells of
 * its object (key, size, last modified; an ETag where the store knows it
 * without reading the content, else `""`): enough to pass over the versions
 * of another size without a request each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listVersionObjects } from "./slash_keys.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * await store.put("a/b.1.0.0.csv", new Uint8Array(3));
 * const found = await listVersionObjects(store, "/a/b.csv");
 * assert.equal(found.get("1.0.0")?.size, 3);
 * ```
 */
export async function listVersionObjects(
  store: ObjectStore,
  path: string,
  options: Parameters<typeof listVersionKeys>[2] = {},
): Promise<Map<string, ObjectInfo>> {
  requireStore("listVersionKeys(): the store", store);
  const prefix = versionPrefix(path);
  // Without a caller to warn, an oversized key is refused once both listings
  // are done: thrown from the `/` listing, its InvalidInputError would read as
  // a store that cannot hold `/` keys, and an update would publish below it.
  let oversized: string | undefined;
  // A key in a folder named as a version's key is told once both listings
  // are done: beside a version the other listing holds (`d/x.1.0.0.csv/…`
  // beside `/d/x.1.0.0.csv`) it is a folder like any other, not a version to
  // copy over the one vc reads.
  const inFolders: Array<ForeignVersion & { key: string }> = [];
  const onForeign = options.onForeign;
  const listing = {
    ...options,
    onOversized: options.onOversized ??
      ((warning: { key: string; message: string }) => void (oversized ??= warning.message)),
    ...(onForeign === undefined ? {} : {
      onForeign: (found: ForeignVersion & { key: string }) =>
        found.folder === undefined ? onForeign(found) : void inFolders.push(found),
    }),
  };
  const [canonical, slashed] = await Promise.all([
    versionsUnder(store, prefix, path, listing),
    // A store that cannot hold `/` keys (FsStore lists none; another might refuse) has none.
    versionsUnder(store, slashedKey(prefix), path, listing).catch((error) => {
      if (error instanceof InvalidInputError) return new Map<string, ObjectInfo>();
      throw error;
    }),
  ]);
  if (oversized !== undefined) throw new InvalidInputError(oversized);
  for (const [version, key] of slashed) if (!canonical.has(version)) canonical.set(version, key);
  for (const found of inFolders) if (!canonical.has(found.version)) onForeign?.(found);
  return canonical;
}

/**
 * What to say of `key`, shaped as a version of `path` with a part too large
 * to order (past 2^53 − 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oversizedKeyMessage } from "./slash_keys.ts";
 * assert.match(oversizedKeyMessage("x.9007199254740993.0.0.csv", "/x.csv"), /cannot order/);
 * ```
 */
export function oversizedKeyMessage(key: string, path: string): string {
  return `${key} in the bucket is a version of ${path} with a part larger than ` +
    `${Number.MAX_SAFE_INTEGER}, which vc cannot order against the others (an update would ` +
    "publish below it): rename or remove that key";
}

/** How many leftover keys {@linkcode leftoverKeysMessage} names. */
const LEFTOVERS_NAMED = 3;

/**
 * One line for `keys` (at least one), each starting with the key of a version
 * and going on (`x.1.5.0.csv.bak`, see `leftoverVersionedKey` in naming.ts),
 * which a listing of `path` (or of the whole bucket, without one) passed
 * over: their count and the first three.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leftoverKeysMessage } from "./slash_keys.ts";
 * const keys = ["x.1.5.0.csv.bak", "x.1.6.0.csv.tmp", "x.1.7.0.csv.part", "x.1.8.0.csv.swp"];
 * assert.match(leftoverKeysMessage(keys, "/x.csv"), /^skipped 4 keys .*x\.1\.7\.0\.csv\.part and 1 more/);
 * ```
 */
export function leftoverKeysMessage(keys: readonly string[], path?: string): string {
  const named = keys.slice(0, LEFTOVERS_NAMED).join(", ");
  const more = keys.length > LEFTOVERS_NAMED ? ` and ${keys.length - LEFTOVERS_NAMED} more` : "";
  const of = path === undefined ? "a version" : `a version of ${path}`;
  const [noun, start, go] = keys.length === 1 ? ["key", "starts", "goes"] : ["keys", "start", "go"];
  return `skipped ${keys.length} ${noun} that ${start} with the key of ${of} and ${go} on ` +
    `(${named}${more}): not versions (a backup or partial copy?), never listed or pinned`;
}

/**
 * One line for `found` (at least one): keys whose file name is a version's
 * under a path vc cannot read (`data//x.1.0.0.csv`, see
 * `unreadableVersionedKey` in naming.ts), which a listing of the whole bucket
 * passed over: their count, and the first three with each one's version and
 * the rule it breaks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unreadableKeysMessage } from "./slash_keys.ts";
 * const found = [{ key: "d//x.1.0.0.csv", version: "1.0.0", problem: "it contains an empty segment (//)" }];
 * assert.match(unreadableKeysMessage(found), /^skipped 1 key .*d\/\/x\.1\.0\.0\.csv \(1\.0\.0: it contains/);
 * ```
 */
export function unreadableKeysMessage(
  found: ReadonlyArray<{ key: string; version: string; problem: string }>,
): string {
  const named = found.slice(0, LEFTOVERS_NAMED).map((f) => `${f.key} (${f.version}: ${f.problem})`)
    .join(", ");
  const more = found.length > LEFTOVERS_NAMED ? ` and ${found.length - LEFTOVERS_NAMED} more` : "";
  const [noun, has, it] = found.length === 1 ? ["key", "has", "it"] : ["keys", "have", "each"];
  return `skipped ${found.length} ${noun} that ${has} a version's file name under no path vc ` +
    `reads (${named}${more}): never listed or pinned; copy ${it} to a key without that ` +
    "segment or character to list it as a version";
}

/**
 * One line for `keys` (at least one), each exactly a version of another path
 * that starts with the key of a version of `path` and goes on (`x.1.6.0.csv~`
 * of `/x.csv`, see `startedVersionKey` in naming.ts), which a listing of
 * `path` passed over: their count, the first three and what each is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { otherPathsKeysMessage } from "./slash_keys.ts";
 * const found = [{ key: "x.1.6.0.csv~", path: "/x.csv~", version: "1.6.0" }];
 * assert.match(otherPathsKeysMessage(found, "/x.csv"), /^x\.1\.6\.0\.csv~ \(\/x\.csv~ at 1\.6\.0\) starts with/);
 * ```
 */
export function otherPathsKeysMessage(
  found: ReadonlyArray<VersionedKey & { key: string }>,
  path: string,
): string {
  const named = found.slice(0, LEFTOVERS_NAMED).map((f) => `${f.key} (${f.path} at ${f.version})`)
    .join(", ");
  const more = found.length > LEFTOVERS_NAMED ? ` and ${found.length - LEFTOVERS_NAMED} more` : "";
  const [start, go, it, a] = found.length === 1
    ? ["starts", "goes", "it is", "a version"]
    : ["start", "go", "they are", "versions"];
  return `${named}${more} ${start} with the key of a version of ${path} and ${go} on: ${it} ` +
    `${a} of another path, as baiji-pod reads ${it === "it is" ? "it" : "them"}, not of ${path} ` +
    "(an editor's backup uploaded by mistake?)";
}

/**
 * The keys among `keys` that start with the key of `version` of `path` and
 * go on (`x.1.5.0.csv.bak`, `x.1.6.0.csv~`: see `startedVersionKey` in
 * naming.ts), as a clause for the error that `version` does not exist, or
 * `undefined`: a version renamed away, or uploaded under a backup's name,
 * whose bytes are likely still there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renamedVersionHint } from "./slash_keys.ts";
 * const hint = renamedVersionHint("/x.csv", "1.6.0", ["x.1.6.0.csv~", "x.1.5.0.csv.bak"]);
 * assert.match(hint ?? "", /holds x\.1\.6\.0\.csv~ \(\/x\.csv~ at 1\.6\.0\).*copy it to x\.1\.6\.0\.csv/);
 * assert.equal(renamedVersionHint("/x.csv", "1.7.0", ["x.1.6.0.csv~"]), undefined);
 * ```
 */
export function renamedVersionHint(
  path: string,
  version: string,
  keys: readonly string[],
): string | undefined {
  const found = keys.filter((k) => {
    const started = startedVersionKey(k);
    return started?.path === path && started.version === version;
  });
  if (found.length === 0) return undefined;
  const say = (k: string) => {
    const as = parseVersionedKey(k);
    return as === undefined ? k : `${k} (${as.path} at ${as.version})`;
  };
  const named = found.slice(0, MAX_NAMED_SPELLINGS).map(say).join(", ");
  const more = found.length > MAX_NAMED_SPELLINGS
    ? ` and ${found.length - MAX_NAMED_SPELLINGS} more`
    : "";
  const [them, start] = found.length === 1 ? ["it", "starts"] : ["that one", "start"];
  return `the bucket holds ${named}${more}, which ${start} with its key and ` +
    `${found.length === 1 ? "goes" : "go"} on (renamed away, or a backup?): if ${
      found.length === 1 ? "it holds" : "one holds"
    } ${version} of ${path}, copy ${them} to ${versionedKey(path, version)}`;
}

/**
 * What to say of `key`, shaped as `foreign`, a version of `path` that semver
 * orders and vc neither lists nor publishes; for a key in a folder named as a
 * version's key, `more` is how many other keys that folder holds (said in the
 * same warning: one a folder, not one a key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignKeyMessage } from "./slash_keys.ts";
 * const found = { version: "2.0.0+ci.7", base: "2.0.0", prerelease: false };
 * assert.match(foreignKeyMessage("x.2.0.0+ci.7.csv", "/x.csv", found), /build metadata/);
 * const inFolder = { version: "3.0.0", base: "3.0.0", prerelease: false, folder: "x.3.0.0.csv" };
 * assert.match(foreignKeyMessage("x.3.0.0.csv/x.csv", "/x.csv", inFolder), /copy it to x\.3\.0\.0\.csv/);
 * assert.match(
 *   foreignKeyMessage("x.3.0.0.csv/a.csv", "/x.csv", inFolder, 2),
 *   /^x\.3\.0\.0\.csv\/a\.csv and 2 more keys in the bucket are inside .*copy the one that holds 3\.0\.0 to/,
 * );
 * ```
 */
export function foreignKeyMessage(
  key: string,
  path: string,
  foreign: ForeignVersion,
  more = 0,
): string {
  if (foreign.folder !== undefined) {
    const [keys, are, copy] = more === 0 ? [key, "is", "it"] : [
      `${key} and ${more} more ${more === 1 ? "key" : "keys"}`,
      "are",
      "the one that holds " +
      foreign.version,
    ];
    return `${keys} in the bucket ${are} inside a folder named ${foreign.folder}, the key of ` +
      `version ${foreign.version} of ${path} (an upload to a location ending in /), which vc ` +
      `does not list or read (baiji-pod's listing did): copy ${copy} to ${foreign.folder} to ` +
      "make it that version; `add` and `update` warn when they publish a version at or below it";
  }
  return `${key} in the bucket is shaped as version ${foreign.version} of ${path}, which vc ` +
    "does not list or read (versions are MAJOR.MINOR.PATCH or a pre-release of one, without a " +
    "leading zero, build metadata or a v prefix); `add` and `update` warn when they publish a " +
    "version that semver orders at or below it";
}

/**
 * A warning when semver orders `version` (being published) at or below one of
 * `foreign`, the keys shaped as versions of `path` that vc does not list: the
 * new version is vc's latest but not the latest for a tool that reads such
 * keys (npm's `semver`: `1.0.1` < `v2.0.0-rc.1`). Not an error: a patch of
 * 1.x beside another tool's 2.0.0 release candidate is ordinary semver practice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignAboveMessage } from "./slash_keys.ts";
 * // Another tool's release candidate (a `v` prefix: `x.2.0.0-rc.1.csv` is a version vc lists).
 * const rc = { key: "x.v2.0.0-rc.1.csv", version: "v2.0.0-rc.1", base: "2.0.0", prerelease: true };
 * assert.equal(foreignAboveMessage("/x.csv", "2.0.0", [rc]), undefined);
 * assert.match(foreignAboveMessage("/x.csv", "1.0.1", [rc])?.message ?? "", /the version option 2.0.0/);
 * ```
 */
export function foreignAboveMessage(
  path: string,
  version: string,
  foreign: ReadonlyArray<ForeignVersion & { key: string }>,
): { key: string; message: string } | undefined {
  // The highest of those at or above `version`, so the way past passes them all.
  let found: (ForeignVersion & { key: string }) | undefined;
  for (const f of foreign) {
    const d = compareVersions(version, f.base);
    if (d > 0 || (d === 0 && f.prerelease)) continue;
    const e = found === undefined ? 1 : compareVersions(f.base, found.base);
    if (e > 0 || (e === 0 && found?.prerelease === true && !f.prerelease)) found = f;
  }
  if (found === undefined) return undefined;
  const past = found.prerelease ? found.base : nextPatch(found.base);
  const message = `${found.key} in the bucket is version ${found.version} of ${path}, which vc ` +
    `does not list and semver orders at or above ${version}: ${version} is vc's latest, not ` +
    `the latest for a tool that reads such keys (to pass it, publish with the version option ${past})`;
  return { key: found.key, message };
}

/**
 * Why `update` of `path` finds no version to bump when the bucket holds
 * `foreign` keys shaped as its versions that vc does not read (another
 * tool's `x.v1.4.0.csv`, `x.2.0.0+ci.1.csv`), as a clause to add to "has no
 * versions", or `undefined` when there are none: "publish its first version
 * with `vc add`" alone led to a 1.0.0 below them. Names up to 20 of them,
 * the copy that lets vc read the latest release among them, and the
 * `--version` of an `add` that passes them all; of a `pinned` path (which
 * `add` refuses), `vc adopt` instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onlyForeignVersionsClause } from "./slash_keys.ts";
 * const v = { key: "x.v1.4.0.csv", version: "v1.4.0", base: "1.4.0", prerelease: false };
 * const clause = onlyForeignVersionsClause("/x.csv", [v]) ?? "";
 * assert.match(clause, /copy x\.v1\.4\.0\.csv to x\.1\.4\.0\.csv/);
 * assert.match(clause, /add\(PATH, FILE, \{ version: "1\.4\.1" \}\)/);
 * assert.equal(onlyForeignVersionsClause("/x.csv", []), undefined);
 * ```
 */
export function onlyForeignVersionsClause(
  path: string,
  foreign: ReadonlyArray<ForeignVersion & { key: string }>,
  pinned = false,
): string | undefined {
  if (foreign.length === 0) return undefined;
  let release: (ForeignVersion & { key: string }) | undefined;
  let highest = foreign[0]!;
  for (const f of foreign) {
    const d = compareVersions(f.base, highest.base);
    if (d > 0 || (d === 0 && highest.prerelease && !f.prerelease)) highest = f;
    if (!f.prerelease && (release === undefined || compareVersions(f.base, release.base) > 0)) {
      release = f;
    }
  }
  const keys = foreign.slice(0, MAX_NAMED_SPELLINGS).map((f) => f.key).join(", ");
  const more = foreign.length > MAX_NAMED_SPELLINGS
    ? ` and ${foreign.length - MAX_NAMED_SPELLINGS} more`
    : "";
  const copy = release === undefined
    ? ""
    : `copy ${release.key} to ${
      versionedKey(path, release.base)
    } (the latest release among them) to update past it`;
  const past = highest.prerelease ? highest.base : nextPatch(highest.base);
  // A pinned path: `add` refuses it, adopting them is the way on.
  const then = pinned
    ? `${copy === "" ? "" : `${copy}; `}${
      adoptPath(path)
    } copies every such key to vc's key for its version`
    : `${copy === "" ? "" : `${copy}, or `}publish a first version above them with ${
      addVersion(past)
    }`;
  return ` that vc reads; the bucket holds ${foreign.length} ${
    foreign.length === 1 ? "key" : "keys"
  } shaped as versions of it in spellings vc does not read (${keys}${more}): ${then}`;
}

/** Keys spelling one version otherwise named by `otherSpellingOfVersion`. */
const MAX_NAMED_SPELLINGS = 20;

/**
 * The keys among `keys` (those a listing of `path` named as odd) that hold
 * `version` of `path` spelled as vc does not read it (`x.v2.0.0.csv`,
 * `x.02.0.0.csv`, `x.2.0.0+ci.7.csv`; of a pre-release, `x.v2.0.0-rc.1.csv`
 * or `x.2.0.0-rc.01.csv`; another pre-release is another version), as
 * a clause for the error that `version` does not exist, or `undefined`: the
 * object is there under another name, and the error says which. Several such
 * keys (`x.2.0.0+a.csv` and `x.2.0.0+b.csv`, differing only in build
 * metadata) may hold different bytes: all are named (up to 20, then how many
 * more), and the user picks the one to copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { otherSpellingOfVersion } from "./slash_keys.ts";
 * const keys = ["d/x.v2.0.0.csv", "d/x.v3.0.0-rc.1.csv"];
 * assert.match(otherSpellingOfVersion("/d/x.csv", "2.0.0", keys) ?? "", /holds it as d\/x\.v2\.0\.0\.csv/);
 * // A pre-release of 3.0.0 is another version than 3.0.0, not a spelling of it.
 * assert.equal(otherSpellingOfVersion("/d/x.csv", "3.0.0", keys), undefined);
 * assert.match(otherSpellingOfVersion("/d/x.csv", "3.0.0-rc.1", keys) ?? "", /as d\/x\.v3\.0\.0-rc\.1\.csv/);
 * const twice = otherSpellingOfVersion("/d/x.csv", "2.0.0", [...keys, "d/x.2.0.0+b.csv"]);
 * assert.match(twice ?? "", /as 2 keys, .*\(d\/x\.v2\.0\.0\.csv, d\/x\.2\.0\.0\+b\.csv\)/);
 * ```
 */
export function otherSpellingOfVersion(
  path: string,
  version: string,
  keys: readonly string[],
): string | undefined {
  const found = keys.filter((k) => {
    const foreign = foreignVersionOf(k, path);
    return foreign !== undefined && plainSpelling(foreign) === version;
  });
  if (found.length === 0) return undefined;
  const canonical = versionedKey(path, version);
  if (found.length === 1) {
    const inFolder = foreignVersionOf(found[0]!, path)?.folder !== undefined;
    return `the bucket holds it as ${found[0]}, ${
      inFolder
        ? "inside a folder of that name (an upload to a location ending in /), which"
        : "a spelling"
    } vc does not read: copy that object to ${canonical} (${
      adoptPath(path)
    } copies every such key)`;
  }
  const named = found.slice(0, MAX_NAMED_SPELLINGS).join(", ");
  const more = found.length > MAX_NAMED_SPELLINGS
    ? ` and ${found.length - MAX_NAMED_SPELLINGS} more`
    : "";
  return `the bucket holds it as ${found.length} keys, spellings vc does not read that may ` +
    `hold different bytes (${named}${more}): copy the one that holds ${version} to ${canonical}` +
    ` (${adoptPath(path)} copies them when they hold the same bytes)`;
}

function nextPatch(version: string): string {
  const [major, minor, patch] = version.split(".");
  return `${major}.${minor}.${Number(patch) + 1}`;
}

/**
 * The keys under `prefix` (`d/x.`, of `/d/x.csv`), in order, with each folder
 * there (`d/x.2017/…`, a tree another tool keeps beside the file) given by
 * its first key only: no key inside a folder is a version, and such a tree
 * may hold millions of keys, a LIST each thousand. The listing starts again
 * past the folder (`startAfter`). A folder named as the key of a version the
 * bucket does not hold (`d/x.3.0.0.csv/…`, see `foreignVersionOf`) is given
 * whole, for its warning; one beside a version it holds (`held(folder)`:
 * that key, listed before its folder, is a version) is a folder like any other.
 */
async function* keysBesideFolders(
  store: ObjectStore,
  prefix: string,
  path: string,
  options: ListOptions,
  held: (folder: string) => boolean,
): AsyncGenerator<ObjectInfo> {
  let after: string | undefined;
  // A store that gives keys at or before `startAfter` again (one that
  // ignores it) is read on to its end, those keys passed over, and not
  // started again; so is an S3 server that ignores it, whose keys up to it
  // S3Store drops (each restart would read them all again).
  let readOn = false;
  const ignored = () => {
    readOn = true;
  };
  restart: for (;;) {
    const listing = after === undefined
      ? options
      : { ...options, startAfter: after, onStartAfterIgnored: ignored };
    for await (const info of store.list(prefix, listing)) {
      if (after !== undefined && compareUtf8(info.key, after) <= 0) {
        readOn = true;
        continue;
      }
      yield info;
      if (readOn) continue;
      const slash = info.key.indexOf("/", prefix.length);
      // A key in the prefix's own directory, or a folder's marker (`d/x.y/`).
      if (slash === -1 || slash === info.key.length - 1) continue;
      const folder = foreignVersionOf(info.key, path)?.folder;
      if (folder !== undefined && !held(folder)) continue;
      const past = pastFolder(info.key.slice(0, slash + 1));
      if (compareUtf8(past, info.key) <= 0) continue; // a folder name of 1,024 bytes
      after = past;
      continue restart;
    }
    return;
  }
}

/**
 * A key that sorts after every key in `folder` (ending in `/`) and before
 * every other key after it, in S3's order (UTF-8 bytes): `folder` and then
 * the largest character, U+10FFFF, up to the 1,024 bytes a key has at most
 * (the bytes left over: the largest character of that length).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pastFolder } from "./slash_keys.ts";
 * const past = pastFolder("d/x.2017/");
 * assert.equal(new TextEncoder().encode(past).length, 1024);
 * assert(past > "d/x.2017/\u{10FFFF}zz" && past < "d/x.20170");
 * ```
 */
export function pastFolder(folder: string): string {
  const left = 1024 - new TextEncoder().encode(folder).length;
  if (left <= 0) return folder;
  const rest = ["", "\x7F", "\u07FF", "\uFFFF"][left % 4]!;
  return folder + "\u{10FFFF}".repeat(Math.floor(left / 4)) + rest;
}

async function versionsUnder(
  store: ObjectStore,
  prefix: string,
  path: string,
  options: Parameters<typeof listVersionKeys>[2] & {
    onOversized: (warning: { key: string; message: string }) => void;
  },
): Promise<Map<string, ObjectInfo>> {
  const found = new Map<string, ObjectInfo>();
  // Keys only: a directory store need not hash files to list them.
  const listOptions: ListOptions = { etags: false };
  if (options.signal !== undefined) listOptions.signal = options.signal;
  // A folder named as a version's key (`d/x.1.0.0.csv/…`) beside that
  // version's object, which sorts before it: no version, nothing to copy.
  const held = (folder: string) => {
    const parsed = parseVersionedKey(folder);
    const key = parsed?.path === path ? found.get(parsed.version)?.key : undefined;
    return key === folder || key === slashedKey(folder);
  };
  for await (const info of keysBesideFolders(store, prefix, path, listOptions, held)) {
    options.onListed?.();
    const parsed = parseVersionedKey(info.key);
    if (parsed?.path === path) found.set(parsed.version, info);
    else if (parsed !== undefined) {
      if (options.onOtherPathsVersion !== undefined && startedVersionKey(info.key)?.path === path) {
        options.onOtherPathsVersion(info.key, parsed);
      }
    } else if (parsed === undefined && oversizedVersionPath(info.key) === path) {
      options.onOversized({ key: info.key, message: oversizedKeyMessage(info.key, path) });
    } else if (parsed === undefined) {
      const foreign = options.onForeign === undefined
        ? undefined
        : foreignVersionOf(info.key, path);
      if (foreign?.folder !== undefined && held(foreign.folder)) continue;
      if (foreign !== undefined) options.onForeign?.({ ...foreign, key: info.key });
      else if (
        options.onLeftover !== undefined && leftoverVersionedKey(info.key)?.path === path
      ) {
        options.onLeftover(info.key);
      }
    }
  }
  return found;
}
