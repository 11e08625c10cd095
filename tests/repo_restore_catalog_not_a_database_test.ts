/**
 * `vc repo restore SNAPSHOT --catalog sqlite:FILE` where FILE is no database
 * and not the repository's catalog (a mistyped path naming a text file of
 * the user's, or the snapshot itself) was refused as a damaged catalog, with
 * that error's way out: `rebuild it from a backup with vc repo restore
 * SNAPSHOT --force`. Following it, the restore set the user's file aside as
 * `FILE.damaged-<ms>` and put a catalog at its name, moving the repository
 * there: the file was never a catalog to rebuild. A file that is no database
 * is now refused as `init` refuses it, `--force` or not, left as it was; the
 * repository's own catalog found damaged is still rebuilt by a forced
 * restore (repo_restore_damaged_test.ts).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CatalogUnavailableError } from "../src/repo/mod.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("repo restore --catalog naming a file that is no database leaves it as it was", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_not_a_database_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const snapshot = join(dir, "s.jsonl.gz");
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.csv", new TextEncoder().encode("a"));
      await repo.backup(snapshot);
    }
    const notes = join(dir, "notes.txt");
    await Deno.writeTextFile(notes, "my notes\n");
    const snapshotBytes = await Deno.readFile(snapshot);
    const newStore = pathToFileURL(join(dir, "new-store")).href;
    for (const [into, file] of [[uri, notes], [uri, snapshot], [newStore, notes]]) {
      for (const force of [false, true]) {
        const error = await assertRejects(
          () => Repository.restore(into!, snapshot, { catalog: `sqlite:${file}`, force }),
          CatalogUnavailableError,
        );
        assertStringIncludes(error.message, `${file} is not a vc catalog`);
        assertStringIncludes(error.message, "left as it was");
        assertEquals(error.message.includes("--force"), false, error.message);
      }
    }
    assertEquals(await Deno.readTextFile(notes), "my notes\n");
    assertEquals(await Deno.readFile(snapshot), snapshotBytes);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(left, ["notes.txt", "s.jsonl.gz", "store"]);
    // The repository stays on its catalog.
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
