/**
 * A SQLite catalog another connection holds locked while a command opens it
 * (an exclusive lock: a long checkpoint, a `sqlite3` session in
 * `PRAGMA locking_mode = EXCLUSIVE`) is waited for as a busy transaction is,
 * then refused as busy, naming the catalog. Before, the pragmas run at open
 * failed after SQLite's own 1 s wait, so every command beside such a lock
 * failed at once with "cannot open SQLite catalog …: database is locked".
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CatalogBusyError } from "../src/repo/catalog.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";

async function withLockedCatalog(
  run: (path: string, holder: DatabaseSync) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_open_locked_" });
  const path = `${dir}/c.sqlite`;
  try {
    const made = await openSqliteCatalog(path, { create: true });
    await made.transaction("write", (tx) => tx.query("CREATE TABLE vc_meta (key TEXT)"));
    await made.close();
    const holder = new DatabaseSync(path);
    try {
      // Kept after the write's commit, until the connection closes.
      holder.exec("PRAGMA locking_mode = EXCLUSIVE");
      holder.exec("INSERT INTO vc_meta (key) VALUES ('held')");
      await run(path, holder);
    } finally {
      if (holder.isOpen) holder.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo: a SQLite catalog locked at open is waited for, then opened", async () => {
  await withLockedCatalog(async (path, holder) => {
    const release = setTimeout(() => holder.close(), 600);
    try {
      const catalog = await openSqliteCatalog(path, { busyTimeoutMs: 50 });
      const rows = await catalog.transaction("read", (tx) => tx.query("SELECT key FROM vc_meta"));
      assertEquals(rows.map((r) => r.key), ["held"]);
      await catalog.close();
    } finally {
      clearTimeout(release);
    }
  });
});

Deno.test("repo: a SQLite catalog locked past every retry at open is refused as busy", async () => {
  await withLockedCatalog(async (path) => {
    const error = await assertRejects(
      () => openSqliteCatalog(path, { busyTimeoutMs: 20, attempts: 3 }),
      CatalogBusyError,
      "database is locked (gave up after 3 attempts)",
    );
    assert(error.message.includes(path), error.message);
  });
});
