/**
 * Claims: S3Repo's row locks with a ttl. A claim hands one published record to
 * exactly one caller: PostgreSQL selects the next free row `FOR UPDATE SKIP
 * LOCKED` (rows another transaction is claiming are skipped, not waited on),
 * SQLite runs the SELECT and UPDATE inside `BEGIN IMMEDIATE` (no other writer
 * in between). Either way, the UPDATE that sets `claimed_by`/`claim_until`
 * commits before anyone else can see the row as free. A holder that crashes
 * simply stops renewing; after its ttl the record is free again.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { InvalidInputError } from "../errors.ts";
import { printable, quoted } from "../printable.ts";
import { newNameProblem } from "../file_names.ts";
import { requireString } from "../options_check.ts";
import type { Catalog, Row, SqlValue, Tx } from "./catalog.ts";
import { entryIds, farthestPage } from "./record_pages.ts";
import {
  attachTags,
  checkTag,
  ClaimLostError,
  normalizeLogicalPath,
  parseRecordId,
  RECORD_COLUMNS_BARE,
  type RepoRecord,
  rowToRecord,
  UnknownRecordError,
  Where,
} from "./records.ts";

/** What `Repository.claim` selects and for how long. */
export interface ClaimOptions {
  /** Only records carrying this tag. */
  tag?: string;
  /** Only versions of this logical path. */
  path?: string;
  /** How long the claim holds, in milliseconds. */
  ttlMs: number;
  /** Who claims (default: host, process id and a random suffix). */
  holder?: string;
}

/** What `Repository.release` also does while the claim is still held (a worker's "done"). */
export interface ReleaseOptions {
  /** Tags to remove from the record (`todo`). */
  untag?: readonly string[];
  /** Tags to add to the record (`done`). */
  tag?: readonly string[];
  /**
   * Told the record as it was just before this release changed it (its
   * claim and tags), read in the release's transaction with the row held
   * (after any other writer of it, so tags another process changed a moment
   * before are seen as it left them), once that transaction committed: what
   * `untag` and `tag` changed, against the record returned. What it throws
   * is a `CallbackError`; the release was made.
   */
  onBefore?: (record: RepoRecord) => void;
}

/** A held claim. */
export interface Claim {
  /** The claimed record. */
  record: RepoRecord;
  /** The holder, needed to renew or release. */
  holder: string;
  /** Until when it holds (ISO time). */
  until: string;
}

/** What the claim functions need from a repository. */
export interface ClaimContext {
  /** The catalog. */
  catalog: Catalog;
  /** The clock. */
  clock: Clock;
  /** This host (part of the default holder name). */
  host: string;
}

/**
 * Hands the next unclaimed published record matching `tag`/`path` to this
 * caller alone, for `ttlMs`; `undefined` when none is free. A claim whose
 * ttl passed is free again (its holder is presumed dead).
 */
