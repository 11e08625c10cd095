/**
 * Two repositories opened on one SQLite catalog in one process (a worker
 * pool, a server opening the repository per request, three `gc()` calls
 * each with its own `Repository.open`). `node:sqlite` waits for SQLite's
 * lock synchronously, holding the event loop: a second connection's
 * `BEGIN IMMEDIATE` froze the process for its busy timeout, so the first
 * connection's transaction, whose body awaits (gc deletes content under
 * the lock), could not go on and let go, and the second gave up as busy
 * after about a minute and a half (measured: of three gcs at once, two
 * failed with `CatalogBusyError … stayed busy for 89.5 s`, where three
 * processes took 1.6 s). Writers of one file in one process now wait for
 * each other without blocking the event loop.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assertEquals } from "./assert.ts";

Deno.test("sqlite catalog: a write of a second connection in this process waits for the first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sqlite_same_process_" });
  try {
    const path = join(dir, "catalog.sqlite");
    // Few attempts, each waiting for the lock a second (SQLite's default):
    // what gave up before after a minute and a half gives up within a few
    // seconds, while the first write's body takes a fraction of one.
    const a = await openSqliteCatalog(path, { create: true, attempts: 3, busyTimeoutMs: 1000 });
    const b = await openSqliteCatalog(path, { attempts: 3, busyTimeoutMs: 1000 });
    try {
      await a.transaction("write", (tx) => tx.query("CREATE TABLE t (n INTEGER)"));
      let began!: () => void;
      const inside = new Promise<void>((resolve) => began = resolve);
      const long = a.transaction("write", async (tx) => {
        began();
        // A body that awaits, as gc's content deletes under the lock do.
        for (let i = 0; i < 40; i++) {
          await tx.query("INSERT INTO t VALUES ($1)", [i]);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      });
      await inside;
      const short = b.transaction("write", (tx) => tx.query("INSERT INTO t VALUES (100)"));
      await Promise.all([long, short]);
      const rows = await b.transaction("read", (tx) => tx.query("SELECT count(*) AS n FROM t"));
      assertEquals(Number(rows[0]!.n), 41);
    } finally {
      await a.close();
      await b.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo: gcs of three repositories opened on one SQLite catalog in one process all finish", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sqlite_same_process_gc_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri);
      for (let i = 0; i < 60; i++) {
        const record = await repo.add(`/g/${i % 5}.csv`, new TextEncoder().encode(`v${i}`));
        await repo.publish(record.id);
        if (i % 2 === 0) await repo.expire(record.id);
      }
    }
    const repos = await Promise.all([0, 1, 2].map(() => Repository.open(uri)));
    try {
      const reports = await Promise.all(
        repos.map((repo) => repo.gc({ retentionMs: 0, graceMs: 3_600_000 })),
      );
      // Each purged record purged by one of them, once; the 30 expired by
      // hand among them (and any superseded version one gc expired before
      // another purged).
      const purged = reports.flatMap((r) => r.purgedExpired).sort((x, y) => x - y);
      const listed = (await repos[0]!.list({ state: "purged" })).map((r) => r.id);
      assertEquals(purged, listed);
      assertEquals(listed.filter((id) => id % 2 === 1).length, 30);
    } finally {
      for (const repo of repos) await repo.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
