/**
 * Records as the repository hands them out, their mapping from catalog rows,
 * input validation (logical paths, tags), and the SQL fragments shared by
 * `list`, `find` and `claim`.
 *
 * @module
 */
import { InvalidInputError, NotFoundError, VcError } from "../errors.ts";
import { printable, quoted } from "../printable.ts";
import { newNameProblem } from "../file_names.ts";
import { describeValue, requireString } from "../options_check.ts";
import type { Row, SqlValue, Tx } from "./catalog.ts";
import type { DateTagKind } from "./date_tags.ts";
import type { RecordSelection } from "./record_pages.ts";
import { escapedUnicode } from "../unicode_spelling.ts";

/** Options of `Repository.add`. */
export interface AddOptions {
  /** Tags of the new record. */
  tags?: readonly string[];
  /** Also tag with the date tags of this granularity for the add time. */
  dateTag?: DateTagKind;
  /**
   * Upload progress: 0 as the upload starts, then the bytes stored so far
   * (a multipart upload's as its parts are stored).
   */
  onProgress?: (bytes: number) => void;
  /**
   * Progress of the hashing of the file before its upload (seconds a GB,
   * before the first byte goes up): called at its start and as it reads.
   */
  onHashProgress?: (progress: { bytes: number; total: number }) => void;
  /**
   * Progress of the check after a multipart upload, which reads the file
   * again (seconds a GB, after the upload's bytes all went up): called at
   * its start and as it reads. Not called when the stored ETag settles it.
   */
  onCheckProgress?: (progress: { bytes: number; total: number }) => void;
  /**
   * Stops the add: the upload is aborted (a multipart upload too), and an
   * upload that finished is deleted; no record is made.
   */
  signal?: AbortSignal;
}

/** Options of `Repository.publish`, `Repository.expire` and `Repository.purge`. */
export interface TransitionOptions {
  /**
   * Told the record as it was just before this call changed it, read in the
   * transaction that changed it (after any other writer of the record, so a
   * claim released or taken meanwhile is seen as it was), once that
   * transaction committed: whether the call found it in that state already,
   * or ended a live claim of a worker's. What it throws is a
   * `CallbackError`; the change was made.
   */
  onBefore?: (record: RepoRecord) => void;
}

/** Filters of `Repository.list`. */
export interface ListOptions {
  /** Only records in this state. */
  state?: RecordState;
  /** Only versions of this logical path. */
  path?: string;
  /** Only records carrying this tag. */
  tag?: string;
  /** At most this many (newest ids first when given). */
  limit?: number;
}

/** A tag query of `Repository.find`. */
export interface FindQuery {
  /** Records carrying at least one of these. */
  any?: readonly string[];
  /** Records carrying all of these. */
  all?: readonly string[];
  /** Records carrying none of these (needs `any` or `all`). */
  exclude?: readonly string[];
  /** Only published records. */
  published?: boolean;
  /** At most this many. */
  limit?: number;
}

/** Where tags go: one record, or every record of a logical path. */
export type TagTarget = { id: number } | { path: string };

/**
 * Checks that `target` is a {@linkcode TagTarget}: an object with `id` or
 * `path`, not both (which one was meant?) and not neither (a misspelt key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTagTarget } from "./records.ts";
 * import type { TagTarget } from "./records.ts";
 * checkTagTarget({ id: 1 }, "tag()");
 * assert.throws(() => checkTagTarget({ pth: "/a" } as unknown as TagTarget, "tag()"), /with "pth"/);
 * assert.throws(() => checkTagTarget({ id: 1, path: "/a" } as unknown as TagTarget, "tag()"), /not both/);
 * ```
 */
export function checkTagTarget(target: TagTarget, what: string): void {
  const given = typeof target === "object" && target !== null && !Array.isArray(target)
    ? ["id", "path"].filter((key) => Object.hasOwn(target, key))
    : undefined;
  if (given?.length === 1 && Object.keys(target).length === 1) return;
  throw new InvalidInputError(
    `${what}: the target must be { id } (a record) or { path } (a logical path)${
      given?.length === 2 ? ", not both" : ""
    }, got ${
      given === undefined
        ? describeValue(target)
        : `an object with ${
          Object.keys(target).map((k) => JSON.stringify(k)).join(", ") || "no keys"
        }`
    }`,
  );
}

