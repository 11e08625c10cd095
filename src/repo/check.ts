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
 * A store failure on one record (a 5xx past its retries, a timeout, a 403 on
 * one key) does not end the check: that record is reported as unchecked and
 * the others are still looked at, as a listing that fails leaves the
 * orphans unchecked (a store failing on 100 records in a row is down, and
 * ends the check). Content no record references that is younger than the
 * grace period (gc's, 7 days by default) is reported apart as recent, and
 * does not fail the check: an `add` in flight has uploaded it and not yet
 * recorded it, and gc never deletes it before then.
 *
 * @module
 */
import { withCallbackGuard } from "../callback.ts";
import { InvalidInputError, NotFoundError, VcError } from "../errors.ts";
import { Md5, statedMd5 } from "../hash.ts";
import { forEachLimit } from "../pool.ts";
import { checkPositiveInteger } from "../options_check.ts";
import type { ObjectInfo, PendingUpload } from "../store/types.ts";
import {
  DEFAULT_GRACE_MS,
  liveBatches,
  liveKeysAmong,
  liveRecordCount,
  period,
  purgedAmongRestored,
  purgedRecordsNaming,
  restoredMarkIn,
} from "./gc.ts";
import { RECORDS_PER_PAGE } from "./record_pages.ts";
import { BACKUP_PREFIX } from "./marker.ts";
import type { Row } from "./catalog.ts";
import type { Repository } from "./repository.ts";
import { REPO_CHECK } from "../command_words.ts";

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
  /**
   * The purged record that names it, when one does: content its purge left
   * (a gc killed before its delete, a delete the store refused), which an
   * adopt refuses; gc deletes it.
   */
  purgedRecord?: number;
}

/** A record whose content the store did not let the check look at. */
export interface CheckUnchecked {
  /** Record id. */
  id: number;
  /** Content key. */
  key: string;
  /** The store's error. */
  error: string;
}

/** Options of {@linkcode check}. */
export interface CheckOptions {
  /** Records looked at at once (default 16). */
  concurrency?: number;
  /** Called as each record has been looked at. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called as the store's content is listed, after the records (one LIST a
   * thousand objects on S3: minutes for millions, which the records' count
   * alone left unsaid).
   */
  onListed?: (listed: number) => void;
  /** Stops the check (rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Unreferenced content younger than this (ms; default gc's 7 days) is
   * reported as {@linkcode CheckReport.recentOrphans}, which do not fail the
   * check; 0 counts every one as an orphan.
   */
  graceMs?: number;
}

/** What {@linkcode check} found. */
export interface CheckReport {
  /** Records checked (not purged). */
  records: number;
  /** Records with missing or different content. */
  problems: CheckProblem[];
  /** Content objects with no record, older than the grace period. */
  orphans: Orphan[];
  /**
   * Content objects with no record, younger than the grace period: most
   * likely an `add` in flight (uploaded, not yet recorded). They do not make
   * the check fail; gc deletes them once older than its grace period if
   * nothing records them.
   */
  recentOrphans: Orphan[];
  /**
   * Content objects with no record that a restore of an older snapshot
   * found so (added after the snapshot was taken: the only copy of what it
   * dropped), of any age: gc keeps them until `releaseRestored`. Not in
   * {@linkcode CheckReport.orphans} or {@linkcode CheckReport.recentOrphans},
   * and they do not make the check fail. Absent when there are none.
   */
  keptRestored?: Orphan[];
  /** Records whose content the store failed to answer for (not checked). */
  unchecked: CheckUnchecked[];
  /** Why the store's content could not be listed (orphans not looked for), if so. */
  contentUnchecked?: string;
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
  /** True when there are no problems, no orphans and nothing unchecked. */
  ok: boolean;
}

/** Store failures in a row (none answered between) that end the check. */
const STORE_DOWN_AFTER = 100;

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
  options: CheckOptions = {},
): Promise<CheckReport> {
  // An onProgress or onListed that throws (or whose promise rejects) stops
  // the check as its signal would, and is what it rejects with: a
  // CallbackError.
  return await withCallbackGuard(
    options,
    ["onProgress", "onListed"],
    (guarded) => checkGuarded(repo, guarded),
  );
}

