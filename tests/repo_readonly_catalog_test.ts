/**
 * A SQLite catalog this process may read but not write (permissions, a
 * read-only mount; here `PRAGMA query_only`, which SQLite reports the same
 * way) is a clear CatalogUnavailableError naming the catalog, not an
 * internal error.
 */
import { join } from "node:path";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("repo: a read-only SQLite catalog is a clear error when a command writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_qa4_ro_" });
  const path = join(dir, "c.sqlite");
  const catalog = await openSqliteCatalog(path, { create: true });
  try {
    await catalog.transaction("write", (tx) => tx.query("CREATE TABLE t (x INTEGER)"));
    await catalog.transaction("read", (tx) => tx.query("PRAGMA query_only = ON"));
    const error = await assertRejects(
      () => catalog.transaction("write", (tx) => tx.query("INSERT INTO t (x) VALUES (1)")),
      CatalogUnavailableError,
    );
    assertStringIncludes(error.message, `sqlite:${path}`);
    assertStringIncludes(error.message, "read-only");
  } finally {
    await catalog.close();
    await Deno.remove(dir, { recursive: true });
  }
});
