/**
 * Opens the catalog a {@linkcode CatalogRef} names: SQLite directly, the
 * PostgreSQL module only when needed (it loads the npm driver).
 *
 * @module
 */
import type { Catalog } from "./catalog.ts";
import type { CatalogRef } from "./marker.ts";
import { openSqliteCatalog } from "./sqlite_catalog.ts";

/** Options of {@linkcode openCatalog}. */
export interface OpenCatalogOptions {
  /** Create a missing SQLite file (init, restore). */
  create?: boolean;
  /** With `create`: told when this call made the SQLite file (not another process). */
  onCreated?: () => void;
  /**
   * SQLite: refuse another program's database, as `create` does, creating
   * nothing (a restore's look at its catalog before it reads the snapshot).
   */
  refuseForeign?: boolean;
  /** A PostgreSQL URL given at run time, which may carry the password the marker never records. */
  postgresUrl?: string;
  /**
   * Where the catalog's location was read (the store's marker), for the
   * message refusing to send `PGPASSWORD` to a PostgreSQL catalog that no
   * `postgresUrl` names (default: "the repository's marker (.vc-repo.json)").
   */
  markerLocation?: string;
  /**
   * The catalog a move (`vc repo restore SNAPSHOT --catalog NEW`) leaves: its
   * messages say to name it with `VC_REPO_CATALOG`, `--catalog` being the new one.
   */
  movingFrom?: boolean;
  /** Environment for PostgreSQL (`PGPASSWORD`, `HOME`); default `Deno.env`. */
  env?: (name: string) => string | undefined;
  /**
   * Told each wait for a PostgreSQL server refusing connections for now, and
   * once when a transaction waits for another session's (SQLite: another
   * process's) lock (default: stderr).
   */
  onConnectWait?: (message: string) => void;
  /**
   * PostgreSQL: how long to keep trying a server that refuses connections for
   * now, or a transaction lost before its COMMIT (milliseconds; default
   * 30 000, 0: no retry).
   */
  connectRetryMs?: number;
}

/**
 * Opens the catalog `ref` names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openCatalog } from "./open_catalog.ts";
 * const dir = await Deno.makeTempDir();
 * const c = await openCatalog({ kind: "sqlite", path: `${dir}/c.sqlite`, host: "h" }, { create: true });
 * assert.equal(c.dialect.name, "sqlite");
 * await c.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openCatalog(
  ref: CatalogRef,
  options: OpenCatalogOptions = {},
): Promise<Catalog> {
  if (ref.kind === "sqlite") {
    return await openSqliteCatalog(
      ref.path,
      {
        ...(options.create
          ? { create: true, ...(options.onCreated ? { onCreated: options.onCreated } : {}) }
          : {}),
        ...(options.refuseForeign ? { refuseForeign: true } : {}),
        ...(options.onConnectWait ? { onLockWait: options.onConnectWait } : {}),
      },
    );
  }
  const { openPostgresCatalog } = await import("./postgres_catalog.ts");
  // A catalog no `postgresUrl` names is where the store's marker says, which
  // anyone who may write to the store can change: it gets no PGPASSWORD.
  return await openPostgresCatalog(options.postgresUrl ?? ref.url, {
    ...(options.postgresUrl === undefined
      ? { namedOnlyBy: options.markerLocation ?? "the repository's marker (.vc-repo.json)" }
      : {}),
    ...(options.movingFrom ? { movingFrom: true } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.onConnectWait ? { onConnectWait: options.onConnectWait } : {}),
    ...(options.connectRetryMs !== undefined ? { connectRetryMs: options.connectRetryMs } : {}),
    // A catalog that exists (not init's or a restore's new one, whose URL
    // may be wrong): a refused connection is a restart, waited out.
    ...(options.create ? {} : { retryRefused: true }),
  });
}
