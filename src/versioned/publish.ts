/**
 * Publishing one version: a create-only upload of a file whose digests were
 * taken from a stat snapshot, verified before any manifest points at it.
 *
 * @module
 */
import { CallbackGuard } from "../callback.ts";
import { contentTypeFor } from "../content_type.ts";
import { IntegrityError, InvalidInputError, PreconditionFailedError } from "../errors.ts";
import { normalizeEtag, parseEtag, statedMd5 } from "../hash.ts";
import type { KeyVersion, ObjectStore } from "../store/types.ts";
import { NOT_OURS, uploadProblem } from "../upload_check.ts";
import { joinUri } from "../uri.ts";
import { publishedKey } from "./naming.ts";
import { abortAbandonedPublishes, type PublishWarning } from "./abandoned_publishes.ts";
import { headVersion } from "./slash_keys.ts";
import type { LockEntry } from "./lock_file.ts";
import {
  assertUnchanged,
  sizeMismatchError,
  SourceChangedError,
  type SourceDigest,
  type SourceSnapshot,
} from "./source_file.ts";

/** What {@linkcode publishVersion} publishes. */
export interface PublishRequest {
  /** Root URI of the bucket (for messages). */
  bucket: string;
  /** The manifest that will pin it (for messages). */
  manifest: string;
  /** The versioned path. */
  path: string;
  /** The version to create. */
  version: string;
  /** The file's stat identity, taken before `digest` was computed. */
  snapshot: SourceSnapshot;
  /** The file's digests. */
  digest: SourceDigest;
  /** What to tell the user when someone else created the version first. */
  retryHint: string;
  /** Upload progress. */
  onProgress?: ((p: { bytes: number; total: number }) => void) | undefined;
  /** Progress of the check after a multipart upload (the file read again). */
  onCheckProgress?: ((p: { bytes: number; total: number }) => void) | undefined;
  /** Cancels the upload. */
  signal?: AbortSignal | undefined;
  /**
   * Told of each upload of the path's versions left open by a publish
   * stopped midway a day or more ago, which this one aborts first.
   * Default: none said.
   */
  onWarning?: PublishWarning | undefined;
  /** The time now (ms since the epoch), to age those uploads by. Default: `Date.now()`. */
  now?: number | undefined;
}

