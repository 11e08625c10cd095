/**
 * Garbage collection of a repository:
 * 1. expire published records superseded by a newer published version of
 *    the same path, except those a live claim holds (they wait for a later
 *    run, once the claim is released or lapses);
 * 2. purge unpublished records older than the grace period (abandoned adds;
 *    one recorded once gc began, an add in flight, is a later run's);
 * 3. purge expired records whose expiry is older than the retention period;
 * 4. delete content objects no live record references, once they are older
 *    than the grace period (but for those a restore of an older snapshot
 *    found unreferenced, kept until released): an `add` uploads before it records, so a younger
 *    unreferenced object may be one in flight and is left alone (the
 *    listing of a `file://` store also removes the temp files of writers
 *    killed mid-upload, which no lock holds any more);
 * 5. abort multipart uploads of content started before the grace period (an
 *    `add` killed mid-upload leaves one, whose parts S3 keeps and bills
 *    until it is aborted), on stores that have them. An upload the store
 *    says started before the repository existed has no believable age
 *    (moto reports one fixed time for all): it is kept and reported, since
 *    aborting an upload in flight would fail its `add`.
 *
 * Purging marks a batch of records purged in one transaction and deletes
 * their content after its commit; a crash in between leaves unreferenced
 * objects that step 4 of a later run removes. The content prefix is listed
 * before step 1 (step 4 goes by that listing): content of a purged record
 * it did not find was not there (a restore into a store without it), and
 * is reported as absent, not as deleted, though its delete is still sent. Steps 1 to 3 skip rows
 * another session holds locked (PostgreSQL: a worker frozen mid-write),
 * reported as `keptLocked` for a later run, rather than wait on them.
 *
 * @module
 */
import { MOVE_TO_SQLITE, REPO_CHECK, REPO_GC } from "../command_words.ts";
import { withCallbackGuard } from "../callback.ts";
import { counted } from "../counted.ts";
import { InvalidInputError, VcError } from "../errors.ts";
import { fromFileUrl, pathBelow, sep } from "../path.ts";
import { realish } from "../real_path.ts";
import type { ObjectInfo, PendingUpload } from "../store/types.ts";
import { abortStaleUploads } from "../store/stale_uploads.ts";
import { type Catalog, CatalogBusyError, type Row, type Tx } from "./catalog.ts";
import { BACKUP_PREFIX } from "./marker.ts";
import { placeholders } from "./records.ts";
import type { Repository } from "./repository.ts";

/** Options of {@linkcode gc}. */
export interface GcOptions {
  /** Report what would be removed, change nothing. */
  dryRun?: boolean;
  /** Age before unpublished records and unreferenced objects are collected (default 7 days). */
  graceMs?: number;
  /** Age of an expiry before the record is purged (default 30 days). */
  retentionMs?: number;
  /**
   * Collect the content a restore of an older snapshot found unreferenced
   * (see {@linkcode GcReport.keptRestored}) as any other, past the grace
   * period: once what matters of it was copied out or added again. A dry
   * run keeps the mark.
   */
  releaseRestored?: boolean;
  /** Progress messages (one per phase). */
  onPhase?: (phase: string) => void;
  /**
   * Counts as the collection goes (records expired and purged, content
   * objects listed and deleted): at each step's start and as it counts.
   */
  onProgress?: (progress: GcProgress) => void;
  /**
   * Stops the collection between its steps and batches (rejects with the
   * signal's reason). Each step commits on its own, so what is done stays
   * done and a later gc finishes the rest.
   */
  signal?: AbortSignal;
}

/** What {@linkcode gc} reports through {@linkcode GcOptions.onProgress}. */
export interface GcProgress {
  /**
   * What is counted: `expiring records`, `purging records`, `deleting
   * objects`, `listing objects`, `aborting uploads` (a dry run only finds
   * and lists: `finding records`, `listing objects`, `finding uploads`).
   */
  step: string;
  /** Records or objects done so far in this step. */
  done: number;
  /** How many the step has, when known. */
  total?: number;
  /**
   * What the collection has really done so far, over all its steps: each
   * counted as it completes (a record once its transaction committed, an
   * object once the store deleted it). A gc stopped by its signal rejects
   * with the signal's reason; the last of these says what it did before
   * (`vc repo gc` prints it when interrupted). All 0 in a dry run.
   */
  soFar: GcSoFar;
}

/** What {@linkcode gc} has done so far: see {@linkcode GcProgress.soFar}. */
export interface GcSoFar {
  /** Superseded published records expired. */
  expired: number;
  /** Records purged (abandoned unpublished and retired expired ones). */
  purged: number;
  /** Content objects deleted from the store. */
  deleted: number;
}

/** What gc counts as it goes: see {@linkcode GcSoFar}; `recount` says it again. */
interface Tally {
  expired: number;
  purged: number;
  /** Keys the store deleted (a retried transaction deletes a key again). */
  deleted: Set<string>;
  /**
   * Whether gc's listing found `key`: one it did not, a delete does not
   * count (the store says nothing of a key it did not hold).
   */
  listed: (key: string) => boolean;
  recount: () => void;
}