/** A record's state: unpublished → published → expired → purged (publish revives expired). */
export type RecordState = "unpublished" | "published" | "expired" | "purged";

/** One stored file version, as `get`, `list`, `find` and `--json` show it. */
export interface RepoRecord {
  /** Catalog id (printed by `vc repo add`). */
  id: number;
  /** Logical path; several records of one path are its versions. */
  path: string;
  /** Current state. */
  state: RecordState;
  /** Size in bytes. */
  size: number;
  /** Hex MD5 of the content, verified against the store at upload. */
  md5: string;
  /** Tags of the record and of its path, sorted. */
  tags: string[];
  /** Key of the content object in the store. */
  contentKey: string;
  /** Host that added it. */
  originHost: string;
  /** When it was added (ISO time). */
  createdAt: string;
  /** First publish (ISO time); kept when republished. */
  publishedAt: string | null;
  /** When it was expired (ISO time). */
  expiredAt: string | null;
  /** When its content was deleted (ISO time). */
  purgedAt: string | null;
  /** Holder of the claim, when claimed (possibly lapsed: see `claimUntil`). */
  claimedBy: string | null;
  /** Until when the claim holds (ISO time). */
  claimUntil: string | null;
}

/**
 * No record has this id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { UnknownRecordError } from "./records.ts";
 * import { Repository } from "./repository.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using repo = await Repository.init(`file://${dir}`);
 *   await assert.rejects(repo.get(42), UnknownRecordError);
 *   await assert.rejects(repo.publish(42), NotFoundError); // a NotFoundError too
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class UnknownRecordError extends NotFoundError {}

/**
 * The operation is not allowed in the record's state (e.g. purging a published file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordStateError } from "./records.ts";
 * import { Repository } from "./repository.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using repo = await Repository.init(`file://${dir}`);
 *   const r = await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
 *   // A published file is expired before it can be purged.
 *   await assert.rejects(repo.purge(r.id), RecordStateError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class RecordStateError extends VcError {}

/**
 * A renew or release by a holder that no longer holds the claim.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClaimLostError } from "./records.ts";
 * import { Repository } from "./repository.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using repo = await Repository.init(`file://${dir}`);
 *   const r = await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
 *   await repo.claim({ ttlMs: 60_000, holder: "worker-1" });
 *   // worker-2 never held it: its work on the record must stop.
 *   await assert.rejects(repo.release(r.id, "worker-2"), ClaimLostError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class ClaimLostError extends VcError {}

/**
 * An `add` whose uploaded content a concurrent `gc` deleted before the
 * record was committed (the add took longer than gc's grace period), or a
 * concurrent `adopt` recorded as its own (told to take content of any
 * age): nothing was recorded, and running the add again stores it anew.
 * Also an `adopt` whose object a `gc` deleted before it was recorded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContentCollectedError } from "./records.ts";
 * import { VcError } from "../errors.ts";
 * const e = new ContentCollectedError("gc removed the content of a.txt before its add committed");
 * assert(e instanceof VcError && e.name === "ContentCollectedError");
 * ```
 */
export class ContentCollectedError extends VcError {}

/** Columns selected for a record, with table alias `r`. */
export const RECORD_COLUMNS =
  "r.id, r.path, r.state, r.content_key, r.size, r.md5, r.origin_host, r.created_at, " +
  "r.published_at, r.expired_at, r.purged_at, r.claimed_by, r.claim_until";

/** The query behind `Repository.current`: newest published record of path `$1`, by index. */
export const CURRENT_SQL: string = `SELECT ${RECORD_COLUMNS} FROM records r ` +
  "WHERE r.path = $1 AND r.state = 'published' ORDER BY r.id DESC LIMIT 1";

/** Most `--all` and `--exclude` tags of one find, together. */
export const MAX_FIND_CONDITIONS = 100;
/** Most `--any` tags of one find. */
export const MAX_FIND_ANY = 1_000;

