/**
 * Checks a cached copy's bytes against its record (size, then MD5, part
 * MD5s or SHA-256, whichever the record has). Shared by `vc cache verify`,
 * `copyVerified` and an offline look at a copy whose modification time
 * changed. Loaded only by those: it pulls in the hashing code.
 *
 * @module
 */
import { checkFile, type ExpectedFile, fileChecker } from "../verify.ts";
import type { EntryMeta } from "./entry_meta.ts";
import type { ObjectChecksum } from "../store/types.ts";

/** What the record says of a cached copy that a check of its bytes needs. */
export type CopyMeta = Pick<
  EntryMeta,
  "size" | "etag" | "md5" | "sha256" | "partSizes" | "opaqueEtag" | "checksum"
>;

/** How a check of a cached copy may be stopped, and told of. */
export interface CopyCheckOptions {
  /** Stops the check. */
  signal?: AbortSignal;
  /**
   * Told how much of the copy is read (seconds a GB); by
   * {@linkcode copyChecker}, only when the hashes streamed cannot settle it.
   */
  onProgress?: (progress: { bytes: number; total: number }) => void;
}

/**
 * What is wrong with the file at `path` as a copy of `meta`'s data, or
 * undefined when it matches ("data file is missing" when there is none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { problemWithCopy } from "./record_check.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "hello");
 *   const meta = { etag: "5d41402abc4b2a76b9719d911017c592", size: 5 };
 *   assert.equal(await problemWithCopy(p, meta), undefined);
 *   await Deno.writeTextFile(p, "jello");
 *   assert.match((await problemWithCopy(p, meta))!, /5d41402abc4b2a76b9719d911017c592/);
 *   assert.equal(await problemWithCopy(`${p}.none`, meta), "data file is missing");
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export async function problemWithCopy(
  path: string,
  meta: CopyMeta,
  options: CopyCheckOptions = {},
): Promise<string | undefined> {
  try {
    return await checkFile(path, expectedOf(meta), options);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return "data file is missing";
  }
}

/**
 * {@linkcode problemWithCopy} for bytes streamed elsewhere (a copy out of
 * the cache): see `fileChecker`. `path` names the cached copy in messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyChecker } from "./record_check.ts";
 * const meta = { etag: "5d41402abc4b2a76b9719d911017c592", size: 5 };
 * const checker = copyChecker("/cache/x.txt", meta, {});
 * const h = checker.hasher(true, 5);
 * h.update(new TextEncoder().encode("jello"));
 * const problem = await checker.check("/nowhere", h.finish(), 5);
 * assert.match(problem!, /\/cache\/x.txt.*5d41402abc4b2a76b9719d911017c592/);
 * ```
 */
export function copyChecker(
  path: string,
  meta: CopyMeta,
  options: CopyCheckOptions,
): ReturnType<typeof fileChecker> {
  return fileChecker(expectedOf(meta), { ...options, uri: path });
}

function expectedOf(
  meta: CopyMeta,
): ExpectedFile {
  const expected: ExpectedFile = { size: meta.size, etag: meta.etag };
  if (meta.md5 !== undefined) expected.md5 = meta.md5;
  if (meta.partSizes !== undefined) expected.partSizes = meta.partSizes;
  // A SHA-256 recorded (a locked download, or `vc add`) is the whole check:
  // the bytes it was taken of were verified, and their multipart ETag may
  // not be derivable again (parts of a size no usual one explains, recorded
  // by neither an MD5 nor part sizes): such a good copy was removed each run.
  if (meta.sha256 !== undefined) expected.sha256 = meta.sha256;
  // The store's checksum the download was verified with, when nothing else could be.
  const checksum = /^([A-Z0-9]+):(.+)$/.exec(meta.checksum ?? "");
  if (checksum !== null) {
    expected.checksum = {
      algorithm: checksum[1] as ObjectChecksum["algorithm"],
      value: checksum[2]!,
    };
  }
  // SSE-KMS and SSE-C ETags look like an MD5 and are not one.
  if (meta.opaqueEtag === true) expected.opaqueEtag = true;
  return expected;
}