/**
 * The key of version `version` of `path` when it holds exactly `file` (same
 * size and MD5, from the ETag or `vc-md5` metadata; for an object another
 * tool uploaded in parts, the file's own multipart ETag or the lock file's
 * SHA-256 of that version), else `undefined`. With a lock entry for the
 * version that names other content, always `undefined`: the lock file, not
 * the bucket, says what a published version is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { identicalVersion } from "./publish.ts";
 * import { FsStore } from "../store/fs.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const store = new FsStore(dir);
 *   await store.put("a.1.0.0.csv", new TextEncoder().encode("abc"));
 *   const digest = { size: 3, md5: "900150983cd24fb0d6963f7d28e17f72", sha256: "" };
 *   assert((await identicalVersion(store, "/a.csv", "1.0.0", "a.csv", digest)) === "a.1.0.0.csv");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function identicalVersion(
  store: ObjectStore,
  path: string,
  version: string,
  file: string,
  digest: SourceDigest,
  locked?: LockEntry,
): Promise<string | undefined> {
  // A lock entry that names other content says what the version is: the
  // file is not it, even when the bucket's object (replaced behind vc's back)
  // now holds the file's bytes.
  if (locked !== undefined && (locked.size !== digest.size || locked.sha256 !== digest.sha256)) {
    return undefined;
  }
  // The version may be one another tool wrote under a `/` key.
  const found = await headVersion(store, path, version);
  if (found === undefined || found.info.size !== digest.size) return undefined;
  const { info } = found;
  const etag = parseEtag(info.etag);
  const md5 = statedMd5(info);
  // No MD5 to compare with (a multipart upload by another tool, without
  // vc-md5): the file's own multipart ETag, with the part sizes the store
  // tells; else the lock file's SHA-256 of that version, when it has one
  // (it matched the file's above).
  const same = md5 !== undefined
    ? md5 === digest.md5
    : (etag.kind === "multipart" && info.opaqueEtag !== true &&
      await (await import("../verify.ts")).fileHasMultipartEtag(store, found.key, file, info)) ||
      locked !== undefined;
  return same ? found.key : undefined;
}

/**
 * Refuses (`InvalidInputError`) to publish a file identical to version
 * `latest` of `path` (same size and MD5, from the ETag or `vc-md5` metadata).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseIdentical } from "./publish.ts";
 * import { FsStore } from "../store/fs.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const store = new FsStore(dir);
 *   await store.put("a.1.0.0.csv", new TextEncoder().encode("abc"));
 *   const digest = { size: 3, md5: "900150983cd24fb0d6963f7d28e17f72", sha256: "" };
 *   await assert.rejects(
 *     () => refuseIdentical(store, `file://${dir}`, "/a.csv", "1.0.0", "a.csv", digest),
 *     /identical/,
 *   );
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function refuseIdentical(
  store: ObjectStore,
  bucket: string,
  path: string,
  latest: string,
  file: string,
  digest: SourceDigest,
  locked?: LockEntry,
): Promise<void> {
  const key = await identicalVersion(store, path, latest, file, digest, locked);
  if (key === undefined) return;
  throw new InvalidInputError(
    `${file} is identical to ${path} ${latest} (${
      joinUri(bucket, key)
    }); nothing was published. Pass the force option to publish it as a new version anyway`,
  );
}

/**
 * Uploads the file as `path`@`version` with a create-only write and checks
 * the stored object before anyone (the manifest) points at it. The snapshot
 * was taken before the digest: if the file changed since, what was uploaded
 * is not what was hashed, and the new object is deleted again (create-only:
 * it is ours, and nothing points at it yet). Throws
 * `PreconditionFailedError` when the version exists, `SourceChangedError`,
 * or `IntegrityError` when the stored object cannot be verified. Returns the
 * ETag of the upload.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishVersion } from "./publish.ts";
 * import { digestSource, snapshotSource } from "./source_file.ts";
 * import { FsStore } from "../store/fs.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a.csv`, "abc");
 *   const store = new FsStore(`${dir}/bucket`);
 *   const snapshot = await snapshotSource(`${dir}/a.csv`);
 *   const digest = await digestSource(`${dir}/a.csv`);
 *   await publishVersion(store, { bucket: "b", manifest: "m.json", path: "/a.csv",
 *     version: "1.0.0", snapshot, digest, retryHint: "retry" });
 *   assert.equal(await Deno.readTextFile(`${dir}/bucket/a.1.0.0.csv`), "abc");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function publishVersion(
  store: ObjectStore,
  request: PublishRequest,
): Promise<string> {
  const { path, version, snapshot, digest, onProgress, retryHint, manifest } = request;
  const file = snapshot.path;
  const key = publishedKey(path, version);
  const uri = joinUri(request.bucket, key);
  const { size, md5 } = digest;
  if (size !== snapshot.size) {
    throw await sizeMismatchError(
      snapshot,
      size,
      `${file} changed while it was hashed; run the command again`,
    );
  }
  // Before this publish can leave an upload of its own: one left open by an
  // earlier one killed midway (a re-run comes here for the same key) is
  // billed until it is aborted. A younger one may be a live writer's racing
  // for this version; it is left alone, and the create-only write decides.
  await abortAbandonedPublishes(store, request.bucket, path, {
    now: request.now ?? Date.now(),
    onWarning: request.onWarning ?? (() => {}),
    signal: request.signal,
  });
  let etag: string;
  // The version S3 versioning gave this upload, when it said: what is
  // deleted, should the upload not be kept (no delete marker is left).
  let versionId: string | undefined;
  // Whether the object at the key was found holding the file (after an
  // interrupted put, or written by a racing publish of the same bytes),
  // rather than known to be this upload by its answer.
  let adopted = false;
  let racedSame = false;
  // An onProgress that throws (or whose promise rejects) aborts the upload
  // as the signal would, and is what the publish rejects with, a
  // CallbackError (it came out as if the store's error, or unhandled).
  const callbacks = new CallbackGuard();
  const signal = onProgress === undefined ? request.signal : callbacks.with(request.signal);
  try {
    // 0 as the upload starts: a store reports its bytes as parts are stored
    // (a multipart upload's first after a whole part, tens of seconds on a
    // slow uplink), and until then a progress display still showed the
    // hashing at 100%, as if stuck after it.
    if (onProgress) callbacks.call("onProgress", onProgress, { bytes: 0, total: size });
    ({ etag, versionId } = await store.put(key, { path: file }, {
      ifNoneMatch: "*",
      md5,
      size,
      // Kept so multipart uploads (whose ETag is not the MD5) stay verifiable.
      metadata: { "vc-md5": md5 },
      // As `aws s3 cp` and `vc mirror` set one: a browser or a bucket served
      // as a website shows `table.1.0.0.csv` as a CSV, not as a download.
      contentType: contentTypeFor(key),
      ...(signal === undefined ? {} : { signal }),
      ...(onProgress
        ? {
          onProgress: (bytes: number) =>
            callbacks.call("onProgress", onProgress, { bytes, total: size }),
        }
        : {}),
    }));
  } catch (error) {
    // Another publish won the race for the version. With the same bytes
    // (two CI jobs adding one file) the version is what this one would have
    // made, and is pinned as is: failing the second job helped no one.
    const raced = error instanceof PreconditionFailedError;
    // Interrupted while the store committed the upload (a Ctrl-C cutting off
    // the completion's answer): the version is published all the same, and
    // create-only, it stays. Left unpinned it would block the path's next
    // `add` with "already has versions"; pinned, as an upload that landed
    // just before the interrupt is.
    const landed = raced || signal?.aborted === true
      ? await landedCopy(store, key, digest)
      : undefined;
    if (landed === undefined) {
      if (!raced) throw callbacks.error ?? error;
      throw new PreconditionFailedError(
        `version ${version} of ${path} was published by someone else meanwhile (${uri} exists); ${retryHint}. ${manifest} was not changed`,
        { cause: error },
      );
    }
    if (raced) {
      request.onWarning?.({
        key,
        message:
          `${uri} was published by someone else meanwhile, with the same content as ${file}: pinned as it is`,
      });
    }
    etag = landed;
    adopted = true;
    racedSame = raced;
  }
  const lost = () =>
    new PreconditionFailedError(
      `version ${version} of ${path} was published by someone else meanwhile (${uri} is ` +
        `another upload than this one; it was left as it is); ${retryHint}. ${manifest} was not ` +
        `changed`,
    );
  try {
    await assertUnchanged(snapshot, `upload to ${uri}`);
  } catch (error) {
    // An adopted object may be another writer's with the same bytes: not ours to delete.
    const removed = adopted
      ? "adopted"
      : await removeOwnUpload(store, key, { etag, size }, versionId);
    if (removed === "not ours") throw lost();
    throw new SourceChangedError(
      `${(error as Error).message}; ${
        removed === "removed"
          ? "the upload was deleted"
          : removed === "adopted"
          ? `${uri} (maybe another writer's) was left as it is`
          : `the upload could not be deleted: remove ${uri}`
      } and ${manifest} was not changed`,
      { cause: error },
    );
  }
  const problem = await uploadProblem(store, {
    key,
    etag,
    md5,
    size,
    file,
    onCheckProgress: request.onCheckProgress,
  });
  if (problem === undefined) return etag;
  // The racing writer's object, not ours to delete when it does not check out.
  if (problem === NOT_OURS || racedSame) throw lost();
  // We created this object a moment ago and nothing points at it yet; a
  // corrupt version must not stay around as the "latest" one.
  const removed = await removeOwnUpload(store, key, { etag, size }, versionId);
  if (removed === "not ours") throw lost();
  throw new IntegrityError(
    `upload of ${file} to ${uri} could not be verified: ${problem}; ${
      removed === "removed" ? "the upload was deleted" : "the upload could not be deleted"
    } and ${manifest} was not changed`,
  );
}

/**
 * The ETag of the object at `key` when it holds the file `digest` describes
 * (its size and its MD5, from the ETag or `vc-md5`), else `undefined`; also
 * when the store cannot be asked (the caller goes on with its own error).
 */