/** What {@linkcode gc} removed (or, with `dryRun`, would remove). */
export interface GcReport {
  /** True when nothing was changed. */
  dryRun: boolean;
  /** Ids of superseded published records that were expired. */
  expired: number[];
  /**
   * Ids of superseded published records left published because a live claim
   * holds them (a later gc expires them once the claim is released or lapses).
   */
  keptClaimed: number[];
  /**
   * Ids of records the expire or purge step left as they were, though due:
   * another session held them locked (on PostgreSQL, a worker stopped
   * mid-write, whose transaction stays open until it resumes or its session
   * is ended), or they became due while gc ran. A later gc takes them.
   */
  keptLocked: number[];
  /** Ids of unpublished records older than the grace period that were purged. */
  purgedUnpublished: number[];
  /** Ids of expired records past retention that were purged. */
  purgedExpired: number[];
  /** Keys of unreferenced content objects deleted. */
  deletedObjects: string[];
  /**
   * Keys of the purged records' content that the store did not hold when
   * gc listed it (a restore into a store without it, content another tool
   * deleted): nothing was there to delete, so it is not in
   * {@linkcode GcReport.deletedObjects} nor in the freed bytes.
   */
  absentObjects: string[];
  /** Bytes of the {@linkcode GcReport.deletedObjects} (a dry run: that it would delete). */
  freedBytes: number;
  /**
   * Content objects no record references, kept as younger than the grace
   * period: an `add` in flight, or content added since a restored snapshot
   * was taken (a gc once they are older deletes them).
   */
  keptRecentObjects: number;
  /** Bytes of the {@linkcode GcReport.keptRecentObjects}. */
  keptRecentBytes: number;
  /**
   * Keys of content objects no record references that were in the store
   * when a restore of an older snapshot found them unreferenced (added since
   * the snapshot was taken: the only copy of what the restore dropped),
   * kept whatever their age until a gc with
   * {@linkcode GcOptions.releaseRestored}.
   */
  keptRestored: string[];
  /** Bytes of the {@linkcode GcReport.keptRestored}. */
  keptRestoredBytes: number;
  /**
   * Objects that could not be deleted (a key the store cannot address, such
   * as `content/../x` planted by another tool), each with why; the rest of
   * the collection goes on without them.
   */
  skippedObjects: { key: string; problem: string }[];
  /**
   * Temp files that writers killed mid-upload (`kill -9` of an `add`) left
   * under the content prefix of a `file://` store, removed (also by a dry
   * run: the store's listing removes them; a live writer's are kept).
   */
  removedTemps: string[];
  /** Multipart uploads of content, older than the grace period, that were aborted. */
  abortedUploads: PendingUpload[];
  /**
   * Multipart uploads of content whose start time the store gives as
   * before the repository was created: not aborted (their age is unknown).
   */
  undatedUploads: PendingUpload[];
  /**
   * Multipart uploads of content started before the grace period that took
   * a part since: a writer still sending them (a large file over a slow
   * link), not aborted.
   */
  liveUploads: PendingUpload[];
  /** Uploads gc meant to abort but the store refused to (e.g. no permission to abort), each with why. */
  skippedUploads: (PendingUpload & { problem: string })[];
  /**
   * Why pending uploads could not be looked at (the store refused or failed
   * the listing, or has none), if so: the rest of the collection is done.
   */
  uploadsUnchecked?: string;
}

/** Default grace period: 7 days. */
export const DEFAULT_GRACE_MS = 7 * 86_400_000;
/** Default retention of expired records: 30 days. */
export const DEFAULT_RETENTION_MS = 30 * 86_400_000;

const CHUNK = 500;

