/**
 * A PostgreSQL server that refuses a new connection as too many
 * (`max_connections`, a role's or database's CONNECTION LIMIT: 53300) while
 * a repository's pool grows (concurrent adds in one process) is a catalog
 * that cannot be reached, nothing committed. Before, the driver's
 * PostgresError escaped as it was (an internal error), and an add so refused
 * left the content it had uploaded for gc, where an add refused at its first
 * connection deleted it.
 */
import { assert, assertEquals } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { check } from "../src/repo/check.ts";
import { Repository } from "../src/repo/repository.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: a PostgreSQL server refusing a pool's next connection as too many is an unreachable catalog, and the add deletes its content (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const admin = await openPostgresCatalog(pg.url, { env: () => undefined });
    try {
      await admin.transaction("write", async (tx) => {
        await tx.query("CREATE ROLE w LOGIN CONNECTION LIMIT 1");
        await tx.query("GRANT ALL ON SCHEMA public TO w");
      });
    } finally {
      await admin.close();
    }
    const url = pg.url.replace("postgres://vc@", "postgres://w@");
    const dir = await Deno.makeTempDir();
    try {
      const init = await Repository.init(`file://${dir}`, { catalog: url });
      await init.close();
      await using repo = await Repository.open(`file://${dir}`);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => repo.add(`/f${i}`, new TextEncoder().encode(`x${i}`))),
      );
      const refused = results.filter((r) => r.status === "rejected");
      assert(refused.length > 0, "the role's limit refused no connection");
      for (const r of refused) {
        const error = (r as PromiseRejectedResult).reason;
        assert(error instanceof CatalogUnavailableError, String(error?.stack ?? error));
        assert(/too many connections/.test(error.message), error.message);
      }
      const report = await check(repo);
      assertEquals([report.problems.length, report.orphans.length], [0, 0]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
