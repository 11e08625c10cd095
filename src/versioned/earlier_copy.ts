/**
 * Which other version of a path a local file holds: how `vc sync` takes over
 * a DEST that baiji-pod's `sync` (or a sync before vc kept records) filled,
 * after pins moved on. baiji-pod's `sync` copied every pinned file over
 * whatever was there and recorded nothing, so such a file, holding a
 * version the bucket still has, is an earlier sync's copy, not the user's.
 *
 * @module
 */
import { checkFile, checksContent } from "../verify.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { md5File, statedMd5 } from "../hash.ts";
import { listVersionObjects } from "./slash_keys.ts";
import { sortVersions } from "./version.ts";

/**
 * The version of `path` in `store`, other than `pinned`, whose object holds
 * exactly the bytes of the local `file` (`size` bytes), or `undefined`.
 * Versions are tried newest first; only those the listing gives the file's
 * size are asked about (a HEAD each), and only an object whose content its
 * ETag or `vc-md5` tells is compared (an opaque ETag alone never matches;
 * the file is read once for all those that state an MD5). Keys the listing
 * names as foreign or oversized are not versions: passed over in silence
 * (`vc versions` warns of them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { versionHeldBy } from "./earlier_copy.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const store = new FsStore(`${dir}/bucket`);
 *   await store.put("d/a.1.0.0.csv", new TextEncoder().encode("one\n"));
 *   await store.put("d/a.1.0.1.csv", new TextEncoder().encode("two\n"));
 *   await Deno.writeTextFile(`${dir}/a.csv`, "one\n");
 *   assert.equal(await versionHeldBy(store, "/d/a.csv", "1.0.1", `${dir}/a.csv`, 4), "1.0.0");
 *   assert.equal(await versionHeldBy(store, "/d/a.csv", "1.0.0", `${dir}/a.csv`, 4), undefined);
 *   await store.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function versionHeldBy(
  store: ObjectStore,
  path: string,
  pinned: string,
  file: string,
  size: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const options = signal === undefined ? {} : { signal };
  const listed = await listVersionObjects(store, path, { ...options, onOversized: () => {} });
  // The file's MD5, read once for all the candidates that state one.
  let memo: Promise<string> | undefined;
  const md5 = () => memo ??= md5File(file, signal === undefined ? {} : { signal });
  for (const version of sortVersions(listed.keys()).reverse()) {
    const object = listed.get(version)!;
    // The listing tells the size: a version of another is passed over unasked.
    if (version === pinned || object.size !== size) continue;
    const info = await store.head(object.key, options);
    if (info === undefined || info.size !== size) continue;
    if (await fileHoldsObject(file, info, signal, md5)) return version;
  }
  return undefined;
}

/**
 * True when `file` holds the bytes of the object `info` describes (a HEAD's
 * answer): its size, and the MD5 its ETag or `vc-md5` states, else its
 * multipart ETag checked part by part. An object only a store's own
 * checksum tells (its ETag opaque) is never taken as matching, for want of
 * a hash to compare. `md5`: the file's MD5, read once for several objects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileHoldsObject } from "./earlier_copy.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * await store.put("k", new TextEncoder().encode("abc"));
 * const info = (await store.head("k"))!;
 * const file = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(file, "abc");
 *   assert.equal(await fileHoldsObject(file, info), true);
 *   await Deno.writeTextFile(file, "abd");
 *   assert.equal(await fileHoldsObject(file, info), false);
 * } finally {
 *   await Deno.remove(file);
 * }
 * ```
 */
export async function fileHoldsObject(
  file: string,
  info: ObjectInfo,
  signal?: AbortSignal,
  md5?: () => Promise<string>,
): Promise<boolean> {
  if ((await Deno.stat(file)).size !== info.size) return false;
  const expected = {
    size: info.size,
    etag: info.etag,
    ...(info.metadata !== undefined ? { metadata: info.metadata } : {}),
    ...(info.opaqueEtag === true ? { opaqueEtag: true } : {}),
  };
  if (!checksContent({ key: "", lastModified: new Date(0), ...expected })) return false;
  const options = signal === undefined ? {} : { signal };
  const stated = statedMd5(expected);
  if (stated !== undefined) return await (md5?.() ?? md5File(file, options)) === stated;
  // A multipart ETag without its MD5: checked part by part.
  return await checkFile(file, expected, options) === undefined;
}
