/**
 * Versions of a path without any that its directory holds under another
 * name, for the messages that say it has none: found by one bounded listing
 * of the path's directory, on that failure only.
 *
 * - The asset whose path differs only in letter case. S3 keys (and Linux
 *   file names) tell case apart: a bucket filled with `aws s3 cp Table.csv
 *   s3://b/data/Table.1.0.0.csv` has no versions of the manifest's
 *   `/data/table.csv`, and "no versions of it" left the user to spot why.
 * - Keys in another tool's naming, a bucket being migrated to vc:
 *   `data/table-1.0.0.csv`, `data/table_v1.1.0.csv`, `data/table.csv.1.2.0`,
 *   `data/v1.3.0/table.csv` (any letter case), each named with the key vc
 *   would read that version from; when the directory holds none, a version
 *   folder higher up (`v1.4.0/data/table.csv`, a release tree at the root),
 *   found by reading each directory above it the same way.
 *
 * @module
 */
import { ADOPT_DRY_RUN, adoptPath } from "../command_words.ts";
import { foldName } from "../file_names.ts";
import { fromFileUrl } from "../path.ts";
import { shellWord } from "../shell_word.ts";
import { joinUri } from "../uri.ts";
import type { ObjectStore } from "../store/types.ts";
import { compareUtf8 } from "../utf8.ts";
import { foreignVersionOf, parseVersionedKey, plainSpelling, versionedKey } from "./naming.ts";
import { compareVersions, isVersion, sortVersions } from "./version.ts";

/**
 * Keys of the path's directory read at most: one LIST request, on a failure
 * only. A hint, not a search: a twin past them, or in a directory of
 * another case, goes unnamed.
 */
export const CASE_TWIN_LIST_LIMIT = 1000;

/**
 * The versioned path in `store` that `path` (normalized, leading `/`) names
 * where letter case is not told apart, and its versions, found among the
 * first {@linkcode CASE_TWIN_LIST_LIMIT} keys of `path`'s directory; the
 * first such path in UTF-8 order when there are several.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { caseTwinVersions } from "./case_twin.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * for (const key of ["u/Table.1.0.0.csv", "u/Table.1.1.0.csv", "u/tables.2.0.0.csv"]) {
 *   await store.put(key, new Uint8Array());
 * }
 * assert.deepEqual(await caseTwinVersions(store, "/u/table.csv"), {
 *   path: "/u/Table.csv",
 *   versions: ["1.0.0", "1.1.0"],
 * });
 * assert.equal(await caseTwinVersions(store, "/u/other.csv"), undefined);
 * ```
 */
export async function caseTwinVersions(
  store: ObjectStore,
  path: string,
  options: {
    signal?: AbortSignal;
    /**
     * Directory reads to share, by directory: one there is used, a new one
     * is put there (and taken out again if it fails). For the entries of
     * one `sync` or `verify`, which would otherwise list a directory again
     * for each missing entry in it.
     */
    dirs?: Map<string, Promise<readonly string[]>>;
    /** Called for each key a listing reads (the progress of a long one). */
    onListed?: () => void;
  } = {},
): Promise<{ path: string; versions: string[] } | undefined> {
  return caseTwinAmong(
    path,
    await dirKeys(store, path.slice(1, path.lastIndexOf("/") + 1), options),
  );
}

/**
 * A key of the path's directory that looks like a version of a path in
 * another tool's naming (see {@linkcode namedOtherwise}).
 */
export interface OtherNaming {
  /** The key as the bucket holds it (`d/table-1.0.0.csv`). */
  key: string;
  /** The version it looks like (`1.0.0`). */
  version: string;
  /**
   * The key vc reads that version of the path from (`d/table.1.0.0.csv`): a
   * copy of `key` there is a version vc lists.
   */
  vcKey: string;
}

