/**
 * `vc repo init` or `restore --catalog` into a PostgreSQL database (or
 * search_path schema) where another program already keeps a table of a name
 * vc uses (`records`, a common name; `record_tags`, `path_tags`) was
 * `vc: internal error: PostgresError: column "created_at" does not exist`,
 * naming neither the catalog nor the table: `CREATE TABLE IF NOT EXISTS`
 * passed over the other program's table and vc's first index on it failed.
 * A SQLite file holding another program's tables is refused naming them; a
 * PostgreSQL catalog now is too, as a `CatalogUnavailableError` naming the
 * catalog and the table, before anything is created, and the other
 * program's rows stay as they were (with `--force` too).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo: a PostgreSQL database holding another program's records table is refused, naming it",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_pg_foreign_tables_" });
    try {
      const app = await pg.createDatabase("appdb");
      const db = await openPostgresCatalog(app);
      const appRows = () =>
        db.transaction("read", (tx) => tx.query("SELECT id, customer FROM records ORDER BY id"));
      const tables = () =>
        db.transaction("read", (tx) =>
          tx.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' " +
              "ORDER BY 1",
          ));
      try {
        await db.transaction("write", async (tx) => {
          await tx.query("CREATE TABLE records (id SERIAL PRIMARY KEY, customer TEXT)");
          await tx.query("INSERT INTO records (customer) VALUES ('ACME'), ('Initech')");
        });
        const before = await appRows();

        const e = await assertRejects(
          () => Repository.init(pathToFileURL(join(dir, "new")).href, { catalog: app }),
          CatalogUnavailableError,
        );
        assertStringIncludes(e.message, "appdb");
        assertStringIncludes(e.message, '"records"');
        assertStringIncludes(e.message, "another program's");

        // A real repository's backup restored there, even with --force.
        const own = await pg.createDatabase("own");
        const uri = pathToFileURL(join(dir, "repo")).href;
        const snapshot = join(dir, "b.jsonl.gz");
        {
          await using repo = await Repository.init(uri, { catalog: own });
          await repo.publish((await repo.add("/a", new Uint8Array([1]))).id);
          await repo.backup(snapshot);
        }
        for (const force of [false, true]) {
          const r = await assertRejects(
            () => Repository.restore(uri, snapshot, { catalog: app, force }),
            CatalogUnavailableError,
          );
          assertStringIncludes(r.message, "appdb");
          assertStringIncludes(r.message, '"records"');
        }
        assertEquals(await appRows(), before);
        assertEquals((await tables()).map((row) => row.table_name), ["records"]);
        // The repository still opens on its own catalog.
        await using again = await Repository.open(uri);
        assertEquals((await again.list()).length, 1);
      } finally {
        await db.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
