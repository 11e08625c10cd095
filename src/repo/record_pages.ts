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
   * Tags of which a selected record carries at least one (itself or through
   * its path): its ids are read from the tag indexes, page by page, instead
   * of every record being checked.
   */
  entry?: readonly string[];
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
  if (selection.entry === undefined) {
    if (after !== undefined) where.and(`r.id ${beyond} ${where.param(after)}`);
    const rows = await tx.query(
      `SELECT ${RECORD_COLUMNS} FROM records r${where} ORDER BY r.id${direction} LIMIT ${size}`,
      where.params,
    );
    if (rows.length === size) last = Number(rows.at(-1)!.id);
    return { records: await attachTags(tx, rows.map(rowToRecord)), next: last };
  }
  // The next `size` ids carrying an entry tag, then those of them that meet
  // the other conditions: a page may hold fewer records than `size`, and the
  // next one starts after its last id either way.
  const ids = await entryIds(tx, selection.entry, beyond, direction, after, size);
  if (ids.length === 0) return { records: [], next: undefined };
  where.and(`r.id IN (${ids.map((id) => where.param(id)).join(", ")})`);
  const rows = await tx.query(
    `SELECT ${RECORD_COLUMNS} FROM records r${where} ORDER BY r.id${direction}`,
    where.params,
  );
  return {
    records: await attachTags(tx, rows.map(rowToRecord)),
    next: ids.length === size ? ids.at(-1) : undefined,
  };
}

/**
 * The first `size` distinct ids beyond `after` (`beyond`: `>`, or `<` with
 * `direction` ` DESC`) of records carrying any of `tags`, themselves or
 * through their path. Each side reads at most `size` distinct ids in order
 * from its index, so the first `size` of both together are exactly the
 * first `size` of all (a side with fewer holds all of its own): no page
 * reads the tagged ids of the whole catalog. Listings and `claim` take
 * their tagged records so.
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
  const rows = await tx.query(
    `SELECT id FROM (
       SELECT * FROM (SELECT DISTINCT t.record_id AS id FROM record_tags t
         WHERE t.tag IN (${list})${bound("t.record_id")}${order}) own
       UNION
       SELECT * FROM (SELECT DISTINCT r2.id FROM path_tags pt JOIN records r2 ON r2.path = pt.path
         WHERE pt.tag IN (${list})${bound("r2.id")}${order}) inherited
     ) ids${order}`,
    params,
  );
  return rows.map((row) => Number(row.id));
}