/**
 * What `Repository.find` selects. Tag lists are checked; `exclude` alone
 * (or no tags at all), or more tags than {@linkcode MAX_FIND_CONDITIONS} /
 * {@linkcode MAX_FIND_ANY}, is an `InvalidInputError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findSelection } from "./records.ts";
 * const selection = findSelection({ any: ["a"], exclude: ["b"] });
 * assert.deepEqual([selection.entries, selection.where.params], [[["a"]], ["b"]]);
 * // Each --all tag is a set of candidates of its own: the smallest bounds the reads.
 * assert.deepEqual(findSelection({ all: ["a", "b"] }).entries, [["a"], ["b"]]);
 * assert.throws(() => findSelection({ exclude: ["b"] }), /exclude option alone/);
 * const many = Array.from({ length: 101 }, (_, i) => `t${i}`);
 * assert.throws(() => findSelection({ all: many }), /too many/);
 * ```
 */
export function findSelection(query: FindQuery): RecordSelection {
  const any = checkTags(query.any ?? [], "find: any");
  const all = checkTags(query.all ?? [], "find: all");
  const exclude = checkTags(query.exclude ?? [], "find: exclude");
  // Each --all and --exclude tag is one condition of the query: SQLite
  // refuses past ~1000, PostgreSQL plans ever longer.
  const conditions = all.length + exclude.length;
  if (conditions > MAX_FIND_CONDITIONS || any.length > MAX_FIND_ANY) {
    throw new InvalidInputError(
      `find: ${any.length} tags in the any option, ${all.length} in the all option and ` +
        `${exclude.length} in the exclude option are too many (at most ${MAX_FIND_CONDITIONS} ` +
        `in the all option and the exclude option together, ${MAX_FIND_ANY} in the any ` +
        "option); narrow the query, or tag the records you want with one tag",
    );
  }
  if (any.length === 0 && all.length === 0) {
    throw new InvalidInputError(
      exclude.length > 0
        ? "find: the exclude option alone would select almost everything; add tags with the " +
          "any option or the all option"
        : "find: give tags to find (the any option, the all option, optionally the exclude " +
          "option)",
    );
  }
  const where = new Where();
  for (const tag of all) where.and(where.hasTag(tag));
  // With --all tags too, the records of --any are one set of candidates
  // among others (see `farthestPage`): the condition must be said.
  if (any.length > 0 && all.length > 0) where.and(where.hasAnyTag(any));
  for (const tag of exclude) where.and(`NOT ${where.hasTag(tag)}`);
  if (query.published !== undefined && typeof query.published !== "boolean") {
    throw new InvalidInputError(
      `find: published must be true or false, got ${describeValue(query.published)}`,
    );
  }
  if (query.published) where.and("r.state = 'published'");
  return {
    where,
    // The indexed sets of candidates: the records carrying any of `any`, and
    // those of each --all tag; a page is read from the one of them that
    // reaches farthest, whatever their order.
    entries: [...(any.length > 0 ? [any] : []), ...all.map((tag) => [tag])],
    ...(query.limit !== undefined ? { limit: checkLimit(query.limit) } : {}),
  };
}

/**
 * Checks a listing's `limit`: a positive integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLimit } from "./records.ts";
 * assert.equal(checkLimit(3), 3);
 * assert.throws(() => checkLimit(0), /limit 0 is not a positive integer/);
 * ```
 */
export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new InvalidInputError(`limit ${limit} is not a positive integer`);
  }
  return limit;
}

/** {@linkcode RECORD_COLUMNS} without the alias, for RETURNING clauses. */
export const RECORD_COLUMNS_BARE: string = RECORD_COLUMNS.replaceAll("r.", "");

const iso = (v: SqlValue | undefined): string | null =>
  v === null || v === undefined ? null : new Date(Number(v)).toISOString();

