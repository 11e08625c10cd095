/**
 * A write transaction begun inside another's body, on a second connection
 * of this process to the same SQLite catalog file (a library caller's
 * `repo.catalog.transaction("write", …)` whose body awaits a write through
 * another `Repository` of the catalog). Before the
 * process's writers of one file took turns in a queue, SQLite's busy
 * handler gave up on it and the catalog was reported busy; the queue waited
 * without a limit for a turn that never came (the outer write awaits the
 * inner one): the process hung. The turn is now waited for as long as
 * SQLite's lock is, then it is reported busy.
 */
import { join } from "node:path";
import { CatalogBusyError } from "../src/repo/mod.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assert, assertRejects } from "./assert.ts";

Deno.test("sqlite catalog: a write nested in another's body on a second connection is reported busy, not waited for forever", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sqlite_nested_write_" });
  try {
    const path = join(dir, "catalog.sqlite");
    const a = await openSqliteCatalog(path, { create: true, attempts: 2, busyTimeoutMs: 100 });
    const b = await openSqliteCatalog(path, { attempts: 2, busyTimeoutMs: 100 });
    // Ends the test should the nested write wait forever (a hang is the bug):
    // no measure of how long it took, only that it ends at all.
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<never>((_, reject) => {
      watchdog = setTimeout(
        () => reject(new Error("the nested write still waits for a turn that never comes")),
        60_000,
      );
    });
    try {
      await a.transaction("write", (tx) => tx.query("CREATE TABLE t (n INTEGER)"));
      const outer = a.transaction("write", async (tx) => {
        await tx.query("INSERT INTO t VALUES (1)");
        await b.transaction("write", (inner) => inner.query("INSERT INTO t VALUES (2)"));
      });
      const error = await Promise.race([assertRejects(() => outer, CatalogBusyError), hung]);
      // This process holds the lock, not another: "run the command again"
      // would wait for itself again. The way out is named instead.
      assert(!error.message.includes("another process"), error.message);
      assert(error.message.includes("through that transaction"), error.message);
    } finally {
      clearTimeout(watchdog);
      await a.close();
      await b.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
