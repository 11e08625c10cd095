/**
 * The asset whose path differs from a missing one only in letter case, for
 * the error that says the version is missing. S3 keys (and Linux file
 * names) tell case apart: a bucket filled with `aws s3 cp Table.csv
 * s3://b/data/Table.1.0.0.csv` has no versions of the manifest's
 * `/data/table.csv`, and "no versions of it" left the user to spot why.
 *
 * @module
 */
import { foldName } from "../file_names.ts";
import type { ObjectStore } from "../store/types.ts";
import { compareUtf8 } from "../utf8.ts";
import { parseVersionedKey, type VersionedKey } from "./naming.ts";
import { sortVersions } from "./version.ts";

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
    dirs?: Map<string, Promise<readonly VersionedKey[]>>;
  } = {},
): Promise<{ path: string; versions: string[] } | undefined> {
  const dir = path.slice(1, path.lastIndexOf("/") + 1);
  let read = options.dirs?.get(dir);
  if (read === undefined) {
    read = versionedKeysOf(store, dir, options.signal);
    if (options.dirs !== undefined) {
      const dirs = options.dirs;
      dirs.set(dir, read);
      read.catch(() => {
        if (dirs.get(dir) === read) dirs.delete(dir);
      });
    }
  }
  const folded = foldName(path);
  const twins = new Map<string, string[]>();
  for (const parsed of await read) {
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

// The versioned keys among the first CASE_TWIN_LIST_LIMIT keys under `dir`.
async function versionedKeysOf(
  store: ObjectStore,
  dir: string,
  signal: AbortSignal | undefined,
): Promise<VersionedKey[]> {
  const found: VersionedKey[] = [];
  let listed = 0;
  for await (
    const info of store.list(dir, {
      etags: false,
      // Unreadable entries elsewhere in the directory are not this error's business.
      onWarning: () => {},
      ...(signal === undefined ? {} : { signal }),
    })
  ) {
    const parsed = parseVersionedKey(info.key);
    if (parsed !== undefined) found.push(parsed);
    // Stopped at the last key read, not at the one past it: that one would
    // ask for a second page of a directory of more keys (a second LIST).
    if (++listed >= CASE_TWIN_LIST_LIMIT) break;
  }
  return found;
}
