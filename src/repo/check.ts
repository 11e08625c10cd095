/**
 * `vc repo check`: compares the catalog with the store. Every record that is
 * not purged must have its content object, with its size and MD5 (the ETag,
 * or the `vc-md5` metadata when the ETag is not a plain MD5; an object with
 * neither, written behind vc's back, is read and hashed); every content
 * object should belong to a record. Temp files of writers killed mid-upload
 * into a `file://` store are removed by the listing and reported, and
 * multipart uploads of content still open (S3) are reported. A record whose content key is not under
 * the content prefix, or is one the store cannot address (a catalog edited
 * by hand), is reported as such: purge and gc never delete it.
 *
 * @module
 */
import { InvalidInputError, NotFoundError, VcError } from "../errors.ts";
import { Md5, statedMd5 } from "../hash.ts";
import { mapLimit } from "../pool.ts";
import type { PendingUpload } from "../store/types.ts";
import { liveKeysAmong } from "./gc.ts";
import { BACKUP_PREFIX } from "./marker.ts";
import type { Repository } from "./repository.ts";

/** A record whose content is missing or differs. */
export interface CheckProblem {
  /** Record id. */
  id: number;
  /** Content key. */
  key: string;
  /** What is wrong. */
  problem: "missing" | "size mismatch" | "md5 mismatch" | "bad key";
  /** Details: expected and found values. */
  detail: string;
}

/** An object under the content prefix that no live record references. */
export interface Orphan {
  /** Its key. */
  key: string;
  /** Its size. */
  size: number;
  /** When it was written (ISO time); GC deletes it once older than the grace period. */
  lastModified: string;
}

/** What {@linkcode check} found. */
export interface CheckReport {
  /** Records checked (not purged). */
  records: number;
  /** Records with missing or different content. */
  problems: CheckProblem[];
  /** Content objects with no record. */
  orphans: Orphan[];
  /**
   * Temp files that writers killed mid-upload (`kill -9` of an `add`) left
   * under the content prefix of a `file://` store, found and removed by the
   * check's listing (a live writer's are kept): the store no longer holds
   * them, so they do not make the check fail.
   */
  removedTemps: string[];
  /**
   * Multipart uploads of content still open in the store (S3): an `add` in
   * flight, or one killed mid-upload, whose parts the store keeps (and
   * bills) until `gc` aborts them once older than its grace period. They
   * do not make the check fail: a live one cannot be told from a dead one.
   */
  pendingUploads: PendingUpload[];
  /** Why pending uploads could not be listed (no grant, no such listing), if so. */
  uploadsUnchecked?: string;
  /** True when there are no problems and no orphans. */
  ok: boolean;
}

