/**
 * The files a repository keeps on this machine: a directory store (its
 * marker, content, backups) and a SQLite catalog with the WAL files beside
 * it. A copy of a record written over one of them (`vc repo get ID --to`)
 * would destroy the repository or change another record's content behind
 * its MD5, so a destination is checked against them first.
 *
 * @module
 */
import { fromFileUrl, pathBelow, sep } from "../path.ts";
import { realish } from "../real_path.ts";
import { isReservedName } from "../store/fs_layout.ts";
import { BACKUP_PREFIX, MARKER_KEY, type RepoMarker } from "./marker.ts";

/**
 * What of the repository at `storeUrl` (its marker `marker`) the local
 * `path` is, links resolved, or undefined when it is none of its files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Repository } from "./repository.ts";
 * import { repositoryFileAt } from "./own_files.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await using repo = await Repository.init(`file://${dir}/repo`);
 *   const at = (path: string) => repositoryFileAt(repo.store.url, repo.marker, path);
 *   assert.match((await at(`${dir}/repo/.vc-repo.json`))!, /marker/);
 *   assert.match((await at(`${dir}/repo/content/x.csv`))!, /content/);
 *   assert.match((await at(`${dir}/repo/.vc~repo.sqlite`))!, /SQLite catalog/);
 *   assert.equal(await at(`${dir}/repo/copy.csv`), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function repositoryFileAt(
  storeUrl: string,
  marker: RepoMarker,
  path: string,
): Promise<string | undefined> {
  const real = await realish(path);
  const catalog = marker.catalog;
  if (catalog.kind === "sqlite") {
    const file = await realish(catalog.path);
    if (["", "-wal", "-shm", "-journal"].some((suffix) => real === file + suffix)) {
      return `the repository's SQLite catalog ${catalog.path}`;
    }
  }
  return await storeFileAt(storeUrl, marker.contentPrefix, real);
}

/**
 * What of the directory store at `storeUrl` (a repository's, its content
 * under `contentPrefix`) the local `path` is, links resolved: its marker, a
 * file under its content or backups, or one of the store's own files
 * (`.vc~…`); undefined when it is none of them, or the store is no directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storeFileAt } from "./own_files.ts";
 * assert.match((await storeFileAt("file:///srv/r", "content/", "/srv/r/backups/x.gz"))!, /backups/);
 * assert.equal(await storeFileAt("file:///srv/r", "content/", "/srv/r/notes.txt"), undefined);
 * assert.equal(await storeFileAt("s3://b/r", "content/", "/srv/r/.vc-repo.json"), undefined);
 * ```
 */
export async function storeFileAt(
  storeUrl: string,
  contentPrefix: string,
  path: string,
): Promise<string | undefined> {
  if (!storeUrl.startsWith("file:")) return undefined;
  const root = fromFileUrl(storeUrl);
  const key = pathBelow(await realish(path), await realish(root))?.split(sep).join("/");
  if (key === undefined) return undefined;
  if (key === MARKER_KEY) return `the repository's marker in ${root}`;
  for (const prefix of [contentPrefix, BACKUP_PREFIX]) {
    // Written there, a copy would replace a record's content or a backup,
    // or be taken by gc for content no record references.
    if (key.startsWith(prefix)) return `under the repository's ${prefix} in ${root}`;
  }
  // The directory store's own files (sidecars, locks) beside its objects.
  if (key.split("/").some(isReservedName)) {
    return `a file of the repository's store ${root}`;
  }
  return undefined;
}
