/**
 * gc on a PostgreSQL catalog where another session holds a record's row
 * locked: a worker on another machine frozen mid-write (SIGSTOP, a paused
 * VM, a lost network: its transaction stays open on the server for its TCP
 * keepalive, two hours by default). gc's expire and purge steps locked the
 * rows they take, waiting for that one: after a minute the whole gc failed
 * as busy, having purged nothing and deleted no orphan, and so did every
 * gc of every machine until the session was ended by hand. The steps now
 * skip rows another session holds (`FOR UPDATE SKIP LOCKED`), do the rest,
 * and report the records they left (`keptLocked`); a gc once the lock is
 * gone takes them.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo gc on PostgreSQL leaves records another session holds locked and does the rest",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_pg_gc_skips_locked_" });
    const frozen = await openPostgresCatalog(pg.url, { env: () => undefined });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      // A short lock wait of the session's own: before, gc failed as busy
      // after 12 of them, not after a minute.
      const catalog = `${pg.url}?options=-c%20lock_timeout%3D100`;
      await using repo = await Repository.init(uri, { catalog });
      const bytes = (text: string) => new TextEncoder().encode(text);
      const heldUnpublished = await repo.add("/held.txt", bytes("h"));
      const abandoned = await repo.add("/abandoned.txt", bytes("a"));
      const heldOld = await repo.add("/v.txt", bytes("1"));
      const old = await repo.add("/w.txt", bytes("1"));
      for (const r of [heldOld, old]) await repo.publish(r.id);
      for (const path of ["/v.txt", "/w.txt"]) {
        await repo.publish((await repo.add(path, bytes("2"))).id);
      }
      const orphan = `${repo.marker.contentPrefix}orphan.txt`;
      await repo.store.put(orphan, bytes("o"));

      // The frozen worker: its transaction holds two rows and never ends.
      const { promise: thaw, resolve: letThaw } = Promise.withResolvers<void>();
      const { promise: locked, resolve: isLocked } = Promise.withResolvers<void>();
      const holding = frozen.transaction("write", async (tx) => {
        await tx.query("SELECT id FROM records WHERE id IN ($1, $2) FOR UPDATE", [
          heldUnpublished.id,
          heldOld.id,
        ]);
        isLocked();
        await thaw;
      });
      await locked;
      let report;
      try {
        report = await repo.gc({ graceMs: 0, retentionMs: 0 });
      } finally {
        letThaw();
        await holding;
      }
      assertEquals(report.expired, [old.id]);
      assertEquals(report.purgedUnpublished, [abandoned.id]);
      assertEquals(report.deletedObjects.includes(orphan), true);
      assertEquals(report.keptLocked, [heldUnpublished.id, heldOld.id]);
      assertEquals((await repo.get(heldUnpublished.id)).state, "unpublished");

      const after = await repo.gc({ graceMs: 0, retentionMs: 0 });
      assertEquals([after.expired, after.purgedUnpublished], [[heldOld.id], [heldUnpublished.id]]);
      assertEquals(after.keptLocked, []);
    } finally {
      await frozen.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