/** Maps a row selected with {@linkcode RECORD_COLUMNS} (tags are filled in later). */
export function rowToRecord(row: Row): RepoRecord {
  return {
    id: Number(row.id),
    path: String(row.path),
    state: String(row.state) as RecordState,
    size: Number(row.size),
    md5: String(row.md5),
    tags: [],
    contentKey: String(row.content_key),
    originHost: String(row.origin_host),
    createdAt: iso(row.created_at)!,
    publishedAt: iso(row.published_at),
    expiredAt: iso(row.expired_at),
    purgedAt: iso(row.purged_at),
    claimedBy: row.claimed_by === null ? null : String(row.claimed_by),
    claimUntil: iso(row.claim_until),
  };
}

/** Fills in `tags` (record tags and path tags) for `records`, a few hundred ids per query. */
export async function attachTags(tx: Tx, records: RepoRecord[]): Promise<RepoRecord[]> {
  const byId = new Map(records.map((r) => [r.id, new Set<string>()]));
  const ids = [...byId.keys()];
  // One round trip per 500 records: the record's own tags and its path's.
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const list = placeholders(part.length);
    const rows = await tx.query(
      `SELECT t.record_id AS id, t.tag FROM record_tags t WHERE t.record_id IN (${list})
       UNION ALL
       SELECT r.id, pt.tag FROM records r JOIN path_tags pt ON pt.path = r.path
       WHERE r.id IN (${list})`,
      part,
    );
    for (const row of rows) byId.get(Number(row.id))?.add(String(row.tag));
  }
  for (const r of records) r.tags = [...byId.get(r.id)!].sort();
  return records;
}

/**
 * `$1, $2, …, $n` starting after `offset` existing parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { placeholders } from "./records.ts";
 * assert.equal(placeholders(3, 1), "$2, $3, $4");
 * ```
 */
export function placeholders(n: number, offset = 0): string {
  return Array.from({ length: n }, (_, i) => `$${offset + i + 1}`).join(", ");
}

/**
 * Builds a WHERE clause and its parameters step by step, numbering
 * placeholders as it goes.
 */
export class Where {
  readonly params: SqlValue[] = [];
  readonly #clauses: string[] = [];

  /** A new placeholder bound to `value`. */
  param(value: SqlValue): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds a condition (ANDed). */
  and(clause: string): this {
    this.#clauses.push(clause);
    return this;
  }

  /** A copy, to add a page's own conditions to and leave this one as it is. */
  copy(): Where {
    const copy = new Where();
    copy.params.push(...this.params);
    copy.#clauses.push(...this.#clauses);
    return copy;
  }

  /** ` WHERE a AND b`, or nothing. */
  toString(): string {
    return this.#clauses.length === 0 ? "" : ` WHERE ${this.#clauses.join(" AND ")}`;
  }

  /** SQL true when record `r` carries at least one of `tags` (itself or through its path). */
  hasAnyTag(tags: readonly string[]): string {
    const list = tags.map((tag) => this.param(tag)).join(", ");
    return `(EXISTS (SELECT 1 FROM record_tags t WHERE t.record_id = r.id AND t.tag IN (${list}))` +
      ` OR EXISTS (SELECT 1 FROM path_tags pt WHERE pt.path = r.path AND pt.tag IN (${list})))`;
  }

  /** SQL true when record `r` carries `tag` (itself or through its path). Uses the tag indexes. */
  hasTag(tag: string): string {
    const p = this.param(tag);
    return `(EXISTS (SELECT 1 FROM record_tags t WHERE t.record_id = r.id AND t.tag = ${p})` +
      ` OR EXISTS (SELECT 1 FROM path_tags pt WHERE pt.path = r.path AND pt.tag = ${p}))`;
  }
}

// NUL: no PostgreSQL text holds it, so no catalog does.
const TAG = /^[^\s,\0]{1,200}$/u;

/**
 * Checks a tag a catalog may hold, to look up, remove or restore: 1–200
 * characters, no whitespace, commas or NUL, valid Unicode (no lone
 * surrogate, which a catalog would store as U+FFFD: two different tags
 * would become one). Other control characters are refused only in a tag
 * being set ({@linkcode checkTagToSet}): the first versions set them, and
 * a catalog holding one must still be found, untagged and backed up in a
 * snapshot that restores.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTag } from "./records.ts";
 * assert.equal(checkTag("day:2026-11-30"), "day:2026-11-30");
 * assert.equal(checkTag("raw\u0001"), "raw\u0001");
 * assert.throws(() => checkTag("two words"), /tag "two words"/);
 * ```
 */