async function landedCopy(
  store: ObjectStore,
  key: string,
  digest: SourceDigest,
): Promise<string | undefined> {
  try {
    const info = await store.head(key);
    if (info === undefined || info.size !== digest.size) return undefined;
    return statedMd5(info) === digest.md5 ? info.etag : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the object this process uploaded at `key`, only while the key
 * still holds that upload (its ETag): on a store whose create-only write is
 * not atomic (moto completes multipart uploads without checking again), two
 * writers can both succeed, and the other one's version, which its manifest
 * may already name, must not be deleted. Not atomic either (there is no
 * conditional delete here), but it narrows the window to one request.
 *
 * With the `versionId` the store answered the upload with (S3 versioning)
 * and a store that deletes one version, exactly that version goes, and its
 * delete's answer settles it: a plain delete would leave a delete marker
 * over a key that no one could ever have read, and the next publish would
 * take it for a version deleted after use (`version_history.ts`: skipped, or
 * refused); one after it, were another writer's object current by then,
 * would hide that one. A store that refuses that delete (a grant without
 * `s3:DeleteObjectVersion`) gets the plain one. An upload whose version id
 * no answer told (the PUT's answer lost and its retry's 412 read as this
 * write; a bucket with versioning suspended writes the `"null"` version)
 * goes by the id the key's listing gives the object with this ETag and size, one
 * ListObjectVersions that also tells whether the key still holds it (no
 * HEAD before it); a HEAD where there is no listing (no
 * `s3:ListBucketVersions`), then the plain delete; and the plain delete
 * too where the object is still there after the `"null"` version's delete
 * (a bucket without versioning lists its objects as version `"null"`,
 * which a store other than S3 may take no notice of).
 */
async function removeOwnUpload(
  store: ObjectStore,
  key: string,
  upload: { etag: string; size: number },
  versionId: string | undefined,
): Promise<"removed" | "not ours" | "failed"> {
  const ours = (found: string) => normalizeEtag(found) === normalizeEtag(upload.etag);
  try {
    if (versionId === undefined && store.deleteVersion !== undefined) {
      // The key's listing: whether it holds this upload, and its version id.
      const listed = await listedVersion(store, key).catch(() => undefined);
      if (listed === "none") return "removed";
      if (listed !== undefined) {
        if (!ours(listed.etag!) || listed.size !== upload.size) return "not ours";
        if (await deletedVersion(store, key, listed.versionId, ours)) return "removed";
        await store.delete([key]);
        return "removed";
      }
    }
    const info = await store.head(key);
    if (info === undefined) return "removed";
    if (!ours(info.etag)) return "not ours";
    if (versionId !== undefined && await deletedVersion(store, key, versionId, ours)) {
      return "removed";
    }
    await store.delete([key]);
    return "removed";
  } catch {
    return "failed";
  }
}

/**
 * The key's current object as its listing (ListObjectVersions) gives it,
 * `"none"` when it holds none; `undefined` where the store keeps no
 * versions, lists none for the key though it holds one (a store listing
 * nothing of a bucket without versioning) or lists it without its ETag or
 * size: a HEAD tells then.
 */
async function listedVersion(
  store: ObjectStore,
  key: string,
): Promise<KeyVersion | "none" | undefined> {
  if (store.keyVersions === undefined) return undefined;
  const entries = await store.keyVersions(key, { limit: 2 });
  // The current object is `isLatest` (S3 lists it first, moto its versions
  // before its delete markers).
  const current = entries.find((e) => e.isLatest && !e.deleteMarker);
  // Listed without its ETag or size: a HEAD tells whose it is.
  if (current !== undefined) {
    return current.etag === undefined || current.size === undefined ? undefined : current;
  }
  // A delete marker over it, or no entry at all: nothing there, as a HEAD's
  // 404 would say; an empty listing is taken on a HEAD's word.
  return entries.length > 0 ? "none" : undefined;
}

/**
 * Deletes version `versionId` of `key`: true when it is gone. A version id
 * a store gave is its own and its delete's answer settles it; the `"null"`
 * version's delete is looked after (a store other than S3 may take no
 * notice of it in a bucket without versioning; still there with `ours`
 * bytes, it is not gone). False when refused or not gone: the caller's
 * plain delete follows.
 */
async function deletedVersion(
  store: ObjectStore,
  key: string,
  versionId: string,
  ours: (etag: string) => boolean,
): Promise<boolean> {
  try {
    await store.deleteVersion!(key, versionId);
  } catch {
    // Refused or failed: the plain delete, which leaves a marker.
    return false;
  }
  if (versionId !== "null") return true;
  // Other bytes there now are another publisher's, written once ours was
  // gone: the plain delete would take them away. A check not answered is
  // taken as gone (S3 answered the delete): a plain delete now would leave
  // the very marker this one avoids.
  const after = await store.head(key).catch(() => undefined);
  return after === undefined || !ours(after.etag);
}
