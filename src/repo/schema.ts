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
 * - `path_key` (version 2, in `records` and `path_tags`): a path's NFC form
 *   when the path is not in NFC (see `spellingKey`), so every Unicode
 *   spelling of a path is found by index.
 * - `tag_key` (version 3, in `record_tags` and `path_tags`): the same for a
 *   tag, so every Unicode spelling of a tag is found by index too.
 *
 * @module
 */
import { spellingKey } from "../unicode_spelling.ts";
import { CatalogReadOnlyError, CatalogUnavailableError } from "./catalog.ts";
import type { Catalog, Dialect, Tx } from "./catalog.ts";
import type { RecordState } from "./records.ts";
import { REPO_OPEN_ONCE } from "../command_words.ts";

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = 3;

/**
 * The schema version a `vc_meta` value names when this vc knows it: exactly
 * one of `"1"` … `String(SCHEMA_VERSION)`, as vc writes it. Anything else
 * (a later version, or a value that is no such number: `""`, `"0"`, `"2.5"`)
 * is `undefined`: never upgraded, read or written as if it were older.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownSchemaVersion } from "./schema.ts";
 * assert.equal(knownSchemaVersion("2"), 2);
 * assert.equal(knownSchemaVersion("4"), undefined);
 * assert.equal(knownSchemaVersion(""), undefined);
 * ```
 */
export function knownSchemaVersion(value: string): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= SCHEMA_VERSION && String(n) === value
    ? n
    : undefined;
}

/**
 * The refusal of a catalog whose schema version this vc does not know
 * (see {@linkcode knownSchemaVersion}), naming `where` (the catalog).
 */
export function unknownSchemaVersionError(where: string, version: string): CatalogUnavailableError {
  return new CatalogUnavailableError(
    `${where} has schema version ${JSON.stringify(version)}, which this vc does not know ` +
      `(it knows up to ${SCHEMA_VERSION}): written by a newer vc, so upgrade vc to use this ` +
      "repository",
  );
}

/**
 * The refusal of an add or a tag on a catalog at `version`, older than
 * {@linkcode SCHEMA_VERSION}, whose upgrade on open this user may not make
 * (`refused`: a PostgreSQL role that may write rows but not alter tables, a
 * read-only file): their rows need the columns of the upgrade, and written
 * without them failed as an internal error (`column "tag_key" does not
 * exist`) after the add's upload.
 */
export function upgradeRefusedError(
  where: string,
  version: number,
  refused: CatalogReadOnlyError,
): CatalogReadOnlyError {
  const why = refused.cause instanceof Error ? refused.cause.message : refused.message;
  return new CatalogReadOnlyError(
    `${where} has schema version ${version}, which this vc upgrades to ${SCHEMA_VERSION} ` +
      `before it adds records or sets tags, and this user may not upgrade it (${why}): ` +
      `${REPO_OPEN_ONCE.library} as a user who may change its tables (on PostgreSQL, their ` +
      "owner), which upgrades it",
    { cause: refused },
  );
}

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
    ...LATER_INDEXES.map(([, sql]) => sql),
  ];
}

/**
 * Indexes added since version 3 that change no row and no answer, only how
 * fast one is found: no schema version of their own, so a vc that knows
 * version 3 reads and writes a catalog that has them as before. A new or
 * restored catalog is created with them; an older one gets them from the
 * first vc that opens it and may change its tables
 * ({@linkcode addLaterIndexes}); one who may not goes on without them, slower.
 *
 * - `records_published`: the published records by id, which a tagged claim
 *   walks beside the tag's ids (records.ts' `farthestPage`), so a queue tag
 *   on many expired or purged records no longer makes every claim read them
 *   all.
 */
export const LATER_INDEXES: readonly (readonly [name: string, sql: string])[] = [
  [
    "records_published",
    "CREATE INDEX IF NOT EXISTS records_published ON records (state, id) WHERE state = 'published'",
  ],
];

/**
 * The statements of the {@linkcode LATER_INDEXES} the catalog of `tx` lacks
 * and this user may add (none for one who may not: a PostgreSQL role that
 * may only read, or write rows of tables it does not own, or a read
 * replica, whose every open made a write that failed, an ERROR and its
 * statement in the server's log).
 */
