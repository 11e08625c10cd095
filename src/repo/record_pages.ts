/**
 * Records of a listing (`list`, `find`), read a page at a time: each page in
 * a read transaction of its own, after the last id of the page before
 * (keyset pagination), its tags attached with it. Memory stays bounded by
 * the page whatever the catalog's size (`vc repo ls` of a million records
 * took 2.6 GB, 4.6 GB with `--json`, and printed nothing for minutes), and
 * no transaction stays open while a slow reader takes its output.
 *
 * Between two pages other writers commit: a record is listed once at most,
 * in id order; one removed before its page is read is not listed, one added
 * (a larger id) is, when the listing reaches it.
 *
 * @module
 */
import type { Catalog, Tx } from "./catalog.ts";
import {
  attachTags,
  placeholders,
  RECORD_COLUMNS,
  type RepoRecord,
  rowToRecord,
  type Where,
} from "./records.ts";

/** Records a listing reads in one read transaction. */
export const RECORDS_PER_PAGE = 5_000;

/** What a listing selects, in id order. */
export interface RecordSelection {
  /** Conditions on the record `r`. */
  where: Where;
  /**
   * Sets of tags: a selected record carries at least one tag of each set
   * (itself or through its path), and `where` says so too. The ids are read
   * from the tag indexes, page by page (see {@linkcode farthestPage}: the
   * smallest set bounds the work, whatever its place), instead of every
   * record being checked.
   */
  entries?: readonly (readonly string[])[];
  /** Newest (largest id) first. */
  descending?: boolean;
  /** At most this many records. */
  limit?: number;
}

/**
 * The records `selection` selects, a page (an array of at most `pageSize`)
 * at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Repository } from "./repository.ts";
 * import { recordPages } from "./record_pages.ts";
 * import { Where } from "./records.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using repo = await Repository.init(`file://${dir}`);
 *   for (const p of ["/a", "/b", "/c"]) await repo.add(p, new TextEncoder().encode(p));
 *   const pages = [];
 *   for await (const page of recordPages(repo.catalog, { where: new Where() }, 2)) {
 *     pages.push(page.map((r) => r.path));
 *   }
 *   assert.deepEqual(pages, [["/a", "/b"], ["/c"]]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function* recordPages(
  catalog: Catalog,
  selection: RecordSelection,
  pageSize: number = RECORDS_PER_PAGE,
): AsyncGenerator<RepoRecord[], void, undefined> {
  let after: number | undefined;
  let left = selection.limit ?? Infinity;
  while (left > 0) {
    const size = Math.min(pageSize, left);
    const page = await catalog.transaction("read", (tx) => readPage(tx, selection, after, size));
    if (page.records.length > 0) {
      left -= page.records.length;
      yield page.records;
    }
    if (page.next === undefined) return;
    after = page.next;
  }
}

// One page: the records after id `after` (before it, descending), and the
// id the next page starts after (undefined: this was the last).
async function readPage(
  tx: Tx,
  selection: RecordSelection,
  after: number | undefined,
  size: number,
): Promise<{ records: RepoRecord[]; next: number | undefined }> {
  const [beyond, direction] = selection.descending ? ["<", " DESC"] : [">", ""];
  const where = selection.where.copy();
  let last: number | undefined;
  if (selection.entries === undefined || selection.entries.length === 0) {
    if (after !== undefined) where.and(`r.id ${beyond} ${where.param(after)}`);
    const rows = await tx.query(
      `SELECT ${RECORD_COLUMNS} FROM records r${where} ORDER BY r.id${direction} LIMIT ${size}`,
      where.params,
    );
    if (rows.length === size) last = Number(rows.at(-1)!.id);
    return { records: await attachTags(tx, rows.map(rowToRecord)), next: last };
  }
  // The next `size` ids of the set that reaches farthest, then those of
  // them that meet the other conditions: a page may hold fewer records than
  // `size`, and the next one starts after its last id either way.
  const sources = selection.entries.map((tags) => (after: number | undefined, size: number) =>
    entryIds(tx, tags, beyond, direction, after, size)
  );
  const { ids, rest } = await farthestPage(sources, beyond, after, size);
  if (ids.length === 0) return { records: [], next: undefined };
  where.and(`r.id IN (${ids.map((id) => where.param(id)).join(", ")})`);
  const rows = await tx.query(
    `SELECT ${RECORD_COLUMNS} FROM records r${where} ORDER BY r.id${direction}`,
    where.params,
  );
  return {
    records: await attachTags(tx, rows.map(rowToRecord)),
    next: rest ? ids.at(-1) : undefined,
  };
}

/** Ids of one set of candidate records, in order: the first `size` beyond `after`. */
export type IdSource = (after: number | undefined, size: number) => Promise<number[]>;

/**
 * Of several sets of candidates, each a superset of the records wanted (a
 * record wanted is in all of them), the page of `size` ids beyond `after`
 * of the set whose page reaches farthest (`beyond`: `>`, or `<` for a
 * descending walk): every record wanted up to its last id is in it, since
 * each set's page holds all of that set's ids up to its own last id. `rest`
 * is false when the page holds all of its set that is left (fewer than
 * `size`), and so every record wanted: no other set is read then.
 *
 * Each page taken so consumes `size` ids of the smallest set at least, so a
 * walk reads about `size` ids per set for each `size` ids of the smallest:
 * `find --all common --all rare` read every id of `common` before (50,020
 * ids for 10 records, against 30 with the tags the other way round), and a
 * claim every expired or purged record of its tag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { farthestPage } from "./record_pages.ts";
 * const set = (ids: number[]) => (after: number | undefined, size: number) =>
 *   Promise.resolve(ids.filter((id) => id > (after ?? 0)).slice(0, size));
 * const every = set([1, 2, 3, 4, 5, 6, 7, 8]);
 * const few = set([3, 8]);
 * // `few` reaches farthest: every record in both up to 8 is among its ids.
 * assert.deepEqual(await farthestPage([every, few], ">", undefined, 2), { ids: [3, 8], rest: true });
 * // Nothing of `few` is left beyond 8: its short page ends the walk.
 * assert.deepEqual(await farthestPage([few, every], ">", 8, 2), { ids: [], rest: false });
 * ```
 */
