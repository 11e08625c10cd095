/**
 * A cached copy's MD5, read from the disk when a revalidation needs it: the
 * copy of an object another tool uploaded in parts was checked by its parts
 * (its ETag states no MD5 of the whole), so its record has none. When that
 * object is written again in one piece (a copy onto itself to change its
 * metadata or storage class, a tool that PUTs whole files), its new ETag is
 * the MD5 of its content: one read of the copy tells whether it holds those
 * bytes, where a download of the whole object did.
 *
 * @module
 */
import { statusOrUndefinedSync } from "../file_status.ts";
import { md5File, statedMd5 } from "../hash.ts";
import type { ObjectInfo } from "../store/types.ts";
import type { EntryRec } from "./entry_index.ts";
import { isOwnDataFile } from "./entry_records.ts";

/**
 * The MD5 `head` states (a plain ETag, `vc-md5`, rclone's `md5chksum`) when
 * `rec`'s copy, whose record has no MD5, holds bytes of that MD5; else
 * `undefined` (no MD5 stated or recorded already, another size, a copy that
 * is no longer the one recorded, or other bytes). A copy that cannot be read
 * is `undefined` too: the caller then downloads, as it did before.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyHoldsStatedMd5 } from "./copy_md5.ts";
 * const rec = { path: "/nonexistent", size: 1, md5: "0cc175b9c0f1b6a831c399e269772661" };
 * const head = { key: "k", etag: "0cc175b9c0f1b6a831c399e269772661", size: 1, lastModified: new Date() };
 * // The record knows its MD5 already: nothing to read.
 * assert.equal(await copyHoldsStatedMd5(rec as never, head), undefined);
 * ```
 */
export async function copyHoldsStatedMd5(
  rec: EntryRec,
  head: ObjectInfo,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (rec.md5 !== undefined || head.size !== rec.size) return undefined;
  const stated = statedMd5(head);
  if (stated === undefined) return undefined;
  // Not the copy the record describes (removed, replaced, edited): a download decides.
  if (!isOwnDataFile(statusOrUndefinedSync(rec.path), rec)) return undefined;
  try {
    const actual = await md5File(rec.path, signal === undefined ? {} : { signal });
    return actual === stated ? stated : undefined;
  } catch (e) {
    if (signal?.aborted) throw e;
    return undefined;
  }
}
