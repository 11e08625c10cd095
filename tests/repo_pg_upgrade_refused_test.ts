/**
 * A catalog an older vc wrote (schema version 2, no `tag_key`), opened by a
 * PostgreSQL role that may write its rows but not alter its tables (the
 * usual application role, the tables' owner being another): the upgrade on
 * open is refused, reads work, and `add` and `tag` are refused before any
 * upload, naming the version and who may upgrade it. Before, they failed as
 * an internal `column "tag_key" does not exist`, the add after its upload,
 * whose content stayed in the store as an orphan. Once the owner has opened
 * the catalog (upgrading it), the same open repository adds and tags again.
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
    "repo: adds and tags on an older PostgreSQL catalog a role may not upgrade are refused before upload (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_upgrade_refused_" });
    try {
      // No user in the URL: each machine's PGUSER names its role.
      const catalog = pg.url.replace("postgres://vc@", "postgres://");
      const uri = pathToFileURL(join(dir, "repo")).href;
      const env = (user: string) => (name: string) => name === "PGUSER" ? user : undefined;
      const owner = await Repository.init(uri, { catalog, env: env("vc") });
      const kept = await owner.add("/kept.txt", new TextEncoder().encode("kept"), {
        tags: ["raw"],
      });
      await owner.close();
      const admin = await openPostgresCatalog(pg.url);
      try {
        await admin.transaction("write", async (tx) => {
          // What a version 2 vc wrote: no tag_key.
          for (const table of ["record_tags", "path_tags"]) {
            await tx.query(`DROP INDEX ${table}_tag_key`);
            await tx.query(`ALTER TABLE ${table} DROP COLUMN tag_key`);
          }
          await tx.query("UPDATE vc_meta SET value = '2' WHERE key = 'schema_version'");
          await tx.query("CREATE ROLE app LOGIN");
          await tx.query(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app",
          );
          await tx.query("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app");
        });
      } finally {
        await admin.close();
      }
      const app = await Repository.open(uri, { env: env("app") });
      try {
        assertEquals((await app.list()).map((r) => r.id), [kept.id]);
        assertEquals((await app.publish(kept.id)).state, "published");
        for (
          const refused of [
            () => app.add("/new.txt", new TextEncoder().encode("new"), { tags: ["raw"] }),
            () => app.add("/untagged.txt", new TextEncoder().encode("untagged")),
            () => app.tag({ id: kept.id }, ["done"]),
            () => app.tag({ path: "/kept.txt" }, ["eu"]),
          ]
        ) {
          await assertRejects(
            refused,
            CatalogReadOnlyError,
            "has schema version 2, which this vc upgrades to 3 before it adds records or sets " +
              "tags, and this user may not upgrade it (must be owner of table",
          );
        }
        const report = await app.check();
        assertEquals(report.orphans.map((o) => o.key), []);
        // The owner opens it once: upgraded, and the open repository goes on.
        await (await Repository.open(uri, { env: env("vc") })).close();
        const added = await app.add("/new.txt", new TextEncoder().encode("new"), {
          tags: ["raw"],
        });
        assertEquals(await app.tag({ id: added.id }, ["done"]), ["done"]);
        assertEquals((await app.find({ all: ["raw", "done"] })).map((r) => r.id), [added.id]);
      } finally {
        await app.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