/**
 * Why normalized `path` (leading `/`) has no versions, as its directory
 * shows among its first {@linkcode CASE_TWIN_LIST_LIMIT} keys (one LIST,
 * shared through `options.dirs` as in {@linkcode caseTwinVersions}): its
 * `caseTwin` (as {@linkcode caseTwinVersions} finds it), and the keys that
 * look like its versions in another tool's naming (`others`, highest version
 * first): the version after a `-`, `_` or `.` before the extension
 * (`t-1.0.0.csv`, `t_v1.1.0.csv`) or after the whole name (`t.csv.1.2.0`), or
 * a folder named as the version (`v1.3.0/t.csv`), in any letter case. Keys vc
 * reads or already warns of (`t.v1.0.0.csv`, `t.1.0.0+ci.1.csv`) are not among
 * them. When the directory shows neither, each directory above it (at most
 * {@linkcode MAX_ABOVE}, the nearest and the root) is read the same way (one
 * LIST each) for a version folder higher up: `v1.2.0/d/t.csv` of `/d/t.csv`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { namedOtherwise } from "./case_twin.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * for (const key of ["u/table-1.0.0.csv", "u/v1.1.0/Table.csv", "u/tables-2.0.0.csv"]) {
 *   await store.put(key, new Uint8Array());
 * }
 * const found = await namedOtherwise(store, "/u/table.csv");
 * assert.equal(found.caseTwin, undefined);
 * assert.deepEqual(found.others.map((o) => [o.key, o.vcKey]), [
 *   ["u/v1.1.0/Table.csv", "u/table.1.1.0.csv"],
 *   ["u/table-1.0.0.csv", "u/table.1.0.0.csv"],
 * ]);
 * ```
 */
export async function namedOtherwise(
  store: ObjectStore,
  path: string,
  options: Parameters<typeof caseTwinVersions>[2] = {},
): Promise<{ caseTwin: { path: string; versions: string[] } | undefined; others: OtherNaming[] }> {
  const dir = path.slice(1, path.lastIndexOf("/") + 1);
  const keys = await dirKeys(store, dir, options);
  const caseTwin = caseTwinAmong(path, keys);
  let others = otherNamings(path, keys);
  if (caseTwin === undefined && others.length === 0) {
    // A release tree higher up (`v1.2.0/d/t.csv`): the directories above,
    // one at a time, until one shows some.
    for (const above of dirsAbove(dir)) {
      others = otherNamings(path, await dirKeys(store, above, options));
      if (others.length > 0) break;
    }
  }
  return { caseTwin, others };
}

/**
 * Every key of `store` that looks like a version of normalized `path` in
 * another tool's naming, as {@linkcode namedOtherwise} tells them (highest
 * version first), found in the store's whole listing rather than its first
 * keys: for adopting them all ({@linkcode adoptOtherNamings} in `adopt.ts`).
 * `options.dirs` shares that listing between calls (a map of its own: the
 * one {@linkcode namedOtherwise} shares holds partial listings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allOtherNamings } from "./case_twin.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * for (const key of ["u/t-1.0.0.csv", "v1.1.0/u/t.csv", "u/t.1.2.0.csv"]) {
 *   await store.put(key, new Uint8Array());
 * }
 * const found = await allOtherNamings(store, "/u/t.csv");
 * assert.deepEqual(found.map((o) => o.key), ["v1.1.0/u/t.csv", "u/t-1.0.0.csv"]);
 * ```
 */
export async function allOtherNamings(
  store: ObjectStore,
  path: string,
  options: Parameters<typeof caseTwinVersions>[2] = {},
): Promise<OtherNaming[]> {
  const keys = await dirKeys(store, "", options, Infinity, mayBeOtherNaming);
  let index = listingIndexes.get(keys);
  if (index === undefined) listingIndexes.set(keys, index = indexByPath(keys));
  // Only the keys that can be a version of this path: going through the
  // whole listing for each path of a big manifest took minutes.
  const dir = path.slice(1, path.lastIndexOf("/") + 1);
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  const heads = dot > 0 ? [name.slice(0, dot), name] : [name];
  const candidates = [
    ...new Set([
      ...index.anyPath,
      ...index.byPath.get(`/${dir}${foldName(name)}`) ?? [],
      ...heads.flatMap((head) => index.byPath.get(`-${dir}${foldName(head)}`) ?? []),
    ]),
  ];
  return [...otherNamings(path, candidates), ...otherSpellings(path, candidates)].sort(
    highestFirst,
  );
}