/**
 * Runs GC on `repo`; see the module documentation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Repository } from "./repository.ts";
 * import { gc } from "./gc.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using repo = await Repository.init(`file://${dir}`);
 *   const a = await repo.add("/x", new Uint8Array([1]));
 *   const b = await repo.add("/x", new Uint8Array([2]));
 *   await repo.publish(a.id);
 *   await repo.publish(b.id);
 *   const report = await gc(repo, { dryRun: true });
 *   assert.deepEqual(report.expired, [a.id]);
 *   assert.equal((await repo.get(a.id)).state, "published");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function gc(repo: Repository, options: GcOptions = {}): Promise<GcReport> {
  let step: string | undefined;
  // What it changed, counted as each commit or delete completes: said
  // with a failure too, as an interrupted gc says it.
  const tally: Tally = {
    expired: 0,
    purged: 0,
    deleted: new Set(),
    listed: () => true,
    recount: () => {},
  };
  try {
    // An onPhase or onProgress that throws (or whose promise rejects) stops
    // the gc as its signal would, and is what it rejects with: a
    // CallbackError, said with the step it stopped in.
    return await withCallbackGuard(
      options,
      ["onPhase", "onProgress"],
      (guarded) => collect(repo, guarded, (doing) => step = doing, tally),
    );
  } catch (error) {
    // Each step (and batch) commits on its own: a store or catalog failing
    // midway leaves what was done done, which the bare failed request (a
    // DELETE's 500) does not say, nor that a gc run again finishes the rest.
    if (error instanceof VcError && step !== undefined && !options.dryRun) {
      error.message +=
        `; gc stopped while ${step}: what it did before stays done (expired ${tally.expired} superseded, purged ${
          counted(tally.purged, "record")
        }, deleted ${
          counted(tally.deleted.size, "content object")
        }), and ${REPO_GC.library} run again finishes the rest (${REPO_CHECK.library} lists content left ` +
        "meanwhile)";
    }
    throw error;
  }
}

/** {@linkcode gc}'s steps, each named to `onStep` as it starts. */
async function collect(
  repo: Repository,
  options: GcOptions,
  onStep: (doing: string) => void,
  tally: Tally,
): Promise<GcReport> {
  const dryRun = options.dryRun ?? false;
  const grace = period(options.graceMs ?? DEFAULT_GRACE_MS, "gc grace");
  const retention = period(options.retentionMs ?? DEFAULT_RETENTION_MS, "gc retention");
  const report: GcReport = {
    dryRun,
    expired: [],
    keptClaimed: [],
    keptLocked: [],
    purgedUnpublished: [],
    purgedExpired: [],
    deletedObjects: [],
    absentObjects: [],
    freedBytes: 0,
    keptRecentObjects: 0,
    keptRecentBytes: 0,
    keptRestored: [],
    keptRestoredBytes: 0,
    skippedObjects: [],
    removedTemps: [],
    abortedUploads: [],
    undatedUploads: [],
    liveUploads: [],
    skippedUploads: [],
  };
  const now = repo.clock.now();

  const signal = options.signal;
  signal?.throwIfAborted();
  // A dry run names each phase by what it looks for: it changes nothing.
  const phase = (doing: string, looking: string) => {
    onStep(doing);
    options.onPhase?.(dryRun ? `${looking} (dry run: nothing is changed)` : doing);
  };
  // Counts on their own callback: a step's count changes a thousand times
  // where its phase message is said once.
  const count = (step: string, done: number, total?: number) => {
    // What the store and catalog changed is said as it happens, on the
    // step's last count: an interrupt after it loses none of it.
    tally.recount = () => {
      const soFar = { expired: tally.expired, purged: tally.purged, deleted: tally.deleted.size };
      options.onProgress?.(
        total === undefined ? { step, done, soFar } : { step, done, total, soFar },
      );
    };
    tally.recount();
  };
  // The content prefix is listed first: the content of the records the
  // purge step takes that it finds is what that step deletes, the rest was
  // not there to delete (a restore into a store without it), said apart.
  phase("listing content", "finding the content the store holds");
  // A record recorded once gc began (an add in flight, whose upload the
  // listing may find) is a later run's to judge, whatever the clocks say: a
  // machine whose clock runs ahead took it for an abandoned add.
  const cutoff = await lastRecordId(repo.catalog, dryRun);
  const due: Due = {
    createdBefore: now - grace,
    expiredBefore: now - retention,
    lastId: cutoff.lastId,
  };
  const skipped = report.skippedObjects;
  let orphans: string[] = [];
  const sizes = new Map<string, number>();
  const listing = repo.store.list(repo.marker.contentPrefix, {
    etags: false,
    onSwept: (path) => report.removedTemps.push(path),
    ...(signal === undefined ? {} : { signal }),
  });
  const catalogFiles = await catalogKeysInContent(repo);
  const restored = await restoredMark(repo, options.releaseRestored === true, dryRun);
  // Each orphan's store time, for a restore's mark that gc finds only as it deletes.
  const times = new Map<string, number>();
  // Listed content of records due to be purged (all that the purge step
  // takes but for a record a restore brings back meanwhile).
  const held = new Set<string>();
  // One index read: a catalog with no record due (most gc runs) costs the
  // listing no query more.
  const anyDue = (await repo.catalog.transaction(
    "read",
    (tx) => tx.query(`SELECT r.id FROM records r WHERE ${PURGEABLE} LIMIT 1`, dueParams(due)),
  )).length > 0;
  let listed = 0;
  count("listing objects", 0);
  for await (const { objects, live } of liveBatches(repo.catalog, listing)) {
    // Of those the restore's mark would keep, the content a purge left: an
    // orphan as any other (one query a batch only when there are some).
    const purgedContent = await purgedAmongRestored(repo, objects, live, restored);
    if (anyDue) {
      for (const key of await purgeableAmong(repo, live, due)) {
        held.add(key);
      }
    }
    for (const info of objects) {
      count("listing objects", ++listed);
      if (live.has(info.key)) continue;
      if (catalogFiles.has(info.key)) {
        skipped.push({
          key: info.key,
          problem: "the repository's own SQLite catalog, never deleted: move it out of " +
            `${repo.marker.contentPrefix} (${MOVE_TO_SQLITE.library})`,
        });
        continue;
      }
      if (
        restored !== undefined && info.lastModified.getTime() <= restored &&
        !purgedContent.has(info.key)
      ) {
        report.keptRestored.push(info.key);
        report.keptRestoredBytes += info.size;
      } else if (now - info.lastModified.getTime() > grace) {
        orphans.push(info.key);
        sizes.set(info.key, info.size);
        times.set(info.key, info.lastModified.getTime());
      } else {
        report.keptRecentObjects++;
        report.keptRecentBytes += info.size;
      }
    }
  }
  // Found by the listing: content of a record due then, or an orphan.
  tally.listed = (key) => held.has(key) || times.has(key);

  phase("expiring superseded versions", "finding superseded versions to expire");
  const recordStep = (doing: string) => dryRun ? "finding records" : doing;
  count(recordStep("expiring records"), 0);
  const superseded = await expireSuperseded(
    repo,
    now,
    dryRun,
    signal,
    (done) => {
      if (!dryRun) tally.expired = done;
      count(recordStep("expiring records"), done);
    },
  );
  report.expired = superseded.ids;
  report.keptClaimed = superseded.claimed;
  count(recordStep("expiring records"), superseded.ids.length, superseded.ids.length);

  signal?.throwIfAborted();
  phase("purging abandoned and retired records", "finding abandoned and retired records to purge");
  const purged = dryRun
    ? await findPurgeable(repo, due, count)
    : await purgeInBatches(repo, due, now, signal, count, tally);
  report.purgedUnpublished = purged.unpublished;
  report.purgedExpired = purged.expired;
  // Only a catalog whose steps skip held rows leaves any (SQLite's writer
  // lock excludes every other writer): one more read of the records there.
  if (!dryRun && (repo.catalog.dialect.forUpdateSkipHeld !== "" || cutoff.unlocked !== undefined)) {
    // Without a cutoff (see lastRecordId), the records due by the last one
    // recorded are said kept, as those another session holds are.
    report.keptLocked = await leftDue(
      repo,
      now,
      { ...due, lastId: cutoff.unlocked ?? due.lastId },
      report.keptClaimed,
    );
  }
  skipped.push(...purged.skipped);

  signal?.throwIfAborted();
  phase("deleting unreferenced content", "finding unreferenced content to delete");
  // Bytes of each content object gc deletes: a purged record's size, an orphan's listed one.
  for (const [key, size] of purged.sizes) sizes.set(key, size);
  if (!dryRun) {
    // A set: a transaction run again reports its keys again.
    const keptLate = new Set<string>();
    orphans = await deleteOrphans(
      repo,
      orphans,
      times,
      (keys) => keys.forEach((key) => keptLate.add(key)),
      skipped,
      signal,
      tally,
      deleting(count, orphans.length),
    );
    for (const key of keptLate) {
      report.keptRestored.push(key);
      report.keptRestoredBytes += sizes.get(key) ?? 0;
    }
  }
  const notDeleted = new Set(skipped.map((s) => s.key));
  const prefix = repo.marker.contentPrefix;
  // A key outside the prefix is never listed: it is among the skipped.
  report.absentObjects = purged.keys.filter((k) => k.startsWith(prefix) && !tally.listed(k));
  // A set: content the purge took that the listing found as an orphan too.
  report.deletedObjects = [...new Set([...purged.keys.filter((k) => tally.listed(k)), ...orphans])]
    .filter((k) => !notDeleted.has(k));
  report.freedBytes = report.deletedObjects.reduce((sum, key) => sum + (sizes.get(key) ?? 0), 0);

  signal?.throwIfAborted();
  await abortStaleContentUploads(repo, now - grace, dryRun, report, phase, signal, count);
  return report;
}