export function checkTag(tag: string): string {
  // A JavaScript caller's number or array would pass the pattern (it is
  // tested as a string) and fail later with a TypeError naming nothing.
  requireString("a tag", tag);
  if (!TAG.test(tag) || !tag.isWellFormed()) throw invalidTag(tag);
  return tag;
}

/**
 * Checks a tag about to be set, as the command line reads it:
 * {@linkcode checkTag}, and no control character (a tab or `\x01` was
 * stored and shown invisibly).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTagToSet } from "./records.ts";
 * assert.equal(checkTagToSet("done"), "done");
 * assert.throws(() => checkTagToSet("raw\u0001"), /control characters/);
 * ```
 */
export function checkTagToSet(tag: string): string {
  checkTag(tag);
  if (/\p{Cc}/u.test(tag)) throw invalidTag(tag);
  return tag;
}

function invalidTag(tag: string): InvalidInputError {
  return new InvalidInputError(
    `tag ${quoted(tag)} is invalid: use 1-200 characters without spaces, commas or control ` +
      "characters (and no lone UTF-16 surrogate: not valid Unicode)",
  );
}

/**
 * Checks a tag about to be set ({@linkcode checkTagToSet}, and no character a
 * terminal draws as nothing): `raw` followed by a zero-width space (pasted
 * from a chat or a web page) is shown as `raw` by every listing, yet `find`
 * and `claim --tag raw` would never take it for `raw`. Only tags being set
 * are checked, so one a catalog already holds can still be found and removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNewTag } from "./records.ts";
 * assert.equal(checkNewTag("done"), "done");
 * assert.throws(() => checkNewTag("raw\u200b"), /tag "raw\\u200b" holds U\+200B/);
 * ```
 */
export function checkNewTag(tag: string): string {
  checkTagToSet(tag);
  const problem = newNameProblem(tag);
  if (problem !== undefined) {
    throw new InvalidInputError(
      `tag ${escapedUnicode(tag)} ${problem} (find and claim --tag would not match the tag ` +
        "it looks like)",
    );
  }
  return tag;
}

/**
 * Checks a list of tags given as `what` (`tags`, `any`, …): an array of
 * {@linkcode checkTag} tags. A lone string is refused by name rather than
 * read as something else (`"raw"` is no list of tags).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTags } from "./records.ts";
 * assert.deepEqual(checkTags(["a", "b"], "tags"), ["a", "b"]);
 * assert.throws(() => checkTags("raw" as unknown as string[], "tags"), /tags must be an array of tags \(\["raw"\]\), got "raw"/);
 * ```
 */
export function checkTags(tags: readonly string[], what: string): string[] {
  if (!Array.isArray(tags)) {
    throw new InvalidInputError(
      `${what} must be an array of tags${
        typeof tags === "string" ? ` (${JSON.stringify([tags])})` : ""
      }, got ${describeValue(tags)}`,
    );
  }
  return tags.map(checkTag);
}

/**
 * Normalises a logical path: leading `/`, no empty, `.` or `..` segments, no
 * control characters (NUL, tab, newline, ...), and valid Unicode: a lone
 * UTF-16 surrogate would be stored as U+FFFD, so the record's path would not
 * be the one given, and two paths would become one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeLogicalPath } from "./records.ts";
 * assert.equal(normalizeLogicalPath("data/x.csv"), "/data/x.csv");
 * assert.throws(() => normalizeLogicalPath("/a/../b"), /logical path/);
 * assert.throws(() => normalizeLogicalPath("/" + "\u4e00".repeat(700)), /2101 bytes in UTF-8/);
 * assert.throws(() => normalizeLogicalPath("/" + "a".repeat(1100)), /too long: 1101 characters/);
 * ```
 */