export function claimNext(ctx: ClaimContext, options: ClaimOptions): Promise<Claim | undefined> {
  const ttl = checkTtl(options.ttlMs);
  const holder = checkNewHolder(
    options.holder ?? `${ctx.host}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`,
  );
  return ctx.catalog.transaction("write", async (tx) => {
    const now = ctx.clock.now();
    const byTag = options.tag !== undefined && options.path === undefined;
    const where = new Where();
    // Taken by the tag's ids, the state is no index to walk: SQLite, with no
    // statistics, would walk every published record rather than look up a
    // page of ids.
    where.and(byTag ? "r.state || '' = 'published'" : "r.state = 'published'");
    where.and(`(r.claim_until IS NULL OR r.claim_until <= ${where.param(now)})`);
    if (options.path !== undefined) {
      where.and(`r.path = ${where.param(normalizeLogicalPath(options.path))}`);
    }
    // PostgreSQL rechecks a row it locks after it changed against the row's
    // new values, but the tag (another table) against the statement's
    // snapshot: a lapsed claim released with `--untag todo` just before the
    // lock passed as still tagged todo, and was handed out marked done. A
    // new statement sees that release: such a row is passed over.
    const recheck = options.tag !== undefined && ctx.catalog.dialect.name === "postgres";
    const passedOver: number[] = [];
    const next = async (where: Where): Promise<SqlValue | undefined> => {
      for (;;) {
        const page = where.copy();
        if (passedOver.length > 0) {
          page.and(`r.id NOT IN (${passedOver.map((id) => page.param(id)).join(", ")})`);
        }
        const id = (await tx.query(
          `SELECT r.id FROM records r${page} ORDER BY r.id LIMIT 1${ctx.catalog.dialect.forUpdateSkipLocked}`,
          page.params,
        ))[0]?.id;
        if (id === undefined || !recheck) return id;
        const still = where.copy();
        still.and(`r.id = ${still.param(id)}`);
        if ((await tx.query(`SELECT r.id FROM records r${still}`, still.params)).length > 0) {
          return id;
        }
        passedOver.push(Number(id));
      }
    };
    let found: SqlValue | undefined;
    if (options.tag === undefined) {
      found = await next(where);
    } else if (options.path !== undefined) {
      // The path's versions, by its index: few to look at.
      where.and(where.hasTag(checkTag(options.tag)));
      found = await next(where);
    } else {
      // The tag's ids, a page at a time from its indexes, never every
      // published record asked whether it carries the tag (1,000,000
      // published records: 1.1 s a claim, holding SQLite's writer lock);
      // and beside them the free published records by id, so the tag's
      // expired and purged records, which only grow in number, are passed
      // over a page at a time (see `farthestPage`): 20,000 of them made a
      // claim read 40,001 tagged ids in 403 statements.
      const tag = checkTag(options.tag);
      where.and(where.hasTag(tag));
      const free = (after: number | undefined, size: number) =>
        tx.query(
          "SELECT id FROM records WHERE state = 'published' AND (claim_until IS NULL OR " +
            `claim_until <= $1)${after === undefined ? "" : " AND id > $2"} ` +
            `ORDER BY id LIMIT ${size}`,
          after === undefined ? [now] : [now, after],
        ).then((rows) => rows.map((row) => Number(row.id)));
      const tagged = (after: number | undefined, size: number) =>
        entryIds(tx, [tag], ">", "", after, size);
      let after: number | undefined;
      for (;;) {
        const { ids, rest } = await farthestPage([tagged, free], ">", after, CLAIM_TAG_PAGE);
        if (ids.length === 0) break;
        const page = where.copy();
        page.and(`r.id IN (${ids.map((id) => page.param(id)).join(", ")})`);
        found = await next(page);
        if (found !== undefined || !rest) break;
        after = ids.at(-1);
      }
    }
    if (found === undefined) return undefined;
    const id = Number(found);
    const until = now + ttl;
    const updated = await tx.query(
      `UPDATE records SET claimed_by = $1, claim_until = $2 WHERE id = $3 RETURNING ${RECORD_COLUMNS_BARE}`,
      [holder, until, id],
    );
    const [record] = await attachTags(tx, updated.map(rowToRecord));
    return { record: record!, holder, until: new Date(until).toISOString() };
  });
}

/**
 * Extends `holder`'s claim on record `id` to `ttlMs` from now;
 * {@linkcode ClaimLostError} if another holds it, or its ttl passed (a
 * claim ends at its until, even when nobody took the record since).
 */
export function renewClaim(
  ctx: ClaimContext,
  id: number,
  holder: string,
  ttlMs: number,
): Promise<Claim> {
  const ttl = checkTtl(ttlMs);
  return holderUpdate(ctx, id, holder, "renew", (now) => [
    "claim_until = $3",
    [now + ttl],
  ]).then((record) => ({ record, holder, until: record.claimUntil! }));
}

/**
 * What a release does in its own transaction, once it found `holder` still
 * holding the claim, before the claim is given up: the worker's "done" (its
 * tags), which a claim that ended meanwhile (another worker took the record)
 * must not get. A refused release runs none of it.
 */
export interface ReleaseStep {
  /** Runs in the release's transaction, the record's row locked. */
  run(tx: Tx, id: number): Promise<void>;
  /** Said in a refusal: what was not done (`its tags were not changed`), if anything. */
  notDone: string;
}

/** Gives up `holder`'s claim on record `id` (running `step` first, in the same transaction). */
export async function releaseClaim(
  ctx: ClaimContext,
  id: number,
  holder: string,
  step?: ReleaseStep,
): Promise<RepoRecord> {
  return await holderUpdate(
    ctx,
    id,
    holder,
    "release",
    () => ["claimed_by = NULL, claim_until = NULL", []],
    step,
  );
}

