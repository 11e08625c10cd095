/**
 * The catalog's one schema, in the SQL both SQLite and PostgreSQL accept.
 * Times are milliseconds since the epoch (BIGINT), so both databases compare
 * them the same way and no time-zone conversion happens in SQL.
 *
 * - `records`: one row per stored file version; `state` is one of
 *   unpublished / published / expired / purged; a live claim is
 *   `claimed_by` + `claim_until` in the future.
 * - `record_tags`: tags on one record; `path_tags`: tags on a logical path,
 *   which every record of that path carries.
 * - `vc_meta`: schema version, the id of the repository the catalog belongs
 *   to (`repository`, also in the store's marker) and, for SQLite, the host
 *   that owns the file.
 *
 * @module
 */
import type { Dialect, Tx } from "./catalog.ts";
import type { RecordState } from "./records.ts";

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = 1;

/** The record states, in their usual order. */
export const STATES = [
  "unpublished",
  "published",
  "expired",
  "purged",
] as const satisfies readonly RecordState[];

/**
 * The DDL, with the dialect's id column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemaStatements } from "./schema.ts";
 * import { SQLITE_DIALECT } from "./sqlite_catalog.ts";
 * assert(schemaStatements(SQLITE_DIALECT).some((s) => s.includes("CREATE TABLE IF NOT EXISTS records")));
 * ```
 */
export function schemaStatements(dialect: Dialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS vc_meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS records (
      ${dialect.idColumn},
      path TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('unpublished', 'published', 'expired', 'purged')),
      content_key TEXT NOT NULL,
      size BIGINT NOT NULL,
      md5 TEXT NOT NULL,
      origin_host TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      published_at BIGINT,
      expired_at BIGINT,
      purged_at BIGINT,
      claimed_by TEXT,
      claim_until BIGINT
    )`,
    // current(path): the newest published record of a path, found by index.
    "CREATE INDEX IF NOT EXISTS records_path_state ON records (path, state, id)",
    // GC and claims select by state, then age or id.
    "CREATE INDEX IF NOT EXISTS records_state_created ON records (state, created_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS records_content_key ON records (content_key)",
    `CREATE TABLE IF NOT EXISTS record_tags (
      record_id BIGINT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
      tag TEXT NOT NULL,
      PRIMARY KEY (record_id, tag)
    )`,
    "CREATE INDEX IF NOT EXISTS record_tags_tag ON record_tags (tag, record_id)",
    `CREATE TABLE IF NOT EXISTS path_tags (
      path TEXT NOT NULL,
      tag TEXT NOT NULL,
      PRIMARY KEY (path, tag)
    )`,
    "CREATE INDEX IF NOT EXISTS path_tags_tag ON path_tags (tag, path)",
  ];
}

/** Creates the schema (idempotent) and records its version. */
export async function createSchema(tx: Tx, dialect: Dialect): Promise<void> {
  for (const statement of schemaStatements(dialect)) await tx.query(statement);
  await tx.query(
    "INSERT INTO vc_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING",
    [String(SCHEMA_VERSION)],
  );
}

/** Reads `vc_meta`, or `undefined` when the schema does not exist yet. */
export async function readMeta(tx: Tx): Promise<Map<string, string> | undefined> {
  let rows;
  try {
    rows = await tx.query("SELECT key, value FROM vc_meta");
  } catch (error) {
    if (/no such table|does not exist/i.test((error as Error).message)) return undefined;
    throw error;
  }
  return new Map(rows.map((r) => [String(r.key), String(r.value)]));
}