export function normalizeLogicalPath(path: string): string {
  requireString("a logical path", path);
  const p = path.startsWith("/") ? path : `/${path}`;
  const segments = p.slice(1).split("/");
  // Named as too long, not as malformed, and quoted in part: the whole of a
  // path of thousands of characters would bury the message.
  if (p.length > MAX_PATH_CHARS) {
    throw new InvalidInputError(
      `logical path ${quoted(path)} is too long: ${p.length} characters, ` +
        `over the ${MAX_PATH_CHARS} a logical path may have`,
    );
  }
  if (
    /\p{Cc}/u.test(p) || !p.isWellFormed() ||
    segments.some((s) => s === "" || s === "." || s === "..")
  ) {
    throw new InvalidInputError(
      `logical path ${
        quoted(path)
      } is invalid: use /segment/segment… without empty, . or .. segments, control ` +
        "characters or lone UTF-16 surrogates (not valid Unicode)",
    );
  }
  // A PostgreSQL index entry holds at most 2704 bytes: a longer path (or its
  // NFC form, kept beside it) could not be recorded there, and would be
  // refused only after its upload, by an error of the database's own.
  // An ASCII path is its own NFC form, a byte a character: no encoding
  // needed (which took half of a restore's check of each record's path).
  const bytes = ASCII.test(p) ? p.length : Math.max(utf8Length(p), utf8Length(p.normalize("NFC")));
  if (bytes > MAX_PATH_BYTES) {
    throw new InvalidInputError(
      `logical path ${quoted(path)} is too long: ${bytes} bytes in UTF-8 ` +
        `(or in NFC), over the ${MAX_PATH_BYTES} a catalog indexes`,
    );
  }
  return p;
}

/**
 * A logical path about to be recorded (`Repository.add`):
 * {@linkcode normalizeLogicalPath}, and no name that would list as another
 * (`newNameProblem` in `file_names.ts`: an invisible or bidirectional
 * character, a noncharacter, whitespace at either end). Paths
 * a catalog already holds are looked up by {@linkcode normalizeLogicalPath}
 * alone, so they can still be listed, fetched and expired.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNewLogicalPath } from "./records.ts";
 * assert.equal(checkNewLogicalPath("data/x.csv"), "/data/x.csv");
 * assert.throws(
 *   () => checkNewLogicalPath("/a\u202egnp.csv"),
 *   /logical path "\/a\\u202egnp.csv" holds U\+202E RIGHT-TO-LEFT OVERRIDE at index 2/,
 * );
 * assert.throws(() => checkNewLogicalPath("/x/a.csv "), /"\/x\/a.csv " ends with whitespace/);
 * ```
 */
export function checkNewLogicalPath(path: string): string {
  const p = normalizeLogicalPath(path);
  const problem = newNameProblem(p);
  if (problem !== undefined) {
    throw new InvalidInputError(`logical path ${printable(quoted(path))} ${problem}`);
  }
  return p;
}

/** The most characters (UTF-16 code units) of a logical path. */
export const MAX_PATH_CHARS = 1024;

/** The most UTF-8 bytes of a logical path (and of its NFC form): with a tag, within PostgreSQL's 2704 per index entry. */
export const MAX_PATH_BYTES = 1800;

const encoder = new TextEncoder();

const ASCII = /^\p{ASCII}*$/u;

function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

/**
 * Parses a record id given as text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRecordId } from "./records.ts";
 * assert.equal(parseRecordId("42"), 42);
 * assert.throws(() => parseRecordId("x1"), /record id "x1"/);
 * assert.throws(() => parseRecordId(2 ** 60), /too large/);
 * ```
 */
export function parseRecordId(text: string | number): number {
  const digits = typeof text === "string" && /^\s*\d+\s*$/.test(text);
  const n = typeof text === "number" ? text : digits ? Number(text) : NaN;
  // A whole number past what a record id can be is too large, not "not a
  // positive integer" (2 ** 60, or 20 digits typed by hand).
  if ((digits || Number.isInteger(n)) && !(n <= Number.MAX_SAFE_INTEGER)) {
    throw new InvalidInputError(
      `record id "${text}" is too large: ids go up to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidInputError(`record id "${text}" is not a positive integer`);
  }
  return n;
}
