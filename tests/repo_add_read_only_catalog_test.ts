/**
 * An add by a user who may only read the catalog (a PostgreSQL role granted
 * SELECT alone) is refused as a read-only catalog, and the content it had
 * uploaded is deleted: the refusal is a statement's, before any commit, so
 * nothing can record it. Before, each such add left an orphan object in the
 * store until a gc past the grace period (7 days by default).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { CatalogReadOnlyError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: an add refused by a read-only PostgreSQL catalog leaves no orphan content (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_ro_add_" });
    try {
      // No user in the URL: each machine's PGUSER names its role.
      const catalog = pg.url.replace("postgres://vc@", "postgres://");
      const uri = pathToFileURL(join(dir, "repo")).href;
      const env = (user: string) => (name: string) => name === "PGUSER" ? user : undefined;
      const owner = await Repository.init(uri, { catalog, env: env("vc") });
      await owner.add("/kept.txt", new TextEncoder().encode("kept"));
      await owner.close();
      const admin = await openPostgresCatalog(pg.url);
      try {
        await admin.transaction("write", async (tx) => {
          await tx.query("CREATE ROLE reader LOGIN");
          await tx.query("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader");
        });
      } finally {
        await admin.close();
      }
      const reader = await Repository.open(uri, { env: env("reader") });
      try {
        assertEquals((await reader.list()).length, 1);
        await assertRejects(
          () => reader.add("/refused.txt", new TextEncoder().encode("refused")),
          CatalogReadOnlyError,
          "may not be changed by this user",
        );
        const report = await reader.check();
        assertEquals(report.orphans.map((o) => o.key), []);
        assertEquals(report.problems, []);
      } finally {
        await reader.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