/**
 * Checks `repo`; see the module documentation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Repository } from "./repository.ts";
 * import { check } from "./check.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using repo = await Repository.init(`file://${dir}`);
 *   const r = await repo.add("/x", new Uint8Array([1, 2]));
 *   assert.equal((await check(repo)).ok, true);
 *   await repo.store.delete([r.contentKey]);
 *   assert.equal((await check(repo)).problems[0]?.problem, "missing");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function check(
  repo: Repository,
  options: {
    concurrency?: number;
    onProgress?: (done: number, total: number) => void;
    /** Stops the check (rejects with the signal's reason). */
    signal?: AbortSignal;
  } = {},
): Promise<CheckReport> {
  // Looked at per record below too; but an empty catalog has none, and the
  // check would then read it and resolve, the abort unheard.
  options.signal?.throwIfAborted();
  const rows = await repo.catalog.transaction(
    "read",
    (tx) =>
      tx.query(
        "SELECT id, content_key, size, md5 FROM records WHERE state <> 'purged' ORDER BY id",
      ),
  );
  let done = 0;
  const found = await mapLimit(
    rows,
    options.concurrency ?? 16,
    async (row): Promise<CheckProblem | undefined> => {
      options.signal?.throwIfAborted();
      const id = Number(row.id);
      const key = String(row.content_key);
      const size = Number(row.size);
      const md5 = String(row.md5);
      const prefix = repo.marker.contentPrefix;
      if (!key.startsWith(prefix)) {
        options.onProgress?.(++done, rows.length);
        return {
          id,
          key,
          problem: "bad key",
          detail: `not under ${prefix} (purge and gc will not delete it)`,
        };
      }
      let info;
      try {
        info = await repo.store.head(
          key,
          options.signal === undefined ? {} : { signal: options.signal },
        );
      } catch (error) {
        // A key the store refuses (`content/../x`, from a catalog edited by
        // hand) is this record's problem, not the end of the check.
        if (!(error instanceof InvalidInputError)) throw error;
        options.onProgress?.(++done, rows.length);
        return { id, key, problem: "bad key", detail: error.message };
      }
      options.onProgress?.(++done, rows.length);
      if (!info) return { id, key, problem: "missing", detail: "no content object" };
      if (info.size !== size) {
        return {
          id,
          key,
          problem: "size mismatch",
          detail: `recorded ${size} bytes, stored ${info.size}`,
        };
      }
      const stored = statedMd5(info);
      if (stored !== undefined) {
        if (stored === md5) return undefined;
        return { id, key, problem: "md5 mismatch", detail: `recorded ${md5}, stored ${stored}` };
      }
      // The store states no MD5 (a multipart ETag without vc's `vc-md5`, which
      // every add stores: the object was written behind vc's back, say by
      // `aws s3 cp`): its bytes are the only way to tell, so hash them.
      const hashed = await hashObject(repo, key, options.signal);
      if (hashed === undefined) return { id, key, problem: "missing", detail: "no content object" };
      if (hashed === md5) return undefined;
      return {
        id,
        key,
        problem: "md5 mismatch",
        detail: `recorded ${md5}, stored content hashes to ${hashed} (the store states no MD5)`,
      };
    },
  );
  const live = new Set(rows.map((r) => String(r.content_key)));
  const orphans: Orphan[] = [];
  const removedTemps: string[] = [];
  const listing = repo.store.list(repo.marker.contentPrefix, {
    etags: false,
    onSwept: (path) => removedTemps.push(path),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  for await (const info of listing) {
    if (!live.has(info.key)) {
      orphans.push({
        key: info.key,
        size: info.size,
        lastModified: info.lastModified.toISOString(),
      });
    }
  }
  // The catalog was read before the store was looked at, and other
  // processes go on meanwhile: a purge (or gc) deletes the content of a
  // record that was live then, and an add records content the listing then
  // finds. Neither is damage, as a prune beside a verify is not: what is
  // missing or unreferenced is reported only if the catalog still says so.
  const recheck = [
    ...found.flatMap((p) => p?.problem === "missing" ? [p.key] : []),
    ...orphans.map((o) => o.key),
  ];
  const liveNow = recheck.length === 0
    ? new Set<string>()
    : await repo.catalog.transaction("read", (tx) => liveKeysAmong(tx, recheck));
  const problems = found.filter((p): p is CheckProblem =>
    p !== undefined && (p.problem !== "missing" || liveNow.has(p.key))
  );
  const stillOrphans = orphans.filter((o) => !liveNow.has(o.key));
  const pendingUploads: PendingUpload[] = [];
  let uploadsUnchecked: string | undefined;
  if (repo.store.pendingUploads !== undefined) {
    try {
      // Content's (an add's) and a backup's killed mid-upload.
      for (const prefix of [repo.marker.contentPrefix, BACKUP_PREFIX]) {
        const uploads = repo.store.pendingUploads(
          prefix,
          options.signal === undefined ? {} : { signal: options.signal },
        );
        for await (const upload of uploads) pendingUploads.push(upload);
      }
    } catch (error) {
      // A separate grant on S3, and missing from some S3-compatible stores.
      if (!(error instanceof VcError)) throw error;
      uploadsUnchecked = error.message;
    }
  }
  return {
    records: rows.length,
    problems,
    orphans: stillOrphans,
    removedTemps,
    pendingUploads,
    ...(uploadsUnchecked === undefined ? {} : { uploadsUnchecked }),
    ok: problems.length === 0 && stillOrphans.length === 0,
  };
}

/**
 * The hex MD5 of the object at `key`, or undefined when it is gone (deleted
 * since the `head`).
 */
async function hashObject(
  repo: Repository,
  key: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  let got;
  try {
    got = await repo.store.get(key, signal === undefined ? {} : { signal });
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const hash = new Md5();
  if (got.bytes !== undefined) {
    hash.update(got.bytes);
  } else {
    for await (const chunk of got.body) hash.update(chunk);
  }
  return hash.hex();
}
