/**
 * Whether a version's key held an object once (S3 versioning keeps a
 * delete marker over it, or noncurrent versions under it): a version names
 * one content for good, and machines that cached the deleted one keep
 * serving it, never asking the bucket again. So a publish asks the store,
 * where it can tell ({@linkcode ObjectStore.keyVersions}), before it
 * creates a version's key.
 *
 * @module
 */
import { AccessDeniedError, StoreError } from "../errors.ts";
import { parseEtag } from "../hash.ts";
import type { KeyVersion, ObjectStore } from "../store/types.ts";
import { slashedKey } from "./slash_keys.ts";
import { shellWord } from "../shell_word.ts";

/** What {@linkcode keyHeldBefore} found. */
export type KeyHistory =
  /** The key held an object once and holds none now; its entries, newest first. */
  | { held: true; key: string; entries: KeyVersion[] }
  /** No sign of an earlier object (or the store keeps no history). */
  | { held: false }
  /**
   * The store refused the question: a grant without `s3:ListBucketVersions`
   * (`AccessDeniedError`), or an S3-compatible store without the operation
   * (501 NotImplemented, 405).
   */
  | { held: undefined; denied: AccessDeniedError | StoreError };

/**
 * Whether `key`, or its `/` twin (another tool's spelling, which `vc path`
 * reads as the same version), held an object once and holds none now: it
 * has entries (delete markers, noncurrent versions), none a current object,
 * and not delete markers only (those of a key deleted before it held any
 * object, which no one can have cached), unless one is the `"null"` marker
 * of a delete made while versioning was suspended, which erased the key's
 * `"null"` version (if it had one) for good. A key holding an object now is not
 * "held before": the create-only write decides about it (a racing publish
 * of the same bytes is adopted). Stores without history (`FsStore`,
 * `MemoryStore`) and buckets without versioning answer `{ held: false }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyHeldBefore } from "./version_history.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * assert.deepEqual(await keyHeldBefore(store, "t.1.1.0.csv"), { held: false });
 * ```
 */
