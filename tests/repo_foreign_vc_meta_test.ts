/**
 * A catalog (a PostgreSQL database or search_path schema, a SQLite file)
 * where another program keeps a table named `vc_meta` with columns of its
 * own passed for a vc catalog: `vc repo init` or `restore --catalog` into it
 * failed as `vc: internal error: … column "key" … does not exist`, naming
 * neither the catalog nor the table. It is now refused as the
 * records/record_tags/path_tags case is: a `CatalogUnavailableError` naming
 * the catalog and the table, nothing created, the other program's rows as
 * they were.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openCatalog } from "../src/repo/open_catalog.ts";
import { parseCatalogRef } from "../src/repo/marker.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

onSqliteAndPostgres({
  sqlite: "repo: a SQLite file holding another program's vc_meta table is refused, naming it",
  postgres:
    "repo: a PostgreSQL database holding another program's vc_meta table is refused, naming it",
}, async (pgUrl) => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_foreign_vc_meta_" });
  try {
    const catalog = pgUrl ?? `sqlite:${join(dir, "app.sqlite")}`;
    const db = await openCatalog(parseCatalogRef(catalog, "h"), { create: true });
    const appRows = () =>
      db.transaction("read", (tx) => tx.query("SELECT id, note FROM vc_meta ORDER BY id"));
    try {
      await db.transaction("write", async (tx) => {
        await tx.query("CREATE TABLE vc_meta (id INTEGER PRIMARY KEY, note TEXT)");
        await tx.query("INSERT INTO vc_meta (id, note) VALUES (1, 'version control meta')");
      });
      const before = await appRows();
      const e = await assertRejects(
        () => Repository.init(pathToFileURL(join(dir, "new")).href, { catalog }),
        CatalogUnavailableError,
      );
      assertStringIncludes(e.message, pgUrl === undefined ? "app.sqlite" : "vc_test");
      assertStringIncludes(e.message, '"vc_meta"');
      assertStringIncludes(e.message, "another program's");
      assertEquals(await appRows(), before);
      // Nothing of vc's was created beside it.
      const made = await db.transaction("read", (tx) =>
        Promise.all(
          ["records", "record_tags", "path_tags"].map(async (table) =>
            (await tx.query(db.dialect.tableExists, [table])).length
          ),
        ));
      assertEquals(made, [0, 0, 0]);

      // A repository's catalog whose vc_meta another program then replaced.
      await db.transaction("write", (tx) => tx.query("DROP TABLE vc_meta"));
      const uri = pathToFileURL(join(dir, "repo")).href;
      await (await Repository.init(uri, { catalog })).close();
      await db.transaction("write", async (tx) => {
        await tx.query("DROP TABLE vc_meta");
        await tx.query("CREATE TABLE vc_meta (id INTEGER PRIMARY KEY, note TEXT)");
      });
      const o = await assertRejects(() => Repository.open(uri), CatalogUnavailableError);
      assertStringIncludes(o.message, pgUrl === undefined ? "app.sqlite" : "vc_test");
      assertStringIncludes(o.message, '"vc_meta"');
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