/**
 * Expires the published records a newer published version of their path
 * supersedes, {@linkcode EXPIRE_BATCH} per write transaction in id order
 * (a dry run only finds them, in read transactions). One transaction for
 * all held SQLite's single writer lock while hundreds of thousands were
 * updated, as the purge step did (see {@linkcode purgeInBatches}). Each
 * batch goes on from the last id of the one before (the latest versions,
 * which stay published, are not looked at again). A live claim keeps its
 * record published for the holder (its renew would fail, and a later gc
 * could purge the content it reads): a later gc expires it.
 */
async function expireSuperseded(
  repo: Repository,
  now: number,
  dryRun: boolean,
  signal: AbortSignal | undefined,
  onCount: (done: number) => void,
): Promise<{ ids: number[]; claimed: number[] }> {
  const { catalog } = repo;
  const held = (row: Row) => row.claim_until !== null && Number(row.claim_until) > now;
  const ids: number[] = [];
  const claimed: number[] = [];
  for (let after = 0;;) {
    signal?.throwIfAborted();
    const rows = await catalog.transaction(dryRun ? "read" : "write", async (tx) => {
      const rows = await tx.query(
        // The path's newest published id, one index lookup: SQLite 3.53 runs
        // an EXISTS (a newer published version) as a join over every newer
        // version, the square of a path's versions (minutes at 20,000, with
        // the writer lock held).
        `SELECT r.id, r.claim_until FROM records r
         WHERE r.state = 'published' AND r.id > $1 AND r.id < (
           SELECT MAX(n.id) FROM records n WHERE n.path = r.path AND n.state = 'published'
         ) ORDER BY r.id LIMIT ${EXPIRE_BATCH}${dryRun ? "" : catalog.dialect.forUpdateSkipHeld}`,
        [after],
      );
      if (!dryRun) {
        await updateIds(
          tx,
          idsOf(rows.filter((row) => !held(row))),
          "state = 'expired', expired_at = $1, claimed_by = NULL, claim_until = NULL",
          [now],
          "state = 'published' AND (claim_until IS NULL OR claim_until <= $1)",
        );
      }
      return rows;
    });
    ids.push(...idsOf(rows.filter((row) => !held(row))));
    claimed.push(...idsOf(rows.filter(held)));
    onCount(ids.length);
    if (rows.length < EXPIRE_BATCH) break;
    after = Number(rows[rows.length - 1]!.id);
  }
  return { ids, claimed };
}

/**
 * The records still due to be expired or purged once those steps are done
 * (but for `claimed`, which live claims keep published): rows another
 * session held locked, which the steps skip rather than wait for (a worker
 * frozen mid-write would otherwise stop every gc), or records that became
 * due meanwhile. In id order.
 */
async function leftDue(
  repo: Repository,
  now: number,
  due: Due,
  claimed: number[],
): Promise<number[]> {
  const rows = await repo.catalog.transaction("read", (tx) =>
    tx.query(
      `SELECT r.id FROM records r WHERE ${PURGEABLE} OR (r.state = 'published' AND
         (r.claim_until IS NULL OR r.claim_until <= $4) AND r.id < (
           SELECT MAX(n.id) FROM records n WHERE n.path = r.path AND n.state = 'published'
         )) ORDER BY r.id`,
      [...dueParams(due), now],
    ));
  const held = new Set(claimed);
  return idsOf(rows).filter((id) => !held.has(id));
}

/** Records this many per transaction of gc's expire step. */
const EXPIRE_BATCH = 5000;

/** What gc's purge step did (or, dry, would do). */
interface Purged {
  unpublished: number[];
  expired: number[];
  /** Content keys of the purged records, unpublished ones first. */
  keys: string[];
  /** Each of those keys' size, as recorded. */
  sizes: Map<string, number>;
  skipped: { key: string; problem: string }[];
}

/** Which records gc's purge step takes (see {@linkcode PURGEABLE}). */
interface Due {
  /** Unpublished ones created before this time (ms). */
  createdBefore: number;
  /** Expired ones whose expiry is before this time (ms). */
  expiredBefore: number;
  /** Of those, the ones recorded before gc began: an id at most this. */
  lastId: number;
}

/** The parameters `$1` to `$3` of {@linkcode PURGEABLE}. */
function dueParams(due: Due): number[] {
  return [due.createdBefore, due.expiredBefore, due.lastId];
}

/**
 * The highest record id (0 with none): the last record recorded before gc
 * began. Read under the content lock taken exclusive, which an add (and an
 * adopt) holds shared from before its insert until it commits: PostgreSQL
 * hands out ids as inserts run, not as they commit, so an add that took id
 * 10 may commit after one that took 11 (SQLite's single writer orders ids
 * as commits). Read without the lock, 11 was the cutoff, add 10 committed
 * once gc had listed the store, and gc purged it as abandoned (its creation
 * past the grace by gc's clock) and deleted its content. Under the lock,
 * every recording that took its id commits first (and the read, a statement
 * of a read-committed transaction, sees it); one that begins after takes a
 * higher id. A dry run, which changes nothing (and may run where the catalog
 * takes no write transaction), reads without it.
 *
 * A lock waited for until the catalog is busy (an add frozen while it
 * records, its session idle in transaction) gives no cutoff: 0, so this run
 * purges nothing (a record below the highest id may yet commit), and
 * `unlocked`, that highest id read without the lock, to say the records due
 * by it kept. gc goes on with its expire step rather than fail before it
 * (on PostgreSQL, where that lock is apart from the rows the step takes).
 */
