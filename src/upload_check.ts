/**
 * The check after a create-only upload of a local file, before anything
 * (a manifest, a catalog record) points at the object: the one verifier of
 * `vc add` / `vc update` and `vc repo add`.
 *
 * @module
 */
import { md5File, normalizeEtag, parseEtag } from "./hash.ts";
import type { ObjectStore } from "./store/types.ts";

/** {@linkcode uploadProblem}'s answer when the key holds another upload than ours. */
export const NOT_OURS = "not ours";

/**
 * The problem {@linkcode uploadProblem} and {@linkcode storedProblem} give
 * for an object not there when asked right after its upload: a gateway that
 * kept nothing, or (in a repository) a gc that deleted it meanwhile.
 */
export const MISSING = "the object is missing right after the upload";

/** What {@linkcode uploadProblem} checks an upload against. */
export interface UploadedFile {
  /** The key the content was put at. */
  key: string;
  /** The ETag the put answered. */
  etag: string;
  /** The MD5 (hex) the file was hashed to before the upload, sent as `vc-md5`. */
  md5: string;
  /** The file's size when it was hashed. */
  size: number;
  /** The local file that was uploaded (read again after a multipart upload). */
  file?: string;
  /**
   * Progress of reading `file` again (seconds a GB, after the upload's bytes
   * all went up): called at its start and as it reads; never when the ETag
   * alone settles it.
   */
  onCheckProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
}

/**
 * Why the object just uploaded is not the content that was hashed, or
 * undefined when it is; {@linkcode NOT_OURS} when the key holds another
 * writer's upload (a store whose create-only write is not atomic). A HEAD
 * confirms the object is there with the file's size (a PUT acknowledged
 * with the right MD5 may still have stored nothing). A plain MD5 ETag is
 * compared with the MD5; any other (a multipart upload, or 32 hex digits
 * the HEAD marks as no MD5: SSE-KMS, SSE-C) needs the put's ETag and
 * `vc-md5` in that HEAD, and then the file must still hash to
 * the MD5: `vc-md5` is what vc said, not what the store received, and the
 * parts were read at other times than the hash, so a change that moves no
 * stat field (a writer through a shared mmap into dirty pages, another NFS
 * client under cached attributes) would be stored under the old MD5.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uploadProblem } from "./upload_check.ts";
 * import { MemoryStore } from "./store/memory.ts";
 * const store = new MemoryStore();
 * const md5 = "900150983cd24fb0d6963f7d28e17f72"; // "abc"
 * const { etag } = await store.put("k", new TextEncoder().encode("abc"));
 * assert.equal(await uploadProblem(store, { key: "k", etag, md5, size: 3 }), undefined);
 * ```
 */
export async function uploadProblem(
  store: ObjectStore,
  upload: UploadedFile,
): Promise<string | undefined> {
  const { key, etag, md5, size, file, onCheckProgress } = upload;
  const kind = parseEtag(etag);
  if (kind.kind === "md5" && kind.md5 === md5) {
    // Asked even when the PUT's answer carried the right MD5: a gateway or
    // proxy that acknowledges a write and keeps nothing answers just that,
    // and the manifest or catalog would point at nothing. Its presence and
    // size only: the MD5 was the put's answer, and a store may give a HEAD
    // an ETag of another form than the PUT's.
    return await storedProblem(store, key, { size });
  }
  const info = await store.head(key);
  if (info === undefined) return MISSING;
  // 32 hex digits that are not the MD5: a wrong one, unless the store says
  // it is none (SSE-KMS, SSE-C, a bucket's default encryption included),
  // which is then judged as a multipart ETag is, by `vc-md5`.
  if (kind.kind === "md5" && info.opaqueEtag !== true) {
    return `stored ETag ${normalizeEtag(etag)} is not the file's MD5 ${md5}`;
  }
  // Another writer's upload (a store whose create-only write is not atomic): not ours to judge.
  if (normalizeEtag(info.etag) !== normalizeEtag(etag)) return NOT_OURS;
  if (info.size !== size) return `stored size ${info.size} is not the file's size ${size}`;
  const stored = info.metadata?.["vc-md5"];
  // No vc-md5 either: nothing shows the stored bytes are ours (a proxy that
  // drops metadata and ETags), so it is refused like a mismatch.
  if (stored === undefined) {
    return `ETag ${normalizeEtag(etag)} is not an MD5 and no vc-md5 metadata was stored`;
  }
  if (stored.toLowerCase() !== md5) return `stored vc-md5 ${stored} is not the file's MD5 ${md5}`;
  // Not its multipart ETag: stores with encryption or their own scheme give
  // ETags that are no MD5 of parts. Bytes uploaded from memory cannot change.
  if (file !== undefined && (await md5File(file, checkReport(size, onCheckProgress))) !== md5) {
    return `${file} no longer has the MD5 ${md5} it was hashed to`;
  }
  return undefined;
}