function holderUpdate(
  ctx: ClaimContext,
  id: number,
  holder: string,
  verb: string,
  set: (now: number) => [string, number[]],
  step?: ReleaseStep,
): Promise<RepoRecord> {
  const rid = parseRecordId(id);
  checkHolder(holder);
  return ctx.catalog.transaction("write", async (tx) => {
    const now = ctx.clock.now();
    const rows = await tx.query(
      `SELECT claimed_by, claim_until, state FROM records WHERE id = $1${ctx.catalog.dialect.forUpdate}`,
      [rid],
    );
    if (rows.length === 0) throw new UnknownRecordError(`no record with id ${rid}`);
    // A claim is a lease (as etcd's and Consul's): it ends at its until, when
    // any claim may take the record (see `claimNext`). Renewed after that, it
    // would tell its holder it held on throughout, which holds only when no
    // other claim happened to come by: a late renewal is refused always, not
    // only under load. A release of it is not: nothing is held after either.
    if (
      verb === "renew" && rows[0]!.claimed_by === holder && rows[0]!.claim_until !== null &&
      Number(rows[0]!.claim_until) <= now
    ) {
      throw new ClaimLostError(
        `cannot renew the claim on record ${rid}: its ttl passed at ` +
          `${new Date(Number(rows[0]!.claim_until)).toISOString()}, which ended it (the record ` +
          "has been free for any claim since); renew before a claim's until, or claim again",
      );
    }
    if (rows[0]!.claimed_by !== holder) {
      // The holder and its until are named: the claim of a worker killed
      // before it kept its holder is released only with that holder, and
      // nothing else on the command line said it (but a lapsed one holds nothing).
      const other = rows[0]!.claimed_by === null ? undefined : String(rows[0]!.claimed_by);
      const until = rows[0]!.claim_until === null
        ? undefined
        : new Date(Number(rows[0]!.claim_until)).toISOString();
      throw new ClaimLostError(
        `cannot ${verb} the claim on record ${rid}: ${holder} does not hold it` +
          (other !== undefined && until !== undefined && Number(rows[0]!.claim_until) <= now
            ? ` (nobody does: the claim of ${other} lapsed at ${until}, and the record is free ` +
              "for any claim)"
            : other !== undefined
            ? ` (${other} holds it until ${until}: this claim ended, its ttl passed or the ` +
              "record was expired (and published again), and another worker took it, or this " +
              "is not the holder id that claim returned)"
            : rows[0]!.state !== "published"
            // Expiring by hand and purging end claims (gc leaves claimed records alone).
            ? ` (nobody does: the record is ${String(rows[0]!.state)}, which ended the claim)`
            : " (nobody does)") +
          (step === undefined || step.notDone === "" ? "" : `; ${step.notDone}`),
      );
    }
    await step?.run(tx, rid);
    const [clause, params] = set(now);
    const updated = await tx.query(
      `UPDATE records SET ${clause} WHERE id = $1 AND claimed_by = $2 RETURNING ${RECORD_COLUMNS_BARE}`,
      [rid, holder, ...params],
    );
    return (await attachTags(tx, updated.map(rowToRecord)))[0]!;
  });
}

/** The most live claims {@linkcode liveClaims} counts. */
export const LIVE_CLAIMS_COUNTED = 1_000;

/** What {@linkcode liveClaims} found. */
export interface LiveClaims {
  /** Matching published records held by a live claim, up to {@linkcode LIVE_CLAIMS_COUNTED}. */
  count: number;
  /** Whether there are more than `count` (`first` is still the first of all of them to lapse). */
  more: boolean;
  /** Of all the matching records held, the one whose claim lapses first. */
  first?: { id: number; claimedBy: string; claimUntil: string };
}

/**
 * The published records matching `tag`/`path` that live claims hold at
 * `now` (a worker killed while it held them holds them until their ttl):
 * the oldest {@linkcode LIVE_CLAIMS_COUNTED}, counted, and the first of all
 * of them to lapse. One statement, in id order, returning at most 1,001
 * short rows whatever the queue's size (a listing's pages read 5,000
 * records with their tags), and past that bound one more returning one row.
 */