async function lastRecordId(
  catalog: Catalog,
  dryRun: boolean,
): Promise<{ lastId: number; unlocked?: number }> {
  const read = async (tx: Tx) =>
    Number((await tx.query("SELECT MAX(id) AS last FROM records"))[0]?.last ?? 0);
  if (dryRun) return { lastId: await catalog.transaction("read", read) };
  try {
    return {
      lastId: await catalog.transaction("write", async (tx) => {
        for (const statement of catalog.dialect.contentLock.exclusive) await tx.query(statement);
        return await read(tx);
      }),
    };
  } catch (error) {
    // SQLite's content lock is its writer lock, which the expire step
    // needs too: waited out there, it is waited out for all of gc.
    const lockApart = catalog.dialect.contentLock.exclusive.length > 0;
    if (!(error instanceof CatalogBusyError) || !lockApart) throw error;
    return { lastId: 0, unlocked: await catalog.transaction("read", read) };
  }
}

/**
 * A record due to be purged (see {@linkcode Due}): unpublished since before
 * `$1`, or expired since before `$2`, and recorded before gc began (its id
 * at most `$3`).
 */
const PURGEABLE = `((r.state = 'unpublished' AND r.created_at < $1) OR
  (r.state = 'expired' AND r.expired_at < $2)) AND r.id <= $3`;

/** The dry run's purge step: the records a purge would take, read in one snapshot. */
async function findPurgeable(
  repo: Repository,
  due: Due,
  count: (step: string, done: number, total?: number) => void,
): Promise<Purged> {
  count("finding records", 0);
  const rows = await repo.catalog.transaction("read", (tx) =>
    tx.query(
      `SELECT r.id, r.content_key, r.state, r.size FROM records r WHERE ${PURGEABLE} ORDER BY r.id`,
      dueParams(due),
    ));
  const purged = splitPurged(rows);
  count("finding records", rows.length, rows.length);
  return { ...purged, skipped: [] };
}

/**
 * Purges the records past their time, {@linkcode PURGE_BATCH} per write
 * transaction, and deletes each batch's content after its commit. One
 * transaction for all held SQLite's single writer lock for as long as it
 * took (600,000 records: about a minute), so an `add` elsewhere waited that
 * long or failed as busy, and a Ctrl-C waited for it too. A batch is the
 * first rows of the state's `(state, time)` index still in it (a purged row
 * leaves it): ordered by id, each batch sorted all that remained.
 */
async function purgeInBatches(
  repo: Repository,
  due: Due,
  now: number,
  signal: AbortSignal | undefined,
  count: (step: string, done: number, total?: number) => void,
  tally: Tally,
): Promise<Purged> {
  const { catalog } = repo;
  const all: Row[] = [];
  const seen = new Set<number>();
  // Content of purged records a restore brought back meanwhile: kept.
  const revived = new Set<string>();
  const skipped: { key: string; problem: string }[] = [];
  count("purging records", 0);
  const kinds = [
    { state: "unpublished", time: "created_at", before: due.createdBefore },
    { state: "expired", time: "expired_at", before: due.expiredBefore },
  ];
  for (const kind of kinds) {
    for (;;) {
      signal?.throwIfAborted();
      const rows = await catalog.transaction("write", async (tx) => {
        const rows = await tx.query(
          `SELECT r.id, r.content_key, r.state, r.size FROM records r
           WHERE r.state = '${kind.state}' AND r.${kind.time} < $1 AND r.id <= $2
           LIMIT ${PURGE_BATCH}${catalog.dialect.forUpdateSkipHeld}`,
          [kind.before, due.lastId],
        );
        await updateIds(
          tx,
          idsOf(rows),
          "state = 'purged', purged_at = $1, claimed_by = NULL, claim_until = NULL",
          [now],
          "state IN ('unpublished', 'expired')",
        );
        return rows;
      });
      const fresh = rows.filter((row) => !seen.has(Number(row.id)));
      // None new: the catalog is not changing them (never expected), stop.
      if (fresh.length === 0) break;
      for (const row of fresh) seen.add(Number(row.id));
      all.push(...fresh);
      tally.purged = all.length;
      count("purging records", all.length, all.length);
      const keys = fresh.map(keyOf);
      const gone = new Set(
        await deleteUnreferencedInBatches(
          repo,
          keys,
          "shared",
          skipped,
          signal,
          tally,
          deleting(count, keys.length),
        ),
      );
      for (const key of keys) if (!gone.has(key)) revived.add(key);
    }
  }
  count("purging records", all.length, all.length);
  all.sort((x, y) => Number(x.id) - Number(y.id));
  const purged = splitPurged(all);
  return { ...purged, keys: purged.keys.filter((key) => !revived.has(key)), skipped };
}

/**
 * Deletes, with `remove`, those of `keys` (content of records a purge just
 * committed as purged) that no record references now, read in a write
 * transaction under the shared content lock (SQLite's writer lock), which
 * it holds until they are gone; returns them. A purge commits before it
 * deletes (a crash between leaves only an orphan), so a forced restore may
 * commit in between and bring the record back from its snapshot: deleted
 * then, its content went from under a live record (`current` and claimable
 * when it was published in the snapshot). Under the lock a restore (which
 * takes it exclusive) either committed first, and its record keeps the
 * content, or waits, and finds the content gone and keeps the record purged.
 * gc's orphan step takes the lock `exclusive` instead (see `deleteOrphans`).
 * `spare`, read in the same transaction, keeps those of the unreferenced keys
 * it returns (a restore's mark committed since gc read it).
 */