/**
 * Why the object just put at `key` is not there as the put said (missing,
 * or of another size), or undefined when it is: a gateway or proxy
 * may answer a PUT 200 and keep nothing. For writes whose URI is handed to
 * the user as the thing written (a backup), where no MD5 was hashed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storedProblem } from "./upload_check.ts";
 * import { MemoryStore } from "./store/memory.ts";
 * const store = new MemoryStore();
 * await store.put("k", new TextEncoder().encode("abc"));
 * assert.equal(await storedProblem(store, "k", { size: 3 }), undefined);
 * assert.match((await storedProblem(store, "gone", { size: 3 }))!, /missing/);
 * ```
 */
export async function storedProblem(
  store: ObjectStore,
  key: string,
  put: { size?: number | undefined; etag?: string | undefined },
  signal?: AbortSignal,
): Promise<string | undefined> {
  const info = await store.head(key, signal === undefined ? {} : { signal });
  return foundProblem(info, put);
}

/**
 * {@linkcode storedProblem}'s judgement of the object found (a HEAD's
 * answer, or a listing's entry; `undefined` when there is none): missing,
 * of another size than `put.size`, or, given `put.etag` (the ETag the put
 * was answered with), holding other bytes. ETags are compared only when
 * both are MD5-shaped (32 hex digits, not weak): a store may give a HEAD or
 * a listing an ETag of another form than its PUT's answer (a multipart
 * one), or none (`""`, a listing without ETags), and those say nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foundProblem } from "./upload_check.ts";
 * const put = { size: 3, etag: "900150983cd24fb0d6963f7d28e17f72" };
 * assert.equal(foundProblem({ size: 3, etag: put.etag }, put), undefined);
 * assert.equal(foundProblem({ size: 3, etag: "" }, put), undefined);
 * assert.match(foundProblem(undefined, put)!, /missing/);
 * assert.match(foundProblem({ size: 3, etag: "0".repeat(32) }, put)!, /other bytes/);
 * ```
 */
export function foundProblem(
  info: { size: number; etag: string } | undefined,
  put: { size?: number | undefined; etag?: string | undefined },
): string | undefined {
  if (info === undefined) return MISSING;
  if (put.size !== undefined && info.size !== put.size) {
    return `stored size ${info.size} is not the ${put.size} bytes uploaded`;
  }
  if (put.etag !== undefined && !info.etag.startsWith("W/") && !put.etag.startsWith("W/")) {
    const found = parseEtag(info.etag);
    const answered = parseEtag(put.etag);
    if (found.kind === "md5" && answered.kind === "md5" && found.md5 !== answered.md5) {
      return `stored ETag ${found.md5} is not the ${answered.md5} the upload was answered with ` +
        "(other bytes were stored)";
    }
  }
  return undefined;
}

/**
 * `md5File`'s options for a check of a file of `size` bytes reported to
 * `onCheckProgress` (its start reported now, so the check is seen from its
 * first second, not once 8 MiB are read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReport } from "./upload_check.ts";
 * const seen: number[] = [];
 * const options = checkReport(10, (p) => seen.push(p.bytes));
 * options.onProgress?.(10);
 * assert.deepEqual(seen, [0, 10]);
 * ```
 */
export function checkReport(
  size: number,
  onCheckProgress: ((progress: { bytes: number; total: number }) => void) | undefined,
): { onProgress?: (bytes: number) => void } {
  if (onCheckProgress === undefined) return {};
  onCheckProgress({ bytes: 0, total: size });
  return { onProgress: (bytes) => onCheckProgress({ bytes, total: size }) };
}
