/**
 * gc writes in batches so that other writers get the catalog between them,
 * but on SQLite each batch began microseconds after the one before let go of
 * the writer lock: another process waiting for it (SQLite's busy handler
 * polls, then vc backs off) hardly ever found it free, and waited out the
 * whole gc. At 100,000 records (43,000 content objects to delete, each batch
 * of 1,000 holding the lock ~2 s in a directory store) a tag elsewhere
 * waited 59 s, a second from failing as busy. Now a write transaction that
 * held the lock long is followed by a pause before the process's next one.
 *
 * No timing is asserted: a second connection to the catalog tries to write,
 * without waiting, every few milliseconds while gc deletes content; it must
 * get the lock between gc's batches, which it never did before.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assert, assertEquals } from "./assert.ts";

const RECORDS = 4_000; // 4 content batches of 1,000

Deno.test("repo gc: another writer gets the SQLite catalog between gc's batches", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_gc_lets_writers_in_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri);
    // Abandoned adds of long ago, straight into the catalog (their content
    // is missing: deleting it is a no-op, slowed below as a store's is).
    await repo.catalog.transaction("write", async (tx) => {
      for (let i = 0; i < RECORDS; i++) {
        await tx.query(
          "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at) " +
            "VALUES ($1, 'unpublished', $2, 1, $3, 'host', $4)",
          [`/old/${i}.txt`, `content/00/old-${i}.txt`, "0".repeat(32), i + 1],
        );
      }
    });
    // Another machine's writer, as a connection of its own that never waits.
    const other = await openSqliteCatalog(join(dir, "repo", ".vc~repo.sqlite"), {
      busyTimeoutMs: 0,
      attempts: 1,
      ownWriteQueue: true,
    });
    let deleting = false;
    let busy = 0;
    let written = 0;
    const probe = setInterval(() => {
      if (!deleting) return;
      other.transaction("write", async (tx) => {
        // Counted only while gc is between two of its content batches.
        if (deleting) written++;
        await tx.query(
          "INSERT INTO vc_meta (key, value) VALUES ('probe', '1') " +
            "ON CONFLICT (key) DO UPDATE SET value = '1'",
        );
      }).catch(() => busy++);
    }, 5);
    // A content batch takes a while under the lock, as a directory store's
    // 1,000 deletes do.
    const store = repo.store as { delete: typeof repo.store.delete };
    const realDelete = store.delete.bind(repo.store);
    let batches = 0;
    store.delete = async (keys, options) => {
      deleting = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await realDelete(keys, options);
      // Still under the lock: after the last batch gc only reads the catalog.
      if (++batches === RECORDS / 1000) deleting = false;
    };
    let report;
    try {
      report = await repo.gc();
    } finally {
      clearInterval(probe);
      await other.close();
    }
    assertEquals(report.purgedUnpublished.length, RECORDS);
    assertEquals(batches, RECORDS / 1000);
    assert(busy > 0, "the probe never found gc holding the lock");
    assert(written > 0, `another writer never got the catalog during gc's ${batches} batches`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
