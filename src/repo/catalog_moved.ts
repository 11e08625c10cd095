/**
 * A catalog a restore moved the repository away from. `vc repo restore
 * SNAPSHOT --catalog C` points the store's marker at C; a process that
 * opened the repository before (a worker, a long-lived library user) still
 * holds the old catalog, and what it wrote there would be in no catalog the
 * repository reads again. So the restore leaves a note in the old catalog's
 * `vc_meta` (`moved_to`, the new catalog as text), and every transaction of
 * an open repository reads it first, and a write again before it commits:
 * one on a catalog moved from is rolled back with
 * {@linkcode CatalogReplacedError} instead.
 *
 * @module
 */
import { type Catalog, CatalogReplacedError, CatalogUnavailableError, type Tx } from "./catalog.ts";
import type { CatalogRef } from "./marker.ts";
import { catalogText } from "./marker.ts";
import { openCatalog, type OpenCatalogOptions } from "./open_catalog.ts";
import { countDropped } from "./backup.ts";
import { isRefusedLogin } from "./postgres_catalog.ts";
import { hasCause } from "../causes.ts";
import { REPO_RESTORE } from "../command_words.ts";

/** The `vc_meta` key naming the catalog a restore moved the repository to. */
export const MOVED_TO_KEY = "moved_to";

/**
 * `catalog`, whose every transaction fails with
 * {@linkcode CatalogReplacedError} (rolled back, nothing changed) once a
 * restore has moved the repository to another catalog.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogReplacedError } from "./catalog.ts";
 * import { MOVED_TO_KEY, refusingMovedCatalog } from "./catalog_moved.ts";
 * import { openSqliteCatalog } from "./sqlite_catalog.ts";
 * const dir = await Deno.makeTempDir();
 * const raw = await openSqliteCatalog(`${dir}/c.sqlite`, { create: true });
 * const catalog = refusingMovedCatalog(raw);
 * try {
 *   await raw.transaction("write", (tx) => tx.query("CREATE TABLE vc_meta (key TEXT PRIMARY KEY, value TEXT)"));
 *   assert.equal(await catalog.transaction("read", () => Promise.resolve(1)), 1);
 *   await raw.transaction("write", (tx) =>
 *     tx.query("INSERT INTO vc_meta VALUES ($1, $2)", [MOVED_TO_KEY, "sqlite:/new.sqlite"]));
 *   await assert.rejects(catalog.transaction("read", () => Promise.resolve(1)), CatalogReplacedError);
 * } finally {
 *   await catalog.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function refusingMovedCatalog(catalog: Catalog): Catalog {
  return {
    dialect: catalog.dialect,
    location: catalog.location,
    get conflictsRetried() {
      return catalog.conflictsRetried;
    },
    transaction: (mode, fn, options) =>
      catalog.transaction(mode, async (tx) => {
        // First, before the body acts outside the catalog too (gc deletes
        // content in its transaction, by what this catalog references),
        // read as the transaction's preface (on PostgreSQL in the statement
        // it sends first anyway: no round trip of its own); and again last
        // for a write, so that a PostgreSQL write (READ COMMITTED) sees a
        // move committed while it ran. Not on SQLite: its write lock,
        // held from the start, keeps out the restore's note till the commit.
        refuseMovedTo(tx.preface !== undefined ? tx.preface : await movedTo(tx), catalog.location);
        const { preface: _, ...body } = tx;
        const result = await fn(body);
        if (mode === "write" && !catalog.dialect.writesExcludeWriters) {
          refuseMovedTo(await movedTo(tx), catalog.location);
        }
        return result;
      }, { ...options, preface: MOVED_TO_SQL }),
    close: () => catalog.close(),
  };
}

/** The catalog a restore moved the repository to, or no row (a transaction's preface). */
const MOVED_TO_SQL = `SELECT value FROM vc_meta WHERE key = '${MOVED_TO_KEY}'`;

async function movedTo(tx: Tx): Promise<unknown> {
  return (await tx.query(MOVED_TO_SQL))[0]?.value ?? null;
}

function refuseMovedTo(movedTo: unknown, location: string): void {
  if (movedTo === undefined || movedTo === null) return;
  throw new CatalogReplacedError(
    `catalog ${location} is no longer the repository's: a restore (${REPO_RESTORE.library}) ` +
      "moved the repository " +
      `to ${movedTo} since this process opened it; nothing was changed: open the repository ` +
      "again to use its catalog",
  );
}

/** The `vc_meta` key holding the id of the restore that last wrote the catalog. */
export const RESTORE_ID_KEY = "restore_id";

/**
 * Leaves the note that the repository `repository` of the store `store`
 * moved from the catalog `from` to `to` (see the module's doc), which the
 * restore `restoreId` wrote. Only in a catalog made for this repository and
 * store (a copy of a store, restored into a catalog of its own, leaves the
 * original's catalog to the original) that this restore did not write: `from` may be `to` by another name (`localhost` and `127.0.0.1`,
 * a link to the same file), which must not be marked. A catalog that cannot
 * be opened or written (a damaged file, a server down, another host's file)
 * is left as it is: no process can write it then either. Returns, when the
 * note was written, how many of `from`'s records `ids.kept` (the restored
 * snapshot's ids) does not hold (`leftBehind`) and the largest id `from`
 * handed out (`lastId`, see {@linkcode lastIdHandedOut}), read under the
 * note's lock, so that no write lands there after; `unchecked`, why, when
 * the catalog could not be opened or written (nothing there was counted);
 * undefined when it is not this repository's (nothing to count).
 */
