/**
 * gc on a PostgreSQL catalog while another session holds the shared content
 * lock and never commits: an add frozen while it records its content (a
 * SIGSTOP, a paused VM; its transaction stays open on the server). gc reads
 * its record-id cutoff under that lock taken exclusive, so it waited there,
 * before its first step, and failed as busy having expired nothing: a frozen
 * add stopped all of gc, not only its delete of unreferenced content. gc now
 * goes on without the cutoff: it expires what is superseded and purges no
 * record this run (one below the last id may yet commit), listing those due
 * as kept (`keptLocked`); a gc once the add committed or was ended takes them.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo gc on PostgreSQL with an add frozen holding the content lock still expires " +
    "and leaves the records due to purge for a later gc",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_pg_gc_frozen_add_" });
    const frozen = await openPostgresCatalog(pg.url, { env: () => undefined });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      // A short lock wait of the session's own, so busy comes quickly.
      const catalog = `${pg.url}?options=-c%20lock_timeout%3D100`;
      await using repo = await Repository.init(uri, { catalog });
      const bytes = (text: string) => new TextEncoder().encode(text);
      const old = await repo.add("/v.txt", bytes("1"));
      await repo.publish(old.id);
      await repo.publish((await repo.add("/v.txt", bytes("2"))).id);
      const abandoned = await repo.add("/abandoned.txt", bytes("a"));

      // The frozen add: it holds the content lock shared and never commits.
      const { promise: thaw, resolve: letThaw } = Promise.withResolvers<void>();
      const { promise: locked, resolve: isLocked } = Promise.withResolvers<void>();
      const holding = frozen.transaction("write", async (tx) => {
        for (const statement of frozen.dialect.contentLock.shared) await tx.query(statement);
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
      // Its purge is a later gc's (a record below the last id may yet
      // commit), and said so.
      assertEquals(report.purgedUnpublished, []);
      assertEquals(report.keptLocked, [abandoned.id]);
      assertEquals((await repo.get(abandoned.id)).state, "unpublished");

      const after = await repo.gc({ graceMs: 0, retentionMs: 0 });
      assertEquals(after.purgedUnpublished, [abandoned.id]);
      assertEquals(after.purgedExpired, [old.id]);
    } finally {
      await frozen.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