export async function deleteIfUnreferenced(
  repo: Repository,
  keys: string[],
  remove: (doomed: string[]) => Promise<void>,
  lock: "shared" | "exclusive" = "shared",
  spare?: (tx: Tx, unreferenced: string[]) => Promise<Set<string>>,
): Promise<string[]> {
  const { catalog } = repo;
  return await catalog.transaction("write", async (tx) => {
    for (const statement of catalog.dialect.contentLock[lock]) await tx.query(statement);
    const live = await liveKeysAmong(tx, keys);
    const unreferenced = keys.filter((key) => !live.has(key));
    const spared = spare === undefined || unreferenced.length === 0
      ? new Set<string>()
      : await spare(tx, unreferenced);
    const doomed = unreferenced.filter((key) => !spared.has(key));
    // Inside the transaction, so the lock holds until the content is gone
    // (a retried transaction deletes again: deleting is idempotent).
    if (doomed.length > 0) await remove(doomed);
    return doomed;
  });
}

/** Records this many per transaction of gc's purge step. */
const PURGE_BATCH = 5000;

function splitPurged(rows: Row[]): Omit<Purged, "skipped"> {
  const unpublished = rows.filter((r) => r.state === "unpublished");
  const expired = rows.filter((r) => r.state === "expired");
  return {
    unpublished: idsOf(unpublished),
    expired: idsOf(expired),
    keys: [...unpublished, ...expired].map(keyOf),
    sizes: new Map(rows.map((r) => [keyOf(r), Number(r.size)])),
  };
}

/**
 * The keys of the repository's own SQLite catalog (its file and the WAL,
 * shared-memory and journal files beside it) when they lie under the content
 * prefix of its directory store: no record references them, yet they are
 * never to be deleted. `init` and `restore` refuse such a catalog, but one
 * made before they saw through symbolic links, or named in a marker edited
 * by hand, may be there.
 */
export async function catalogKeysInContent(repo: Repository): Promise<Set<string>> {
  const ref = repo.marker.catalog;
  if (ref.kind !== "sqlite" || !repo.store.url.startsWith("file:")) return new Set();
  const [root, file] = await Promise.all([realish(fromFileUrl(repo.store.url)), realish(ref.path)]);
  const below = pathBelow(file, root);
  const key = below?.split(sep).join("/");
  if (key === undefined || !key.startsWith(repo.marker.contentPrefix)) return new Set();
  return new Set(["", "-wal", "-shm", "-journal"].map((suffix) => key + suffix));
}

/**
 * The counter of a step that deletes `total` objects in batches (`deleting
 * objects`, drawn at once at 0).
 */
function deleting(
  count: (step: string, done: number, total?: number) => void,
  total: number,
): (deleted: number) => void {
  count("deleting objects", 0, total);
  return (deleted) => count("deleting objects", deleted, total);
}

/** Step 5: aborts (or, dry, lists) content uploads started before `before`. */
async function abortStaleContentUploads(
  repo: Repository,
  before: number,
  dryRun: boolean,
  report: GcReport,
  phase: (doing: string, looking: string) => void,
  signal: AbortSignal | undefined,
  count: (step: string, done: number) => void,
): Promise<void> {
  const store = repo.store;
  if (store.pendingUploads === undefined || store.abortUpload === undefined) return;
  phase("aborting abandoned uploads", "finding abandoned uploads to abort");
  const step = dryRun ? "finding uploads" : "aborting uploads";
  count(step, 0);
  // A backup killed mid-upload (a snapshot past the multipart threshold)
  // leaves one under backups/, as an add does under the content prefix.
  for (const prefix of [repo.marker.contentPrefix, BACKUP_PREFIX]) {
    const found = await abortStaleUploads(store, prefix, {
      ...(signal === undefined ? {} : { signal }),
      before,
      // A day of slack: stores give whole seconds, and clocks differ.
      notBefore: Date.parse(repo.marker.createdAt) - 86_400_000,
      dryRun,
    });
    report.undatedUploads.push(...found.undated);
    report.liveUploads.push(...found.live);
    report.abortedUploads.push(...found.aborted);
    report.skippedUploads.push(...found.skipped);
    count(step, report.abortedUploads.length);
    if (found.unchecked !== undefined) {
      report.uploadsUnchecked = found.unchecked;
      break; // the same grant is missing for every prefix
    }
  }
}

/** Objects of a store's listing, with those of their keys a record that is not purged references. */
export interface LiveBatch {
  /** The objects, in the listing's order. */
  objects: ObjectInfo[];
  /** Those of their keys that a record that is not purged references. */
  live: Set<string>;
}

/**
 * `listing`'s objects, {@linkcode CHUNK} at a time, each batch with those of
 * its keys that a record that is not purged references (one read
 * transaction and one index lookup a batch): how gc, check and a restore
 * compare the store's content with the catalog, in memory bounded by the
 * batch whatever the catalog's size. Before, each first read the content key
 * of every live record (1,000,000 records: gc took 593 MB, check 2.6 GB).
 * The catalog is read as the listing goes, not as one snapshot: gc looks
 * again under its content lock before it deletes (see `deleteOrphans`),
 * and check before it reports.
 */
export async function* liveBatches(
  catalog: Catalog,
  listing: AsyncIterable<ObjectInfo>,
): AsyncGenerator<LiveBatch, void, undefined> {
  let objects: ObjectInfo[] = [];
  const take = async (): Promise<LiveBatch> => {
    const batch = objects;
    objects = [];
    const keys = batch.map((info) => info.key);
    return {
      objects: batch,
      live: await catalog.transaction("read", (tx) => liveKeysAmong(tx, keys)),
    };
  };
  for await (const info of listing) {
    objects.push(info);
    if (objects.length >= CHUNK) yield await take();
  }
  if (objects.length > 0) yield await take();
}

/**
 * Those of `live` (listed content keys that records not purged name) that a
 * record due to be purged names (see {@linkcode Due}; one read a batch of
 * the listing).
 */