// The keys among `keys` that spell a version of `path` in a way vc does
// not read (`d/t.v1.4.0.csv`, `d/t.2.1.0+ci.3.csv`, `d/t.3.0.0.csv/t.csv`:
// see `foreignVersionOf`), each with the version and key vc reads instead,
// as `vc path` of that version names them: for `vc adopt` to copy.
function otherSpellings(path: string, keys: readonly string[]): OtherNaming[] {
  const spelled: OtherNaming[] = [];
  for (const key of keys) {
    const foreign = foreignVersionOf(key, path);
    if (foreign === undefined) continue;
    const version = plainSpelling(foreign);
    try {
      spelled.push({ key, version, vcKey: versionedKey(path, version) });
    } catch {
      continue; // a pre-release whose key would read as another path's
    }
  }
  return spelled;
}

function highestFirst(a: OtherNaming, b: OtherNaming): number {
  return compareVersions(b.version, a.version) || compareUtf8(a.key, b.key);
}

// A whole listing's keys by the path they can be a version of, built once
// per listing (see indexByPath).
const listingIndexes = new WeakMap<readonly string[], ListingIndex>();

interface ListingIndex {
  /**
   * `/` + a path's directory and folded name: the keys in a version folder
   * of it; `-` + a directory and the folded text before a version: the keys
   * of a version after a separator in it.
   */
  byPath: Map<string, string[]>;
  /** Keys of more version-like parts than indexed: looked at for every path. */
  anyPath: string[];
}

// Version-like parts of one key indexed; one of more (a hostile key) is
// looked at for every path instead.
const MAX_INDEXED_PARTS = 8;

// The keys of `keys` by what otherNamingVersion matches them with: a
// version folder's key (`v1.2.0/d/t.csv`) under its path without the
// folder (`/d/t.csv`, the name folded), one of a version after a
// separator (`d/t-1.0.0.csv`) under its directory and the folded text
// before each such separator (`-d/t`).
function indexByPath(keys: readonly string[]): ListingIndex {
  const byPath = new Map<string, string[]>();
  const anyPath: string[] = [];
  const add = (at: string, key: string) => {
    const list = byPath.get(at);
    if (list === undefined) byPath.set(at, [key]);
    else if (list.at(-1) !== key) list.push(key);
  };
  for (const key of keys) {
    // A leading `/` (`/d/t.v1.4.0.csv`, as baiji-pod wrote keys) filed as the
    // key without it, as `foreignVersionOf` reads it.
    const dirs = (key.startsWith("/") ? key.slice(1) : key).split("/");
    const name = dirs.pop()!;
    const dir = dirs.map((d) => `${d}/`).join("");
    const at: string[] = [];
    dirs.forEach((d, i) => {
      if (!isVersion(d.replace(/^[vV]/, ""))) return;
      at.push(`/${dirs.filter((_, j) => j !== i).map((d) => `${d}/`).join("")}${foldName(name)}`);
    });
    for (const m of name.matchAll(/(?=[-_.][vV]?\d+\.\d+\.\d)/g)) {
      at.push(`-${dir}${foldName(name.slice(0, m.index))}`);
    }
    // Inside a folder named as a version's key (`d/t.3.0.0.csv/t.csv`, an
    // upload to a location ending in `/`): under the text before its version.
    dirs.forEach((d, i) => {
      const above = dirs.slice(0, i).map((d) => `${d}/`).join("");
      for (const m of d.matchAll(/(?=\.[vV]?\d+\.\d+\.\d)/g)) {
        at.push(`-${above}${foldName(d.slice(0, m.index))}`);
      }
    });
    if (at.length > MAX_INDEXED_PARTS) anyPath.push(key);
    else for (const a of at) add(a, key);
  }
  return { byPath, anyPath };
}

// Whether `key` may look like a version of some path in another naming: it
// holds three dot-separated numbers and is not a key vc reads. The whole
// listing of a big bucket keeps only these.
function mayBeOtherNaming(key: string): boolean {
  return /[0-9]\.[0-9]+\.[0-9]/.test(key) && parseVersionedKey(key) === undefined;
}

/**
 * Directories above a path's directory read for a version folder higher up:
 * the nearest ones, and the root.
 */
export const MAX_ABOVE = 4;

