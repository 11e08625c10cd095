/**
 * Records the statements a catalog is sent, and how many rows each
 * answered: what tests of a query's reach count instead of timing it.
 */
import type { Catalog, SqlValue } from "../src/repo/catalog.ts";
import type { Repository } from "../src/repo/repository.ts";

/** One statement sent, its parameters and how many rows it answered. */
export interface SentStatement {
  sql: string;
  params: SqlValue[];
  rows: number;
}

/** Records every statement sent through `catalog` until `stop()`. */
export function recording(catalog: Catalog): { sent: SentStatement[]; stop: () => void } {
  const target = catalog as { transaction: Catalog["transaction"] };
  const real = target.transaction.bind(catalog);
  const sent: SentStatement[] = [];
  target.transaction = (mode, fn, options) =>
    real(mode, (tx) =>
      fn({
        ...tx,
        query: async (sql, params) => {
          const rows = await tx.query(sql, params);
          sent.push({ sql, params: [...(params ?? [])], rows: rows.length });
          return rows;
        },
      }), options);
  return { sent, stop: () => target.transaction = real };
}

/**
 * The SQLite query plans (`EXPLAIN QUERY PLAN` details) of the SELECTs two
 * claims send, one of tag `todo` and one of tag `nothing`, after every claim
 * is cleared: what tests of a claim's reach read for a walk of all records.
 */
export async function claimQueryPlans(repo: Repository): Promise<string[]> {
  await repo.catalog.transaction(
    "write",
    (tx) => tx.query("UPDATE records SET claimed_by = NULL, claim_until = NULL"),
  );
  const rec = recording(repo.catalog);
  try {
    await repo.claim({ tag: "todo", ttlMs: 1000 });
    await repo.claim({ tag: "nothing", ttlMs: 1000 });
  } finally {
    rec.stop();
  }
  const plans: string[] = [];
  for (const { sql, params } of rec.sent) {
    if (!/^\s*SELECT/i.test(sql)) continue;
    // A row lock clause (PostgreSQL's; empty on SQLite) is no part of a plan.
    const rows = await repo.catalog.transaction(
      "read",
      (tx) => tx.query(`EXPLAIN QUERY PLAN ${sql.replace(/ FOR .*$/s, "")}`, params),
    );
    plans.push(...rows.map((row) => String(row.detail)));
  }
  return plans;
}
