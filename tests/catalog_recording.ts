/**
 * Records the statements a catalog is sent, and how many rows each
 * answered: what tests of a query's reach count instead of timing it.
 */
import type { Catalog, SqlValue } from "../src/repo/catalog.ts";

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
