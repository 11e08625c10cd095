/**
 * A PostgreSQL catalog without the index added since version 3
 * (`records_published`: made by an older vc), opened by roles that may not
 * create it: one that may only read the tables, one that may write its rows
 * but does not own them, and one whose transactions are read-only by
 * default (as on a read replica). Each open made a write attempt that
 * failed (`must be owner of table records`, `cannot execute CREATE INDEX in
 * a read-only transaction`): an ERROR with its statement in the server's
 * log at every `vc repo ls` of every such machine. And it waited first for
 * gc's content lock, exclusive, so a reader's open waited out a gc
 * deleting content (and failed busy when that took longer than its lock
 * waits). Now whether this user may create the index is asked in the open's
 * read: those who may not go on without it, writing nothing; and the one
 * who may creates it under a lock of its own, never waiting for gc.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

// gc's content lock (postgres_catalog.ts' CONTENT_LOCK_KEY).
const CONTENT_LOCK = "SELECT pg_advisory_xact_lock(7623890212345678901)";

Deno.test({
  name:
    "repo: roles that may not create a missing index open a PostgreSQL catalog with no failing write and no wait for gc (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_later_index_reader_" });
    const admin = await openPostgresCatalog(pg.url);
    try {
      const catalog = pg.url.replace("postgres://vc@", "postgres://");
      const uri = pathToFileURL(join(dir, "repo")).href;
      const env = (user: string) => (name: string) => name === "PGUSER" ? user : undefined;
      const owner = await Repository.init(uri, { catalog, env: env("vc") });
      const kept = await owner.add("/kept.txt", new TextEncoder().encode("kept"));
      await owner.close();
      await admin.transaction("write", async (tx) => {
        // What an older vc made: no records_published.
        await tx.query("DROP INDEX records_published");
        await tx.query("CREATE ROLE reader LOGIN");
        await tx.query("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader");
        await tx.query("CREATE ROLE app LOGIN");
        await tx.query(
          "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app",
        );
        await tx.query("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app");
        await tx.query("CREATE ROLE replica LOGIN");
        await tx.query("GRANT SELECT ON ALL TABLES IN SCHEMA public TO replica");
        await tx.query("ALTER ROLE replica SET default_transaction_read_only = on");
        // The tables' owner, not a superuser, who may create the index.
        await tx.query("CREATE ROLE keeper LOGIN");
        await tx.query("GRANT ALL ON ALL TABLES IN SCHEMA public TO keeper");
        await tx.query("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO keeper");
        await tx.query("GRANT CREATE ON SCHEMA public TO keeper");
        await tx.query("ALTER TABLE records OWNER TO keeper");
        // Lock waits short enough that an open waiting for gc fails busy
        // within the test, not after a minute.
        for (const role of ["reader", "app", "replica", "keeper"]) {
          await tx.query(`ALTER ROLE ${role} SET lock_timeout = '50ms'`);
        }
      });
      const logFile = join(pg.socketDir, "log");
      const logBefore = (await Deno.readTextFile(logFile)).length;
      // gc's orphan step holds the content lock exclusive while it deletes.
      const gcHolds = Promise.withResolvers<void>();
      const release = Promise.withResolvers<void>();
      const gc = admin.transaction("write", async (tx) => {
        await tx.query(CONTENT_LOCK);
        gcHolds.resolve();
        await release.promise;
      });
      await gcHolds.promise;
      try {
        for (const role of ["reader", "app", "replica", "reader", "app", "replica"]) {
          const repo = await Repository.open(uri, { env: env(role) });
          try {
            assertEquals((await repo.list()).map((r) => r.id), [kept.id], role);
          } finally {
            await repo.close();
          }
        }
        const errors = (await Deno.readTextFile(logFile)).slice(logBefore).split("\n")
          .filter((line) => /\b(ERROR|STATEMENT):/.test(line));
        assertEquals(errors, [], "no failing statement in the server's log");
        // The owner, who may create it, does so without waiting for gc.
        await (await Repository.open(uri, { env: env("keeper") })).close();
        const indexed = await admin.transaction(
          "read",
          (tx) => tx.query(admin.dialect.indexExists, ["records_published"]),
        );
        assertEquals(indexed.length, 1, "the owner's open adds the index");
      } finally {
        release.resolve();
        await gc;
      }
      // The app role writes as before.
      const app = await Repository.open(uri, { env: env("app") });
      try {
        const added = await app.add("/new.txt", new TextEncoder().encode("new"));
        assert(added.id > kept.id);
      } finally {
        await app.close();
      }
    } finally {
      await admin.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
