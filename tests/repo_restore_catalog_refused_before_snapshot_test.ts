/**
 * A restore into a SQLite catalog it may never take (another repository's,
 * another program's database, a file that is no database) is refused before
 * the snapshot is read past its header: the whole snapshot was read and
 * checked first (seconds to minutes for a large one), and a damage further
 * on was reported instead of the catalog.
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { repoWithDamagedSnapshot } from "./damaged_snapshot.ts";

Deno.test("repo restore: a catalog it may not take is refused before the snapshot is read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_catalog_first_" });
  try {
    // Its rows after the header damaged: what is said is the catalog's refusal.
    const { uri: x, snapshot } = await repoWithDamagedSnapshot(dir);
    const y = pathToFileURL(join(dir, "y")).href;
    {
      await using other = await Repository.init(y);
      await other.add("/b.txt", new TextEncoder().encode("b"));
    }
    const foreignDb = join(dir, "app.db");
    const db = new DatabaseSync(foreignDb);
    db.exec("CREATE TABLE t (x)");
    db.close();
    const textFile = join(dir, "notes.txt");
    await Deno.writeTextFile(textFile, "not a database\n".repeat(100));
    const cases = [
      {
        store: x,
        catalog: join(dir, "y", ".vc~repo.sqlite"),
        says: "belongs to another vc repository",
      },
      {
        store: pathToFileURL(join(dir, "fresh")).href,
        catalog: join(dir, "y", ".vc~repo.sqlite"),
        says: "already belongs to a vc repository",
      },
      { store: x, catalog: foreignDb, says: "another program's database" },
      { store: x, catalog: textFile, says: "is not a vc catalog" },
    ];
    for (const { store, catalog, says } of cases) {
      const before = await Deno.readFile(catalog);
      for (const force of [false, true]) {
        const refused = await assertRejects(() =>
          Repository.restore(store, snapshot, { catalog: `sqlite:${catalog}`, force })
        );
        assertStringIncludes(refused.message, says);
        assertStringIncludes(refused.message, catalog);
      }
      assertEquals(await Deno.readFile(catalog), before);
    }
    await using still = await Repository.open(y);
    assertEquals((await still.list()).map((r) => r.path), ["/b.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