// The directories above `dir` ("a/b/c/"): "a/b/", "a/", ... and "", at most
// MAX_ABOVE (the nearest, then the root).
function dirsAbove(dir: string): string[] {
  const above: string[] = [];
  for (
    let end = dir.lastIndexOf("/", dir.length - 2);
    end !== -1;
    end = dir.lastIndexOf("/", end - 1)
  ) {
    above.push(dir.slice(0, end + 1));
  }
  if (dir !== "") above.push("");
  return above.length <= MAX_ABOVE ? above : [...above.slice(0, MAX_ABOVE - 1), ""];
}

// The keys among `keys` that look like versions of `path` in another
// naming, highest version first.
function otherNamings(path: string, keys: readonly string[]): OtherNaming[] {
  const others: OtherNaming[] = [];
  for (const key of keys) {
    const version = otherNamingVersion(key, path);
    if (version === undefined) continue;
    let vcKey: string;
    try {
      vcKey = versionedKey(path, version);
    } catch {
      continue; // a pre-release whose key would read as another path's
    }
    others.push({ key, version, vcKey });
  }
  return others.sort(highestFirst);
}

// A version written after `-`, `_` or `.`, with or without a `v` (or `V`).
const SEPARATED_VERSION = /^[-_.][vV]?(.+)$/;

// The version `key` looks like of normalized `path` in another tool's naming.
function otherNamingVersion(key: string, path: string): string | undefined {
  // vc's own naming (a case twin's key, or the path's own) or a spelling
  // `versions` already warns of.
  if (parseVersionedKey(key) !== undefined || foreignVersionOf(key, path) !== undefined) {
    return undefined;
  }
  const dir = path.slice(1, path.lastIndexOf("/") + 1);
  const name = path.slice(path.lastIndexOf("/") + 1);
  const same = (a: string, b: string) => foldName(a) === foldName(b);
  // A folder named as the version, the file in it (`d/v1.3.0/table.csv`),
  // or higher up (`v1.3.0/d/table.csv`): the key is the path's directories
  // with one more, that folder.
  const keyDirs = key.split("/");
  const keyName = keyDirs.pop()!;
  const pathDirs = dir === "" ? [] : dir.slice(0, -1).split("/");
  if (keyDirs.length === pathDirs.length + 1) {
    if (!same(keyName, name)) return undefined;
    for (let i = 0; i < keyDirs.length; i++) {
      const folder = keyDirs[i]!.replace(/^[vV]/, "");
      if (!isVersion(folder)) continue;
      const rest = keyDirs.filter((_, j) => j !== i);
      if (rest.every((d, j) => d === pathDirs[j])) return folder;
    }
    return undefined;
  }
  if (!key.startsWith(dir)) return undefined;
  const rest = key.slice(dir.length);
  if (rest.includes("/")) return undefined;
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  const shapes: Array<[string, string]> = [[stem, ext]];
  if (ext !== "") shapes.push([name, ""]);
  for (const [head, tail] of shapes) {
    if (rest.length <= head.length + tail.length) continue;
    if (!same(rest.slice(0, head.length), head)) continue;
    if (!same(rest.slice(rest.length - tail.length), tail)) continue;
    const m = SEPARATED_VERSION.exec(rest.slice(head.length, rest.length - tail.length));
    if (m !== null && isVersion(m[1]!)) return m[1]!;
  }
  return undefined;
}

// The case twin of `path` among the keys of its directory.
function caseTwinAmong(
  path: string,
  keys: readonly string[],
): { path: string; versions: string[] } | undefined {
  const folded = foldName(path);
  const twins = new Map<string, string[]>();
  for (const key of keys) {
    const parsed = parseVersionedKey(key);
    if (parsed === undefined) continue;
    if (parsed.path === path || foldName(parsed.path) !== folded) continue;
    const versions = twins.get(parsed.path) ?? [];
    versions.push(parsed.version);
    twins.set(parsed.path, versions);
  }
  const first = [...twins.keys()].sort(compareUtf8)[0];
  return first === undefined
    ? undefined
    : { path: first, versions: sortVersions(twins.get(first)!) };
}