async function purgeableAmong(
  repo: Repository,
  live: Set<string>,
  due: Due,
): Promise<string[]> {
  if (live.size === 0) return [];
  const keys = [...live];
  return await repo.catalog.transaction("read", async (tx) => {
    const found: string[] = [];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const part = keys.slice(i, i + CHUNK);
      const rows = await tx.query(
        `SELECT r.content_key FROM records r WHERE (${PURGEABLE}) AND r.content_key IN (${
          placeholders(part.length, 3)
        })`,
        [...dueParams(due), ...part],
      );
      found.push(...rows.map(keyOf));
    }
    return found;
  });
}

/** How many records are not purged: the content objects that must stay. */
export async function liveRecordCount(catalog: Catalog): Promise<number> {
  const rows = await catalog.transaction(
    "read",
    (tx) => tx.query("SELECT COUNT(*) AS n FROM records WHERE state <> 'purged'"),
  );
  return Number(rows[0]!.n);
}

/**
 * Those of `keys` that a record that is not purged references now, read in
 * `tx`: content a purge has not freed, or an add recorded since a listing.
 */
export async function liveKeysAmong(tx: Tx, keys: string[]): Promise<Set<string>> {
  return new Set((await recordsNaming(tx, keys, "state <> 'purged'")).keys());
}

/**
 * Those of `keys` that a purged record names, read in `tx`: content whose
 * purge did not delete it (a gc killed between its commit and its delete, a
 * delete the store refused). Never content a restore dropped the record of
 * (see `restoredMarkIn`): an adopt of a key any record names is refused.
 */
export async function purgedKeysAmong(tx: Tx, keys: string[]): Promise<Set<string>> {
  return new Set((await purgedRecordsNaming(tx, keys)).keys());
}

/**
 * The purged record naming each of `keys` that one names (see
 * {@linkcode purgedKeysAmong}), by key: `vc repo check` says which purge
 * left the content, and not to adopt it (an adopt of it is refused).
 */
export function purgedRecordsNaming(tx: Tx, keys: string[]): Promise<Map<string, number>> {
  return recordsNaming(tx, keys, "state = 'purged'");
}

/** The record in `state` (an SQL condition) naming each of `keys` that one names, by key. */
async function recordsNaming(
  tx: Tx,
  keys: string[],
  state: string,
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const part = keys.slice(i, i + CHUNK);
    const rows = await tx.query(
      `SELECT id, content_key FROM records WHERE ${state} AND content_key IN (${
        placeholders(part.length, 0)
      })`,
      part,
    );
    for (const row of rows) found.set(keyOf(row), Number(row.id));
  }
  return found;
}

/**
 * gc's mark in the catalog: the time (catalog clock, ms) of the last gc that
 * deleted unreferenced content, or undefined. An `add` compares it with the
 * time its upload started, and looks whether its content is still there
 * only when a gc deleted content since.
 */
export async function contentGcMark(tx: Tx): Promise<number | undefined> {
  const rows = await tx.query("SELECT value FROM vc_meta WHERE key = 'content_gc'");
  return rows[0] === undefined ? undefined : Number(rows[0].value);
}

/** The `vc_meta` key of the content a restore found unreferenced (see {@linkcode restoredMark}). */
export const RESTORED_MARK_KEY = "restored_unknown";

/**
 * The store's time (ms) up to which unreferenced content is kept, as a
 * restore of an older snapshot found it (`markRestoredUnknown`), or
 * undefined. With `release`, the mark is removed (but by a dry run) and
 * undefined returned: gc then collects that content past its grace.
 */
async function restoredMark(
  repo: Repository,
  release: boolean,
  dryRun: boolean,
): Promise<number | undefined> {
  if (release) {
    if (!dryRun) {
      await repo.catalog.transaction(
        "write",
        (tx) => tx.query("DELETE FROM vc_meta WHERE key = $1", [RESTORED_MARK_KEY]),
      );
    }
    return undefined;
  }
  return await repo.catalog.transaction("read", restoredMarkIn);
}

/**
 * Those of `objects` that no live record names (`live`: those some does),
 * that the restore's `mark` would keep, and that a purged record names:
 * what its purge left in the store, not content the restore does not know.
 */
export async function purgedAmongRestored(
  repo: Repository,
  objects: readonly { key: string; lastModified: Date }[],
  live: Set<string>,
  mark: number | undefined,
): Promise<Set<string>> {
  if (mark === undefined) return new Set();
  const keys = objects.filter((o) => !live.has(o.key) && o.lastModified.getTime() <= mark)
    .map((o) => o.key);
  if (keys.length === 0) return new Set();
  return await repo.catalog.transaction("read", (tx) => purgedKeysAmong(tx, keys));
}