async function checkGuarded(repo: Repository, options: CheckOptions): Promise<CheckReport> {
  const grace = period(options.graceMs ?? DEFAULT_GRACE_MS, "check grace");
  checkPositiveInteger("Repository.check(): the option concurrency", options.concurrency);
  // Looked at per record below too; but an empty catalog has none, and the
  // check would then read it and resolve, the abort unheard.
  options.signal?.throwIfAborted();
  const now = repo.clock.now();
  // The records a page at a time, never all at once (see liveBatches); the
  // count first, for the progress.
  let total = await liveRecordCount(repo.catalog);
  let records = 0;
  let done = 0;
  const found: CheckProblem[] = [];
  const unchecked: CheckUnchecked[] = [];
  let failedInARow = 0;
  await forEachLimit(
    liveRecordPages(repo),
    options.concurrency ?? 16,
    async (row): Promise<void> => {
      try {
        options.signal?.throwIfAborted();
        const problem = await checkRecord(repo, row, options.signal);
        failedInARow = 0;
        if (problem !== undefined) found.push(problem);
      } catch (error) {
        // One key the store fails on (a 5xx past its retries, a timeout, a
        // 403) is that record's, not the end of the check; a Ctrl-C is.
        if (!(error instanceof VcError) || options.signal?.aborted) throw error;
        unchecked.push({ id: Number(row.id), key: String(row.content_key), error: error.message });
        // A store down for good would otherwise cost every remaining record
        // its retries (days for millions) to report each as unchecked.
        if (++failedInARow >= STORE_DOWN_AFTER) {
          error.message += `; the store failed on ${STORE_DOWN_AFTER} records in a row, so the ` +
            `check stopped (${
              done + 1
            } of ${total} records looked at): run ${REPO_CHECK.library} ` +
            "again once the store answers";
          throw error;
        }
      } finally {
        options.onProgress?.(++done, total);
      }
    },
  );
  // Answered as the store did: in id order, as the records were taken.
  found.sort((a, b) => a.id - b.id);

  async function* liveRecordPages(repo: Repository): AsyncGenerator<Row, void, undefined> {
    for (let after = 0;;) {
      const page = await repo.catalog.transaction("read", (tx) =>
        tx.query(
          "SELECT id, content_key, size, md5 FROM records WHERE state <> 'purged' AND id > $1 " +
            `ORDER BY id LIMIT ${RECORDS_PER_PAGE}`,
          [after],
        ));
      records += page.length;
      // Added since the count: counted as they come.
      total = Math.max(total, records);
      yield* page;
      if (page.length < RECORDS_PER_PAGE) return;
      after = Number(page.at(-1)!.id);
    }
  }
  const orphans: Orphan[] = [];
  const removedTemps: string[] = [];
  const listing = repo.store.list(repo.marker.contentPrefix, {
    etags: false,
    onSwept: (path) => removedTemps.push(path),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  let contentUnchecked: string | undefined;
  // The store's listing, ended by its failure: the records are checked, only
  // the orphans are not all looked for. The catalog's failure, as each batch
  // is looked up, ends the check.
  async function* listedObjects(): AsyncGenerator<ObjectInfo, void, undefined> {
    try {
      yield* listing;
    } catch (error) {
      if (!(error instanceof VcError) || options.signal?.aborted) throw error;
      contentUnchecked = error.message;
    }
  }
  let listed = 0;
  options.onListed?.(0);
  for await (const { objects, live } of liveBatches(repo.catalog, listedObjects())) {
    for (const info of objects) {
      options.onListed?.(++listed);
      if (!live.has(info.key)) {
        orphans.push({
          key: info.key,
          size: info.size,
          lastModified: info.lastModified.toISOString(),
        });
      }
    }
  }
  // The catalog was read before the store was looked at, and other
  // processes go on meanwhile: a purge (or gc) deletes the content of a
  // record that was live then, and an add records content the listing then
  // finds. Neither is damage, as a prune beside a verify is not: what is
  // missing or unreferenced is reported only if the catalog still says so.
  const recheck = [
    ...found.flatMap((p) => p.problem === "missing" ? [p.key] : []),
    ...orphans.map((o) => o.key),
  ];
  const liveNow = recheck.length === 0
    ? new Set<string>()
    : await repo.catalog.transaction("read", (tx) => liveKeysAmong(tx, recheck));
  const problems = found.filter((p) => p.problem !== "missing" || liveNow.has(p.key));
  // Younger than the grace period: most likely an add that has uploaded and
  // not yet recorded (seconds a GB), which gc would not delete either. A
  // grace of 0 counts every one, also one the store dates after our clock.
  const recent = (o: Orphan) => grace > 0 && now - Date.parse(o.lastModified) < grace;
  const mark = await repo.catalog.transaction("read", restoredMarkIn);
  // Content a purge left (a purged record names it) is no restore's.
  const purgedContent = await purgedAmongRestored(
    repo,
    orphans.map((o) => ({ key: o.key, lastModified: new Date(o.lastModified) })),
    liveNow,
    mark,
  );
  const restored = (o: Orphan) =>
    mark !== undefined && Date.parse(o.lastModified) <= mark && !purgedContent.has(o.key);
  const keptRestored = orphans.filter((o) => !liveNow.has(o.key) && restored(o));
  const stillOrphans = orphans.filter((o) => !liveNow.has(o.key) && !restored(o));
  // Which purge left each (a purged record names it): not one to adopt.
  const purgedBy = stillOrphans.length === 0
    ? new Map<string, number>()
    : await repo.catalog.transaction("read", (tx) =>
      purgedRecordsNaming(tx, stillOrphans.map((o) => o.key)));
  for (const o of stillOrphans) {
    const id = purgedBy.get(o.key);
    if (id !== undefined) o.purgedRecord = id;
  }
  const oldOrphans = stillOrphans.filter((o) => !recent(o));
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
    records,
    problems,
    orphans: oldOrphans,
    recentOrphans: stillOrphans.filter(recent),
    ...(keptRestored.length === 0 ? {} : { keptRestored }),
    // Pushed as the store answered: in id order, as the problems are.
    unchecked: unchecked.sort((a, b) => a.id - b.id),
    ...(contentUnchecked === undefined ? {} : { contentUnchecked }),
    removedTemps,
    pendingUploads,
    ...(uploadsUnchecked === undefined ? {} : { uploadsUnchecked }),
    ok: problems.length === 0 && oldOrphans.length === 0 && unchecked.length === 0 &&
      contentUnchecked === undefined,
  };
}

/** {@linkcode headDifference}'s answer when the store states no MD5. */
export const UNSTATED = "md5 unstated";

/**
 * How a content object's HEAD differs from its record's size and MD5:
 * undefined when it agrees, {@linkcode UNSTATED} when the sizes agree and
 * the store states no MD5 (only its bytes can tell). Shared by `check` and
 * `publish`, so both judge content alike.
 */
export function headDifference(
  info: ObjectInfo | undefined,
  size: number,
  md5: string,
): Pick<CheckProblem, "problem" | "detail"> | typeof UNSTATED | undefined {
  if (!info) return { problem: "missing", detail: "no content object" };
  if (info.size !== size) {
    return { problem: "size mismatch", detail: `recorded ${size} bytes, stored ${info.size}` };
  }
  const stored = statedMd5(info);
  if (stored === undefined) return UNSTATED;
  if (stored === md5) return undefined;
  return { problem: "md5 mismatch", detail: `recorded ${md5}, stored ${stored}` };
}

/**
 * The problem of one record's content, if any; the store's errors are
 * thrown.
 */
async function checkRecord(
  repo: Repository,
  row: Row,
  signal: AbortSignal | undefined,
): Promise<CheckProblem | undefined> {
  const id = Number(row.id);
  const key = String(row.content_key);
  const size = Number(row.size);
  const md5 = String(row.md5);
  const prefix = repo.marker.contentPrefix;
  if (!key.startsWith(prefix)) {
    return {
      id,
      key,
      problem: "bad key",
      detail: `not under ${prefix} (purge and gc will not delete it)`,
    };
  }
  let info;
  try {
    info = await repo.store.head(key, signal === undefined ? {} : { signal });
  } catch (error) {
    // A key the store refuses (`content/../x`, from a catalog edited by
    // hand) is this record's problem, not the end of the check.
    if (!(error instanceof InvalidInputError)) throw error;
    return { id, key, problem: "bad key", detail: error.message };
  }
  const differs = headDifference(info, size, md5);
  if (differs === undefined) return undefined;
  if (differs !== UNSTATED) return { id, key, ...differs };
  // The store states no MD5 (a multipart ETag without vc's `vc-md5`, which
  // every add stores: the object was written behind vc's back, say by
  // `aws s3 cp`): its bytes are the only way to tell, so hash them.
  const hashed = await hashObject(repo, key, signal);
  if (hashed === undefined) return { id, key, problem: "missing", detail: "no content object" };
  if (hashed === md5) return undefined;
  return {
    id,
    key,
    problem: "md5 mismatch",
    detail: `recorded ${md5}, stored content hashes to ${hashed} (the store states no MD5)`,
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