// The first CASE_TWIN_LIST_LIMIT (or `limit`) keys of directory `dir` ("d/",
// "" for the root), those `keep` keeps, read once per directory in
// `options.dirs`.
function dirKeys(
  store: ObjectStore,
  dir: string,
  options: Parameters<typeof caseTwinVersions>[2],
  limit = CASE_TWIN_LIST_LIMIT,
  keep?: (key: string) => boolean,
): Promise<readonly string[]> {
  let read = options?.dirs?.get(dir);
  if (read === undefined) {
    read = keysOf(store, dir, options?.signal, limit, options?.onListed, keep);
    if (options?.dirs !== undefined) {
      const dirs = options.dirs;
      dirs.set(dir, read);
      read.catch(() => {
        if (dirs.get(dir) === read) dirs.delete(dir);
      });
    }
  }
  return read;
}

// Those of the first `limit` keys under `dir` that `keep` keeps (all without it).
async function keysOf(
  store: ObjectStore,
  dir: string,
  signal: AbortSignal | undefined,
  limit: number,
  onListed: (() => void) | undefined,
  keep: ((key: string) => boolean) | undefined,
): Promise<string[]> {
  const found: string[] = [];
  let listed = 0;
  for await (
    const info of store.list(dir, {
      etags: false,
      // Unreadable entries elsewhere in the directory are not this error's business.
      onWarning: () => {},
      ...(signal === undefined ? {} : { signal }),
    })
  ) {
    if (keep === undefined || keep(info.key)) found.push(info.key);
    onListed?.();
    // Stopped at the last key read, not at the one past it: that one would
    // ask for a second page of a directory of more keys (a second LIST).
    if (++listed >= limit) break;
  }
  return found;
}

/** Keys named by {@linkcode otherNamingClause}; the rest are counted. */
const MAX_NAMED = 5;

/**
 * What the bucket holds of `path` in another tool's naming, to follow "BUCKET
 * " or "but it " when `others` (from {@linkcode namedOtherwise}) is not
 * empty: "holds N keys that look like versions of it …", the keys, the version each looks
 * like and vc's key for it, the copy that adopts one (of `version` when
 * one is, else the highest: `aws s3 cp` in an `s3://` bucket, `cp` in a
 * directory) and the `vc adopt` that copies them all; `""` when it is empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { otherNamingClause } from "./case_twin.ts";
 * const others = [{ key: "d/t-1.0.0.csv", version: "1.0.0", vcKey: "d/t.1.0.0.csv" }];
 * assert.match(
 *   otherNamingClause("/d/t.csv", "s3://b", others),
 *   /d\/t-1\.0\.0\.csv \(1\.0\.0; vc's key d\/t\.1\.0\.0\.csv\).*aws s3 cp s3:\/\/b\/d\/t-1\.0\.0\.csv s3:\/\/b\/d\/t\.1\.0\.0\.csv/,
 * );
 * assert.equal(otherNamingClause("/d/t.csv", "s3://b", []), "");
 * ```
 */
export function otherNamingClause(
  path: string,
  bucket: string,
  others: readonly OtherNaming[],
  version?: string,
): string {
  const first = others.find((o) => o.version === version) ?? others[0];
  if (first === undefined) return "";
  const named = others.slice(0, MAX_NAMED)
    .map((o) => `${o.key} (${o.version}; vc's key ${o.vcKey})`).join(", ");
  const more = others.length > MAX_NAMED ? ` and ${others.length - MAX_NAMED} more` : "";
  const at = (key: string) => {
    const uri = joinUri(bucket, key);
    return shellWord(/^file:/i.test(uri) ? fromFileUrl(uri) : uri);
  };
  const copy = /^s3:/i.test(bucket)
    ? `aws s3 cp ${at(first.key)} ${at(first.vcKey)}`
    : /^file:/i.test(bucket)
    ? `cp ${at(first.key)} ${at(first.vcKey)}`
    : `copy ${first.key} to ${first.vcKey}`;
  return `holds ${others.length} ${
    others.length === 1 ? "key that looks" : "keys that look"
  } like versions of it in another tool's naming, which vc does not read: ${named}${more}; ` +
    `to adopt one, copy it to vc's key (${copy}), then ${path} has that version; ` +
    `${adoptPath(path)} copies them all (${ADOPT_DRY_RUN.library} lists those of every path of ` +
    `the manifest)`;
}
