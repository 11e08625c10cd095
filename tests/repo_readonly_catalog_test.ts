/**
 * A SQLite catalog this process may read but not write (permissions, a
 * read-only mount; here `PRAGMA query_only`, which SQLite reports the same
 * way) is a clear CatalogUnavailableError naming the catalog, not an
 * internal error.
 */
import { join } from "node:path";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { probeReadOnlyMount, readOnlyMount } from "./mounts.ts";

Deno.test("repo: a read-only SQLite catalog is a clear error when a command writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_ro_" });
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

// A read-only bind mount of a directory (root on Linux), probed once.
const canMountReadOnly = await probeReadOnlyMount();

Deno.test({
  name: "repo: a SQLite catalog on a read-only mount is read; a write is refused as read-only",
  // A real read-only file system: root may write anything else.
  ignore: !canMountReadOnly,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_ro_mount_" });
    const path = join(dir, "c.sqlite");
    try {
      const made = await openSqliteCatalog(path, { create: true });
      await made.transaction("write", (tx) => tx.query("CREATE TABLE t (x INTEGER)"));
      await made.transaction("write", (tx) => tx.query("INSERT INTO t (x) VALUES (7)"));
      await made.close();
      await readOnlyMount(dir, async () => {
        // Before: "unable to open database file" for every command, reads too
        // (WAL mode needs its -shm index, which cannot be created there).
        const catalog = await openSqliteCatalog(path);
        try {
          const rows = await catalog.transaction("read", (tx) => tx.query("SELECT x FROM t"));
          assertEquals(rows.map((r) => r.x), [7]);
          const error = await assertRejects(
            () => catalog.transaction("write", (tx) => tx.query("INSERT INTO t (x) VALUES (1)")),
            CatalogUnavailableError,
          );
          assertStringIncludes(error.message, "read-only");
        } finally {
          await catalog.close();
        }
        // Nothing was written beside it.
        assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["c.sqlite"]);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