/** The restore's mark (see {@linkcode restoredMark}) as `tx` reads it, or undefined. */
export async function restoredMarkIn(tx: Tx): Promise<number | undefined> {
  const rows = await tx.query("SELECT value FROM vc_meta WHERE key = $1", [RESTORED_MARK_KEY]);
  const value = rows[0] === undefined ? NaN : Number(rows[0].value);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * How far apart two machines' clocks may be for {@linkcode contentGcMark}
 * (PostgreSQL catalogs run on the server's time, measured when opened and
 * after a step of the machine's clock; a
 * SQLite catalog has one host): a mark this much older than an add's start
 * still counts as newer. Too much slack costs only a HEAD.
 */
export const GC_MARK_SLACK_MS = 10 * 60_000;

/**
 * Deletes `candidates` (content no record referenced when gc listed the
 * store) that no record references now, and returns those. gc's mark is set
 * to now and committed first, then each batch is checked and deleted under
 * the exclusive content lock: an add that recorded a candidate meanwhile
 * keeps it, and an add whose content goes sees the mark changed and refuses
 * to record it (see `Repository.add`). The mark is committed on its own, not
 * with a batch: a batch's transaction that fails after its deletes (the
 * store's answer or the catalog's connection lost) rolls back, and a mark
 * in it would go with it while the content stays deleted.
 */
async function deleteOrphans(
  repo: Repository,
  candidates: string[],
  times: ReadonlyMap<string, number>,
  onKept: (keys: string[]) => void,
  skipped: { key: string; problem: string }[],
  signal: AbortSignal | undefined,
  tally: Tally,
  onDeleted: (deleted: number) => void,
): Promise<string[]> {
  const { catalog } = repo;
  if (candidates.length === 0) return [];
  // Marked before any delete: a mark with no delete after it costs an add
  // only a HEAD.
  await catalog.transaction("write", (tx) =>
    tx.query(
      "INSERT INTO vc_meta (key, value) VALUES ('content_gc', $1) " +
        "ON CONFLICT (key) DO UPDATE SET value = $1",
      [String(repo.clock.now())],
    ));
  // Of the candidates, onDeleted counts those a record took meanwhile too.
  return await deleteUnreferencedInBatches(
    repo,
    candidates,
    "exclusive",
    skipped,
    signal,
    tally,
    onDeleted,
    (tx, unreferenced) => restoredSince(tx, unreferenced, times, onKept),
  );
}

/**
 * Those of `unreferenced` that a restore's mark, read again in `tx` under
 * the content lock, keeps (see {@linkcode restoredMark}): a forced restore
 * of an older snapshot that committed while gc listed the store (after gc
 * read the mark) dropped the records naming them, and they are the only
 * copy of what it dropped. `times` gives each key's store time; `onKept`
 * is told of those kept.
 */
async function restoredSince(
  tx: Tx,
  unreferenced: string[],
  times: ReadonlyMap<string, number>,
  onKept: (keys: string[]) => void,
): Promise<Set<string>> {
  const mark = await restoredMarkIn(tx);
  if (mark === undefined) return new Set();
  const marked = unreferenced.filter((key) => (times.get(key) ?? Infinity) <= mark);
  if (marked.length === 0) return new Set();
  // Content a purged record names is what its purge left: collected as before.
  const purged = await purgedKeysAmong(tx, marked);
  const kept = marked.filter((key) => !purged.has(key));
  onKept(kept);
  return new Set(kept);
}

/** Content keys gc checks and deletes per write transaction (S3's DeleteObjects limit). */
const DELETE_BATCH = 1000;

/**
 * {@linkcode deleteIfUnreferenced} over `keys` in batches of
 * {@linkcode DELETE_BATCH}, each in its own write transaction under the
 * `lock` mode of the content lock; returns the keys deleted. A key the
 * store refuses goes to `skipped` (see `deleteKeys`); `onDeleted` is told
 * how many of `keys` are done after each batch, deleted or kept.
 */
async function deleteUnreferencedInBatches(
  repo: Repository,
  keys: string[],
  lock: "shared" | "exclusive",
  skipped: { key: string; problem: string }[],
  signal: AbortSignal | undefined,
  tally: Tally,
  onDeleted: (done: number) => void,
  spare?: (tx: Tx, unreferenced: string[]) => Promise<Set<string>>,
): Promise<string[]> {
  const deleted: string[] = [];
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    signal?.throwIfAborted();
    const batch = keys.slice(i, i + DELETE_BATCH);
    // Reset per call: a retried transaction deletes (and refuses) again.
    let refused: { key: string; problem: string }[] = [];
    deleted.push(
      ...await deleteIfUnreferenced(
        repo,
        batch,
        async (doomed) => {
          refused = [];
          await deleteKeys(repo, doomed, refused, signal, tally);
        },
        lock,
        spare,
      ),
    );
    skipped.push(...refused);
    onDeleted(Math.min(i + DELETE_BATCH, keys.length));
  }
  return deleted;
}

async function updateIds(
  tx: Tx,
  ids: number[],
  set: string,
  setParams: number[],
  guard: string,
): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    await tx.query(
      `UPDATE records SET ${set} WHERE ${guard} AND id IN (${
        placeholders(part.length, setParams.length)
      })`,
      [...setParams, ...part],
    );
  }
}

async function deleteKeys(
  repo: Repository,
  all: string[],
  skipped: { key: string; problem: string }[],
  signal: AbortSignal | undefined,
  tally: Tally,
): Promise<void> {
  // A content key outside the prefix comes from a catalog edited by hand;
  // never let it delete the marker or a backup.
  for (const key of all) {
    if (!key.startsWith(repo.marker.contentPrefix)) {
      skipped.push({ key, problem: `not under ${repo.marker.contentPrefix}` });
    }
  }
  const keys = all.filter((k) => k.startsWith(repo.marker.contentPrefix));
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    signal?.throwIfAborted();
    const batch = keys.slice(i, i + DELETE_BATCH);
    try {
      await repo.store.delete(batch);
      gone(tally, batch);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      // One key the store refuses (planted by another tool) must not stop the
      // collection: delete the batch one by one and report what was refused.
      for (const key of batch) {
        try {
          await repo.store.delete([key]);
          gone(tally, [key]);
        } catch (each) {
          if (!(each instanceof InvalidInputError)) throw each;
          skipped.push({ key, problem: (each as Error).message });
        }
      }
    }
  }
}

/** Counts `keys`, which the store deleted, in `tally`, and says so. */
function gone(tally: Tally, keys: string[]): void {
  for (const key of keys) if (tally.listed(key)) tally.deleted.add(key);
  tally.recount();
}

function idsOf(rows: Row[]): number[] {
  return rows.map((r) => Number(r.id));
}

function keyOf(row: Row): string {
  return String(row.content_key);
}

// Periods are compared as `now - period` with BIGINT columns: keep that an
// integer both catalogs take (a float like -8.6e21 is no BIGINT literal).
/** `ms` checked as a period (`what`: "gc grace"), capped at 1000 years. */
export function period(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new InvalidInputError(`${what} ${ms} ms is not a duration of 0 or more`);
  }
  return Math.min(Math.round(ms), MAX_PERIOD_MS);
}

// 1000 years: longer means "never" for every record a repository holds.
const MAX_PERIOD_MS = 1000 * 366 * 24 * 3600 * 1000;