export async function keyHeldBefore(
  store: ObjectStore,
  key: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<KeyHistory> {
  if (store.keyVersions === undefined) return { held: false };
  const ask = (k: string, limit = 2) =>
    store.keyVersions!(k, { limit, ...(options.signal ? { signal: options.signal } : {}) });
  let found: KeyVersion[][];
  try {
    found = await Promise.all([ask(key), ask(slashedKey(key))]);
  } catch (error) {
    if (error instanceof AccessDeniedError) return { held: undefined, denied: error };
    if (error instanceof StoreError && (error.status === 501 || error.status === 405)) {
      return { held: undefined, denied: error };
    }
    throw error;
  }
  for (const [i, newest] of found.entries()) {
    const k = i === 0 ? key : slashedKey(key);
    // Only delete markers (one stacked over another by a second delete):
    // the object under them is what a publish of the same bytes restores
    // (`sameAsLast`), so it is read past them, in one page (S3's largest).
    const limit = newest.length === 2 && newest.every((e) => e.deleteMarker) ? 1000 : 2;
    const entries = limit === 2 ? newest : await ask(k, limit);
    // Delete markers only, all of them listed: the key never held an
    // object (an `aws s3 rm` before it existed), so nothing was cached. But
    // a "null" marker is a delete made while versioning was suspended, which
    // erases the key's "null" version (written before versioning was turned
    // on, or while suspended) and keeps no bytes of it: it may have been read.
    if (
      entries.length < limit && entries.every((e) => e.deleteMarker && e.versionId !== "null")
    ) continue;
    // Any entry without a current object among them: S3 lists a key's
    // entries newest first, moto its versions before its delete markers, so
    // the order is not relied on.
    if (entries.length > 0 && !entries.some((e) => e.isLatest && !e.deleteMarker)) {
      return { held: true, key: k, entries };
    }
  }
  return { held: false };
}

/**
 * Whether the object the key held last (the first object among its
 * entries, which S3 and moto list newest first) has `size` bytes and `md5`, by a single-part ETag: publishing
 * those bytes again restores the version rather than changing it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameAsLast } from "./version_history.ts";
 * const entries = [
 *   { versionId: "2", isLatest: true, deleteMarker: true },
 *   { versionId: "1", isLatest: false, deleteMarker: false, size: 3,
 *     etag: "900150983cd24fb0d6963f7d28e17f72" },
 * ];
 * assert(sameAsLast(entries, 3, "900150983cd24fb0d6963f7d28e17f72"));
 * assert(!sameAsLast(entries, 3, "00000000000000000000000000000000"));
 * ```
 */
export function sameAsLast(entries: readonly KeyVersion[], size: number, md5: string): boolean {
  const last = entries.find((e) => !e.deleteMarker);
  if (last?.etag === undefined || last.size !== size) return false;
  const etag = parseEtag(last.etag);
  return etag.kind === "md5" && etag.md5 === md5;
}

/**
 * Whether the object `key` held last was uploaded in parts (its ETag
 * `<hex>-N`, no MD5 of the content, so {@linkcode sameAsLast} cannot tell)
 * from the very bytes of `file` (`size` bytes): the file's own multipart
 * ETag, by the standard part sizes (`checkFile`). Reads the file once per
 * part size tried, only for such an object of the file's size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameMultipartAsLast } from "./version_history.ts";
 * // A single-part ETag is sameAsLast's to compare: not read here.
 * const entries = [{ versionId: "1", isLatest: false, deleteMarker: false, size: 3, etag: "e" }];
 * assert.equal(await sameMultipartAsLast(entries, "/nonexistent", 3), false);
 * ```
 */
export async function sameMultipartAsLast(
  entries: readonly KeyVersion[],
  file: string,
  size: number,
): Promise<boolean> {
  const last = entries.find((e) => !e.deleteMarker);
  if (last?.etag === undefined || last.size !== size) return false;
  if (parseEtag(last.etag).kind !== "multipart") return false;
  // Not the sizes the store tells (`HEAD ?partNumber=N`): they are of the
  // key's current object, which is gone (moto answers such a HEAD 500).
  const { checkFile } = await import("../verify.ts");
  const problem = await checkFile(file, { size, etag: last.etag }).catch((e) => String(e));
  return problem === undefined;
}

/** What {@linkcode unusedVersion} found. */
export interface UnusedVersion {
  /** The first version from the one asked for whose key never held other bytes. */
  version: string;
  /**
   * The versions passed over, each with the key that held an object once;
   * `erased` when S3 keeps no bytes of it, only the `"null"` delete marker
   * of a delete made while versioning was suspended.
   */
  skipped: Array<{ version: string; key: string; erased?: true }>;
  /** Set when the store refused the question: `version` is the one asked for, unchecked. */
  denied?: AccessDeniedError | StoreError;
}

/** How many versions {@linkcode unusedVersion} tries before it gives up. */
export const MAX_VERSION_PROBES = 32;

/**
 * The first of `version`, `step(version)`, `step(step(version))`, ... (at
 * most {@linkcode MAX_VERSION_PROBES}) whose key (`keyOf`) never held an
 * object, or held exactly the file (`size` bytes, MD5 `md5`, or, given its
 * path `file`, the multipart ETag of an object uploaded in parts: publishing
 * it restores that version). `undefined` when every one tried held other
 * bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unusedVersion } from "./version_history.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * const found = await unusedVersion(store, "1.1.0", {
 *   keyOf: (v) => `t.${v}.csv`,
 *   step: (v) => v,
 *   size: 0,
 *   md5: "",
 * });
 * assert.deepEqual(found, { version: "1.1.0", skipped: [] });
 * ```
 */
export async function unusedVersion(
  store: ObjectStore,
  version: string,
  options: {
    keyOf: (version: string) => string;
    step: (version: string) => string;
    size: number;
    md5: string;
    file?: string | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<UnusedVersion | undefined> {
  const skipped: UnusedVersion["skipped"] = [];
  let candidate = version;
  for (let i = 0; i < MAX_VERSION_PROBES; i++) {
    const found = await keyHeldBefore(store, options.keyOf(candidate), options);
    if (found.held === undefined) return { version, skipped: [], denied: found.denied };
    if (
      !found.held || sameAsLast(found.entries, options.size, options.md5) ||
      (options.file !== undefined &&
        await sameMultipartAsLast(found.entries, options.file, options.size))
    ) {
      return { version: candidate, skipped };
    }
    const erased = found.entries.every((e) => e.deleteMarker);
    skipped.push({ version: candidate, key: found.key, ...(erased ? { erased } : {}) });
    candidate = options.step(candidate);
  }
  return undefined;
}

/**
 * What S3 versioning keeps of a version's key that holds no object now, for
 * the error of a missing version (`entries`: the key's ListObjectVersions
 * entries; `bucket` and `key`: the bucket's name and the full key, for the
 * aws CLI commands): the noncurrent version its bytes remain as and the
 * delete marker(s) to delete, by id, to bring it back; that no bytes remain
 * (a delete while versioning was suspended erased the key's `"null"`
 * version; noncurrent versions deleted for good); or that the bucket keeps
 * no earlier version of the key. `undefined` when the key holds an object
 * (the caller keeps its own words).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keptVersionHint } from "./version_history.ts";
 * const hint = keptVersionHint({ bucket: "b", key: "t.1.0.0.csv" }, [
 *   { versionId: "m1", isLatest: true, deleteMarker: true },
 *   { versionId: "v1", isLatest: false, deleteMarker: false, size: 3, etag: "e" },
 * ]);
 * assert.match(hint!, /--version-id m1` deletes the delete marker/);
 * ```
 */
export function keptVersionHint(
  where: { bucket: string; key: string },
  entries: readonly KeyVersion[],
): string | undefined {
  if (entries.some((e) => e.isLatest && !e.deleteMarker)) return undefined;
  const del = (id: string) =>
    `\`aws s3api delete-object --bucket ${where.bucket} --key ${shellWord(where.key)} ` +
    `--version-id ${id}\``;
  const object = entries.find((e) => !e.deleteMarker);
  const markers = entries.filter((e) => e.deleteMarker);
  if (object !== undefined) {
    const bytes = object.size === undefined ? "" : ` (${object.size} bytes)`;
    const kept =
      `; S3 versioning keeps its bytes as noncurrent version ${object.versionId}${bytes}`;
    if (markers.length === 1) {
      return `${kept}: ${del(markers[0]!.versionId)} deletes the delete marker over it and ` +
        `brings it back`;
    }
    // Stacked markers (the key deleted more than once; S3 lists them newest
    // first, moto after the versions): each one goes.
    return `${kept}, under ${markers.length} delete markers: deleting each brings it back ` +
      `(${del("ID")} for ID ${markers.map((m) => m.versionId).join(", ")})`;
  }
  if (markers.some((m) => m.versionId === "null")) {
    return `; it was deleted while the bucket's S3 versioning was suspended, which keeps no ` +
      `bytes of it (a "null" delete marker only): the bucket has no copy left`;
  }
  if (markers.length > 0) {
    return `; S3 versioning keeps only delete markers of it, no bytes (its noncurrent versions ` +
      `were deleted for good, or a lifecycle rule expired them): the bucket has no copy left`;
  }
  return `; s3://${where.bucket} keeps no earlier version of it (S3 versioning was off when it ` +
    `was deleted, or it never was there)`;
}