export async function missingLaterIndexes(tx: Tx, dialect: Dialect): Promise<string[]> {
  const missing: string[] = [];
  if ((await tx.query(dialect.mayAddIndexes)).length === 0) return missing;
  for (const [name, sql] of LATER_INDEXES) {
    if ((await tx.query(dialect.indexExists, [name])).length === 0) missing.push(sql);
  }
  return missing;
}

/**
 * Creates `missing` (of {@linkcode missingLaterIndexes}) under the index
 * lock, so two vcs opening one catalog at once do not both create one (not
 * gc's content lock: an open waited out a gc deleting content, and failed
 * busy when that took longer than its lock waits); a catalog this user may
 * not change is left without them.
 */
export async function addLaterIndexes(catalog: Catalog, missing: readonly string[]): Promise<void> {
  if (missing.length === 0) return;
  await catalog.transaction("write", async (tx) => {
    for (const statement of catalog.dialect.indexLock) await tx.query(statement);
    for (const statement of missing) await tx.query(statement);
  }).catch((error) => {
    if (!(error instanceof CatalogReadOnlyError)) throw error;
  });
}

/**
 * Creates the schema (idempotent) and brings it to {@linkcode SCHEMA_VERSION}.
 * A new catalog is created as version 1 and upgraded like an old one, so
 * both end with the same tables.
 */
export async function createSchema(tx: Tx, dialect: Dialect, where = "catalog"): Promise<void> {
  // First, under the content lock (PostgreSQL's advisory lock; SQLite's write
  // transaction is alone anyway): `CREATE TABLE IF NOT EXISTS` is no guard
  // against another transaction creating the same table at once, so of two
  // `init`s (or restores) into one new database the second failed with an
  // internal `duplicate key … pg_type_typname_nsp_index` instead of waiting
  // and then finding the catalog taken.
  for (const statement of dialect.contentLock.exclusive) await tx.query(statement);
  await refuseForeignTables(tx, dialect, where);
  for (const statement of schemaStatements(dialect)) await tx.query(statement);
  await tx.query(
    "INSERT INTO vc_meta (key, value) VALUES ('schema_version', '1') ON CONFLICT (key) DO NOTHING",
  );
  await upgradeSchema(tx, dialect, where);
}

/** The tables of vc's schema beside `vc_meta`, which every vc catalog has had since version 1. */
const VC_TABLES = ["records", "record_tags", "path_tags"];

/**
 * Refuses, naming `where` and the table, a catalog with no `vc_meta` that
 * holds a table of a name vc uses: another program's (`records` is a common
 * name) in a PostgreSQL database or search_path schema given as the catalog.
 * `CREATE TABLE IF NOT EXISTS` passed over it, and the first index on it
 * failed as an internal error (`column "created_at" does not exist`);
 * written into, vc would mix its rows with that program's. A SQLite file
 * holding another program's tables is refused as it is opened.
 */
async function refuseForeignTables(tx: Tx, dialect: Dialect, where: string): Promise<void> {
  if ((await tx.query(dialect.metaTableExists)).length > 0) {
    await refuseForeignMeta(tx, dialect, where);
    return;
  }
  const taken: string[] = [];
  for (const table of VC_TABLES) {
    if ((await tx.query(dialect.tableExists, [table])).length > 0) taken.push(`"${table}"`);
  }
  if (taken.length === 0) return;
  throw new CatalogUnavailableError(
    `${where} is not a vc catalog: it holds another program's ${
      taken.length === 1 ? "table" : "tables"
    } ${taken.join(", ")} and no vc_meta; give vc a database of its own ` +
      "(CREATE DATABASE vc ENCODING 'UTF8'), or a schema of its own in this one " +
      "(options=-c search_path=vc); nothing was changed",
  );
}

/**
 * Refuses, naming `where`, a catalog whose `vc_meta` (which exists) lacks
 * vc's `key` and `value` columns: another program's table of that name. Its
 * first read or write failed as an internal error (`column "key" does not
 * exist`), naming neither the catalog nor the table.
 */
async function refuseForeignMeta(tx: Tx, dialect: Dialect, where: string): Promise<void> {
  const columns = new Set((await tx.query(dialect.metaColumns)).map((row) => String(row.name)));
  if (columns.has("key") && columns.has("value")) return;
  throw new CatalogUnavailableError(
    `${where} is not a vc catalog: its table "vc_meta" is another program's (columns ${
      [...columns].map((c) => JSON.stringify(c)).join(", ")
    }, not vc's key and value); give vc a database of its own ` +
      "(CREATE DATABASE vc ENCODING 'UTF8'), or a schema of its own in this one " +
      "(options=-c search_path=vc); nothing was changed",
  );
}

