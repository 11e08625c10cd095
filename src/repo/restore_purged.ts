/**
 * A forced restore over a catalog keeps the purges that catalog knows of.
 * A snapshot older than a purge (a nightly backup, a gc or a `purge` since)
 * holds the record as it was before: restored so, a published record was
 * `current` and claimable again, and any of them named content the purge had
 * deleted. A purge cannot be undone by the catalog alone, so a record the
 * replaced catalog holds purged (same id, same content key) stays purged,
 * with that catalog's times, unless the store holds its content again (an S3
 * noncurrent version copied back): then the snapshot's state stands.
 *
 * @module
 */
import { signalOption } from "../abort_hub.ts";
import { forEachLimit } from "../pool.ts";
import type { ObjectStore } from "../store/types.ts";
import type { SqlValue, Tx } from "./catalog.ts";
import type { SnapshotSummary } from "./backup_lines.ts";

/** A record the replaced catalog holds purged, and the snapshot not: purged since it was taken. */
export interface PurgedSince {
  id: number;
  contentKey: string;
  publishedAt: SqlValue;
  expiredAt: SqlValue;
  purgedAt: SqlValue;
}

// Catalog rows read per query, HEADs at once.
const PAGE = 5000;
const CONCURRENCY = 16;

/**
 * The catalog's records purged since `snapshot` was taken (purged here, held
 * by the snapshot as not purged), read a page at a time before a forced
 * restore deletes them: memory holds only those, not every purged record.
 */
export async function purgedSince(
  tx: Tx,
  snapshot: Pick<SnapshotSummary, "ids" | "purgedIds">,
): Promise<PurgedSince[]> {
  const found: PurgedSince[] = [];
  for (let after = 0;;) {
    const rows = await tx.query(
      "SELECT id, content_key, published_at, expired_at, purged_at FROM records " +
        `WHERE state = 'purged' AND id > $1 ORDER BY id LIMIT ${PAGE}`,
      [after],
    );
    for (const row of rows) {
      const id = Number(row.id);
      if (!snapshot.ids.has(id) || snapshot.purgedIds.has(id)) continue;
      found.push({
        id,
        contentKey: String(row.content_key),
        publishedAt: row.published_at ?? null,
        expiredAt: row.expired_at ?? null,
        purgedAt: row.purged_at ?? null,
      });
    }
    if (rows.length < PAGE) return found;
    after = Number(rows[rows.length - 1]!.id);
  }
}

/**
 * After the snapshot's rows are written: marks `records` purged again, as
 * the replaced catalog had them, where the restored record names the same
 * content and `store` no longer holds it. Returns how many.
 */
export async function keepPurged(
  tx: Tx,
  store: ObjectStore,
  records: readonly PurgedSince[],
  options: { signal?: AbortSignal; onChecked?: (done: number, total: number) => void } = {},
): Promise<number> {
  const gone: PurgedSince[] = [];
  let done = 0;
  await forEachLimit(records, CONCURRENCY, async (record) => {
    if ((await store.head(record.contentKey, signalOption(options.signal))) === undefined) {
      gone.push(record);
    }
    options.onChecked?.(++done, records.length);
  }, signalOption(options.signal));
  // One statement at a time in the transaction, in id order.
  gone.sort((a, b) => a.id - b.id);
  let kept = 0;
  for (const record of gone) {
    const updated = await tx.query(
      "UPDATE records SET state = 'purged', published_at = $3, expired_at = $4, " +
        "purged_at = $5, claimed_by = NULL, claim_until = NULL " +
        "WHERE id = $1 AND content_key = $2 RETURNING id",
      [record.id, record.contentKey, record.publishedAt, record.expiredAt, record.purgedAt],
    );
    kept += updated.length;
  }
  return kept;
}
