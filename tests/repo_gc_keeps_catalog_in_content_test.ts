/**
 * gc of a directory repository whose SQLite catalog lies under `content/`
 * (a catalog directory moved there and linked back, or a marker edited by
 * hand; `init` and `restore` refuse such a catalog, but one made before they
 * saw through symbolic links may be there): no record references the
 * catalog's file, so gc deleted it, with its WAL, once older than the grace
 * period, and the repository lost every record. gc now keeps the catalog's
 * files and lists them as skipped, saying how to move the catalog out.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("gc never deletes the repository's own SQLite catalog found under content/", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_gc_catalog_" }));
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const elsewhere = join(dir, "catalogs");
    await Deno.mkdir(elsewhere);
    {
      await using repo = await Repository.init(uri, {
        catalog: `sqlite:${join(elsewhere, "cat.sqlite")}`,
      });
      await repo.publish((await repo.add("/a.csv", new TextEncoder().encode("a\n"))).id);
    }
    // The catalog's directory moved under content/, a link left where it was.
    const moved = join(dir, "store", "content", "catalogs");
    await Deno.rename(elsewhere, moved);
    await Deno.symlink(moved, elsewhere);

    await using repo = await Repository.open(uri);
    const report = await repo.gc({ graceMs: 0 });
    assertEquals(report.deletedObjects, []);
    const skipped = report.skippedObjects.map((s) => s.key);
    assert(skipped.includes("content/catalogs/cat.sqlite"), skipped.join());
    for (const s of report.skippedObjects) {
      assert(s.problem.includes("the repository's own SQLite catalog"), s.problem);
    }
    assertEquals((await repo.list()).map((r) => [r.path, r.state]), [["/a.csv", "published"]]);
    assertEquals((await Deno.stat(join(moved, "cat.sqlite"))).isFile, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