export function liveClaims(
  catalog: Catalog,
  now: number,
  filter: { tag?: string; path?: string },
): Promise<LiveClaims> {
  const where = new Where();
  where.and("r.state = 'published'");
  where.and(`r.claim_until > ${where.param(now)}`);
  if (filter.path !== undefined) {
    where.and(`r.path = ${where.param(normalizeLogicalPath(filter.path))}`);
  }
  if (filter.tag !== undefined) where.and(where.hasTag(checkTag(filter.tag)));
  return catalog.transaction("read", async (tx) => {
    const rows = await tx.query(
      `SELECT r.id, r.claimed_by, r.claim_until FROM records r${where} ORDER BY r.id ` +
        `LIMIT ${LIVE_CLAIMS_COUNTED + 1}`,
      where.params,
    );
    const counted = rows.slice(0, LIVE_CLAIMS_COUNTED);
    let first: Row | undefined;
    for (const row of counted) {
      if (first === undefined || Number(row.claim_until) < Number(first.claim_until)) first = row;
    }
    // Past the bound, the first to lapse of all of them (one more row): a
    // worker waiting for the queue wants when the next record frees, not
    // when the first of the oldest 1,000 does.
    if (rows.length > LIVE_CLAIMS_COUNTED) {
      first = (await tx.query(
        `SELECT r.id, r.claimed_by, r.claim_until FROM records r${where} ` +
          "ORDER BY r.claim_until, r.id LIMIT 1",
        where.params,
      ))[0] ?? first;
    }
    return {
      count: counted.length,
      more: rows.length > LIVE_CLAIMS_COUNTED,
      ...(first === undefined ? {} : {
        first: {
          id: Number(first.id),
          claimedBy: String(first.claimed_by),
          claimUntil: new Date(Number(first.claim_until)).toISOString(),
        },
      }),
    };
  });
}

/** Tagged ids a claim looks at in one statement, in id order. */
export const CLAIM_TAG_PAGE = 200;

/** The longest a claim may last (366 days, in ms): longer work renews it. */
export const MAX_TTL_MS = 366 * 24 * 3600 * 1000;

/**
 * A holder as given, or `InvalidInputError`: a blank one could not be told
 * from another, nor named to renew or release; one with a lone UTF-16
 * surrogate would be stored as U+FFFD, the holder of another's claim.
 */
/** `holder` as one that can hold a claim: not blank, valid Unicode; else an `InvalidInputError`. */
export function checkHolder(holder: string): string {
  requireString("a claim holder", holder);
  if (holder.trim() === "") throw new InvalidInputError("a claim holder must not be empty");
  if (!holder.isWellFormed()) {
    throw new InvalidInputError(
      `claim holder ${JSON.stringify(holder)} has a lone UTF-16 surrogate (not valid Unicode)`,
    );
  }
  return holder;
}

/** The most characters (UTF-16 code units) of a claim holder: a snapshot restores no longer one. */
export const MAX_HOLDER_CHARS = 1024;

/**
 * A new claim's holder: {@linkcode checkHolder}, and as a snapshot restores
 * it (at most {@linkcode MAX_HOLDER_CHARS} characters, no control
 * characters), else every backup taken while the claim holds could not be
 * restored. Renew and release take any holder a catalog already holds.
 */
/** `holder` as a new claim's: also at most {@linkcode MAX_HOLDER_CHARS}, no control characters. */
export function checkNewHolder(holder: string): string {
  checkHolder(holder);
  if (holder.length > MAX_HOLDER_CHARS || /\p{Cc}/u.test(holder)) {
    throw new InvalidInputError(
      `claim holder ${
        quoted(holder)
      } is invalid: use at most ${MAX_HOLDER_CHARS} characters without control characters ` +
        "(tab, newline, …)",
    );
  }
  // One that lists as another holder would be renewed and released by neither.
  const problem = newNameProblem(holder);
  if (problem !== undefined) {
    throw new InvalidInputError(`claim holder ${printable(quoted(holder))} ${problem}`);
  }
  return holder;
}

function checkTtl(ttlMs: number): number {
  // Times are whole ms: a ttl that rounds to 0 would hand out a claim that has
  // already lapsed (free for the next caller at once).
  if (!Number.isFinite(ttlMs) || Math.round(ttlMs) <= 0) {
    throw new InvalidInputError(
      `claim ttl ${ttlMs} ms is not a positive duration (of at least 1 ms)`,
    );
  }
  // A claim is renewed while work goes on, never held for ages; the bound also
  // keeps `now + ttl` a safe integer in both catalogs.
  if (ttlMs > MAX_TTL_MS) {
    throw new InvalidInputError(
      `claim ttl ${ttlMs} ms is longer than the 366 days a claim may last; renew it instead`,
    );
  }
  return Math.round(ttlMs);
}