/**
 * Upgrades a catalog written by an older vc to {@linkcode SCHEMA_VERSION}
 * (nothing when it is there already); one of a version this vc does not
 * know (newer, or no version number) is refused, naming `where`, never
 * upgraded or written as if older. Version 2 adds `path_key`,
 * filled for the paths already recorded, and version 3 `tag_key`, filled
 * for the tags already set. Its version row is locked first, so of two
 * processes upgrading one catalog the second finds it done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqliteCatalog } from "./sqlite_catalog.ts";
 * import { createSchema, upgradeSchema } from "./schema.ts";
 * const dir = await Deno.makeTempDir();
 * const catalog = await openSqliteCatalog(`${dir}/c.sqlite`, { create: true });
 * try {
 *   await catalog.transaction("write", (tx) => createSchema(tx, catalog.dialect));
 *   // A new catalog is upgraded as it is created:
 *   assert.equal(await catalog.transaction("write", (tx) => upgradeSchema(tx, catalog.dialect)), false);
 * } finally {
 *   await catalog.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @returns whether it changed the catalog.
 */
export async function upgradeSchema(
  tx: Tx,
  dialect: Dialect,
  where = "catalog",
): Promise<boolean> {
  const raw = await readVersion(tx, dialect.forUpdate);
  if (raw === undefined) return false;
  const version = knownSchemaVersion(raw);
  if (version === undefined) throw unknownSchemaVersionError(where, raw);
  if (version >= SCHEMA_VERSION) return false;
  if (version < 2) {
    for (const table of ["records", "path_tags"]) await addSpellingKey(tx, table, "path");
  }
  if (version < 3) {
    for (const table of ["record_tags", "path_tags"]) await addSpellingKey(tx, table, "tag");
  }
  await tx.query("UPDATE vc_meta SET value = $1 WHERE key = 'schema_version'", [
    String(SCHEMA_VERSION),
  ]);
  return true;
}

/**
 * Adds `${column}_key` to `table`, filled with the `spellingKey` of the
 * values already there, and its index. Only a value with a character beyond
 * ASCII can be out of NFC: the others are not read at all.
 */
async function addSpellingKey(tx: Tx, table: string, column: "path" | "tag"): Promise<void> {
  await tx.query(`ALTER TABLE ${table} ADD COLUMN ${column}_key TEXT`);
  const rows = await tx.query(
    `SELECT DISTINCT ${column} AS v FROM ${table} WHERE octet_length(${column}) <> length(${column})`,
  );
  for (const row of rows) {
    const key = spellingKey(String(row.v));
    if (key !== null) {
      await tx.query(`UPDATE ${table} SET ${column}_key = $1 WHERE ${column} = $2`, [
        key,
        String(row.v),
      ]);
    }
  }
  // Most values are in NFC and have no key: only the others are indexed.
  await tx.query(
    `CREATE INDEX IF NOT EXISTS ${table}_${column}_key ON ${table} (${column}_key) ` +
      `WHERE ${column}_key IS NOT NULL`,
  );
}

/** The catalog's schema version as stored, `undefined` when it records none (no vc schema). */
export async function readVersion(tx: Tx, lock = ""): Promise<string | undefined> {
  const rows = await tx.query(
    `SELECT value FROM vc_meta WHERE key = 'schema_version'${lock}`,
  );
  return rows[0] === undefined ? undefined : String(rows[0].value);
}

/**
 * Reads `vc_meta`, or `undefined` when the schema does not exist yet;
 * another program's `vc_meta` is refused, naming `where`.
 */
export async function readMeta(
  tx: Tx,
  dialect: Dialect,
  where = "catalog",
): Promise<Map<string, string> | undefined> {
  // Looked up, not caught: on PostgreSQL the missing table's error failed
  // the whole transaction, an internal error instead of "no vc schema".
  if ((await tx.query(dialect.metaTableExists)).length === 0) return undefined;
  await refuseForeignMeta(tx, dialect, where);
  const rows = await tx.query("SELECT key, value FROM vc_meta");
  return new Map(rows.map((r) => [String(r.key), String(r.value)]));
}