export async function markCatalogMoved(
  from: CatalogRef,
  to: CatalogRef,
  ids: { repository: string; store: string; restoreId: string; kept: ReadonlySet<number> },
  options: Pick<OpenCatalogOptions, "env" | "onConnectWait"> = {},
): Promise<{ leftBehind: number; lastId: number } | { unchecked: string } | undefined> {
  try {
    const catalog = await openCatalog(from, { ...options, movingFrom: true });
    try {
      return await catalog.transaction("write", async (tx) => {
        // Waits for a gc deleting content by this catalog's references
        // (it holds this lock while it deletes), whose next batch then
        // finds the note before it deletes anything.
        for (const statement of catalog.dialect.contentLock.exclusive) await tx.query(statement);
        const meta = new Map<unknown, unknown>(
          (await tx.query("SELECT key, value FROM vc_meta WHERE key IN ($1, $2, $3)", [
            "repository",
            "store",
            RESTORE_ID_KEY,
          ])).map((row) => [row.key, row.value]),
        );
        if (meta.get("repository") !== ids.repository) return undefined;
        if (meta.get("store") !== ids.store) return undefined;
        if (meta.get(RESTORE_ID_KEY) === ids.restoreId) return undefined;
        await tx.query(
          "INSERT INTO vc_meta (key, value) VALUES ($1, $2) " +
            "ON CONFLICT (key) DO UPDATE SET value = $2",
          [MOVED_TO_KEY, catalogText(to)],
        );
        const leftBehind = await countDropped(tx, ids.kept);
        const lastId = Number((await tx.query(catalog.dialect.lastIdHandedOut))[0]?.n ?? 0);
        return { leftBehind, lastId };
      });
    } finally {
      await catalog.close();
    }
  } catch (error) {
    return { unchecked: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The largest id `from`, the catalog a restore moves the repository away
 * from, handed out (to a record it holds, or one a forced restore dropped
 * there): the catalog moved to hands out only later ones, so that an id a
 * worker, a log or another system still holds never names another record.
 * Read only in a catalog made for this repository and store, as
 * {@linkcode countLeftBehind} reads; undefined when it is not one, or cannot
 * be opened.
 */
export async function lastIdHandedOut(
  from: CatalogRef,
  ids: { repository: string; store: string },
  options: Pick<OpenCatalogOptions, "env" | "onConnectWait"> = {},
): Promise<number | undefined> {
  return await readOwnCatalog(
    from,
    ids,
    options,
    async (tx, catalog) => Number((await tx.query(catalog.dialect.lastIdHandedOut))[0]?.n ?? 0),
  );
}

/**
 * How many records of `from`, the catalog a restore moves the repository
 * away from, `kept` (the snapshot's ids) does not hold: added there since
 * the snapshot was taken, they would be left behind. Counted only in a
 * catalog made for this repository and store, as
 * {@linkcode markCatalogMoved} marks; undefined when it is not one, or
 * cannot be opened (a lost or damaged catalog, a dead server: the usual
 * reasons to move). A server that is up but refuses the login (a wrong
 * password, or none sent) throws its {@linkcode CatalogUnavailableError}
 * (see {@linkcode loginRefused}): workers may still be writing there.
 */
export async function countLeftBehind(
  from: CatalogRef,
  ids: { repository: string; store: string; kept: ReadonlySet<number> },
  options: Pick<OpenCatalogOptions, "env" | "onConnectWait"> = {},
): Promise<number | undefined> {
  return await readOwnCatalog(
    from,
    ids,
    options,
    (tx) => countDropped(tx, ids.kept),
    loginRefused,
  );
}

/**
 * Whether `error` is a PostgreSQL server that answered but refused the login
 * (a wrong password, none sent to it, no `pg_hba.conf` line for this user):
 * unlike a server down or a damaged file, one where others may still log
 * in and write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogUnavailableError } from "./catalog.ts";
 * import { loginRefused } from "./catalog_moved.ts";
 * const cause = Object.assign(new Error("password authentication failed"), { code: "28P01" });
 * assert.equal(loginRefused(new CatalogUnavailableError("cannot reach", { cause })), true);
 * assert.equal(loginRefused(new CatalogUnavailableError("cannot reach")), false);
 * ```
 */
export function loginRefused(error: unknown): boolean {
  // The driver's error is its cause, or the cause of the AccessDeniedError
  // that is (see kindCause in postgres_catalog.ts).
  return error instanceof CatalogUnavailableError && hasCause(error.cause, isRefusedLogin);
}

/**
 * `read` in a read transaction of `from`, when it is a catalog made for this
 * repository and store (its `vc_meta` says so); undefined when it is not
 * one, cannot be opened (but for an error `rethrow` keeps), or the read
 * fails (a lost or damaged catalog).
 */
async function readOwnCatalog<T>(
  from: CatalogRef,
  ids: { repository: string; store: string },
  options: Pick<OpenCatalogOptions, "env" | "onConnectWait">,
  read: (tx: Tx, catalog: Catalog) => Promise<T>,
  rethrow: (error: unknown) => boolean = () => false,
): Promise<T | undefined> {
  let catalog: Catalog;
  try {
    catalog = await openCatalog(from, { ...options, movingFrom: true });
  } catch (error) {
    if (rethrow(error)) throw error;
    return undefined;
  }
  try {
    return await catalog.transaction("read", async (tx) => {
      const meta = new Map<unknown, unknown>(
        (await tx.query("SELECT key, value FROM vc_meta WHERE key IN ($1, $2)", [
          "repository",
          "store",
        ])).map((row) => [row.key, row.value]),
      );
      if (meta.get("repository") !== ids.repository || meta.get("store") !== ids.store) {
        return undefined;
      }
      return await read(tx, catalog);
    });
  } catch {
    return undefined;
  } finally {
    await catalog.close();
  }
}