export async function farthestPage(
  sources: readonly IdSource[],
  beyond: string,
  after: number | undefined,
  size: number,
): Promise<{ ids: number[]; rest: boolean }> {
  let farthest: number[] | undefined;
  for (const source of sources) {
    const ids = await source(after, size);
    if (ids.length < size) return { ids, rest: false };
    if (
      farthest === undefined ||
      (beyond === ">" ? ids.at(-1)! > farthest.at(-1)! : ids.at(-1)! < farthest.at(-1)!)
    ) farthest = ids;
  }
  return { ids: farthest ?? [], rest: farthest !== undefined };
}

/**
 * The first `size` distinct ids beyond `after` (`beyond`: `>`, or `<` with
 * `direction` ` DESC`) of records carrying any of `tags`, themselves or
 * through their path. Each side reads at most `size` distinct ids in order
 * from its index, so the first `size` of both together are exactly the
 * first `size` of all (a side with fewer holds all of its own): no page
 * reads the tagged ids of the whole catalog. The ids inherited from paths
 * are read by walking the records in id order when more than `size` paths
 * carry the tags and the next `4 * size` ids hold `size` of them (no sort
 * of every tagged record for each page), else by joining the tagged paths
 * to their records. Listings and `claim` take their tagged records so.
 */
export async function entryIds(
  tx: Tx,
  tags: readonly string[],
  beyond: string,
  direction: string,
  after: number | undefined,
  size: number,
): Promise<number[]> {
  const params = [...tags, ...(after === undefined ? [] : [after])];
  const list = placeholders(tags.length);
  const bound = (column: string) =>
    after === undefined ? "" : ` AND ${column} ${beyond} $${tags.length + 1}`;
  const order = ` ORDER BY 1${direction} LIMIT ${size}`;
  const own = `SELECT DISTINCT t.record_id AS id FROM record_tags t
         WHERE t.tag IN (${list})${bound("t.record_id")}${order}`;
  const walked = await walkedIds(tx, tags, beyond, direction, after, size);
  if (walked !== undefined) {
    // The first `size` inherited ids are `walked`: with the first `size`
    // own ones, they hold the first `size` of both.
    const ids = (await tx.query(own, params)).map((row) => Number(row.id));
    return [...new Set([...ids, ...walked])]
      .sort((a, b) => beyond === ">" ? a - b : b - a)
      .slice(0, size);
  }
  const rows = await tx.query(
    `SELECT id FROM (
       SELECT * FROM (${own}) own
       UNION
       SELECT * FROM (SELECT DISTINCT r2.id FROM path_tags pt JOIN records r2 ON r2.path = pt.path
         WHERE pt.tag IN (${list})${bound("r2.id")}${order}) inherited
     ) ids${order}`,
    params,
  );
  return rows.map((row) => Number(row.id));
}

// Records a walk for path tags may pass over, per id of its page.
const WALK_SPAN = 4;

// The first `size` ids beyond `after` of records whose path carries one of
// `tags`, found by walking the records in id order and asking each, when
// more than `size` paths carry them and `size` such records lie among the
// next `WALK_SPAN * size` ids; otherwise undefined (read them by the join).
// The join of every tagged path to its records sorted all of them again
// for each page on SQLite: with the tag on all 150,000 paths,
// `vc repo ls --tag` took 13.9 s against 2.3 s for a plain `ls`, and a
// claim 233 ms. The window bounds the walk where the tagged records are
// few among many (300 paths at the end of 150,000 records: each claim
// walked them all, 74 ms).
async function walkedIds(
  tx: Tx,
  tags: readonly string[],
  beyond: string,
  direction: string,
  after: number | undefined,
  size: number,
): Promise<number[] | undefined> {
  const list = placeholders(tags.length);
  const [count] = await tx.query(
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM path_tags WHERE tag IN (${list}) LIMIT ${
      size + 1
    }) p`,
    tags,
  );
  if (Number(count?.n ?? 0) <= size) return undefined;
  const start = after !== undefined
    ? `CAST($${tags.length + 1} AS BIGINT)`
    : beyond === ">"
    ? "0"
    : "(SELECT COALESCE(MAX(id), 0) + 1 FROM records)";
  const end = beyond === ">"
    ? `r2.id <= ${start} + ${WALK_SPAN * size}`
    : `r2.id >= ${start} - ${WALK_SPAN * size}`;
  const rows = await tx.query(
    `SELECT r2.id FROM records r2 WHERE r2.id ${beyond} ${start} AND ${end}
       AND EXISTS (SELECT 1 FROM path_tags pt WHERE pt.path = r2.path AND pt.tag IN (${list}))
     ORDER BY r2.id${direction} LIMIT ${size}`,
    after === undefined ? tags : [...tags, after],
  );
  return rows.length === size ? rows.map((row) => Number(row.id)) : undefined;
}
