/**
 * A SQLite catalog emptied to 0 bytes (a disk that filled up, a file
 * truncated by another tool) and a `vc repo restore` that is refused (a
 * snapshot of another repository, with or without `--force`). SQLite makes
 * an empty file a new database: the restore gave it the schema before the
 * snapshot was refused, and left an empty catalog at the marker's path: the
 * repository opened with no records, and its gc would delete all its content
 * as unreferenced. Now an empty file is a damaged catalog for every opening,
 * creating ones too: a forced restore sets it aside and puts it back when it
 * fails, and an unforced one changes nothing.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { CatalogDamagedError } from "../src/repo/catalog.ts";

Deno.test("repo restore refused over an emptied SQLite catalog leaves it empty, never a new catalog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_qa77_restore_empty_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  const catalogPath = join(dir, "repo", ".vc~repo.sqlite");
  try {
    const repo = await Repository.init(uri);
    await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
    const { uri: good } = await repo.backup();
    await repo.close();
    const other = await Repository.init(pathToFileURL(join(dir, "other")).href);
    const { uri: foreign } = await other.backup();
    await other.close();

    for (const suffix of ["", "-wal", "-shm"]) {
      await Deno.remove(catalogPath + suffix).catch(() => {});
    }
    await Deno.writeFile(catalogPath, new Uint8Array());
    for (const force of [false, true]) {
      await assertRejects(
        () => Repository.restore(uri, foreign, { force }),
        force ? InvalidInputError : CatalogDamagedError,
        force ? "another repository" : "empty file",
      );
      assertEquals((await Deno.stat(catalogPath)).size, 0);
      const names = [...Deno.readDirSync(join(dir, "repo"))].map((e) => e.name);
      assertEquals(names.filter((n) => n.includes("damaged")), []);
      await assertRejects(() => Repository.open(uri), CatalogDamagedError, "empty file");
    }
    // Its own snapshot needs --force, as over any damaged catalog, and rebuilds it.
    await assertRejects(() => Repository.restore(uri, good), CatalogDamagedError, "--force");
    assertEquals((await Repository.restore(uri, good, { force: true })).records, 1);
    await using restored = await Repository.open(uri);
    assertEquals((await restored.list()).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
