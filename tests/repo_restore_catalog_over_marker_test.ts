/**
 * `vc repo restore SNAPSHOT --catalog sqlite:REPO/.vc-repo.json --force` (a
 * slip of the path): the marker was taken for a damaged catalog, set aside
 * as `.vc-repo.json.damaged-<ms>`, a catalog built in its place, and the
 * marker then written over that catalog: every later command failed ("file
 * is not a database"). A catalog path that is the marker, a backup or a file
 * of the directory store's own (`.vc~…`, but for the default catalog) is now
 * refused by `init` and `restore`, before anything is touched.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("restore and init refuse a SQLite catalog at the marker, a backup or a store file", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_catalog_marker_" }));
  try {
    const store = join(dir, "store");
    const uri = pathToFileURL(store).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.csv", new TextEncoder().encode("a\n"));
      snapshot = (await repo.backup()).uri;
    }
    const marker = await Deno.readTextFile(join(store, ".vc-repo.json"));
    const names = () => [...Deno.readDirSync(store)].map((e) => e.name).sort();
    const before = names();
    const cases: [string, string][] = [
      [".vc-repo.json", "the repository's marker"],
      [new URL(snapshot).pathname.slice(store.length + 1), "under the repository's backups/"],
      ["backups/new.sqlite", "under the repository's backups/"],
      [".vc~repo.sqlite-wal", "a file of the repository's store"],
    ];
    for (const [name, what] of cases) {
      const catalog = `sqlite:${join(store, name)}`;
      const error = await assertRejects(
        () => Repository.restore(uri, snapshot, { catalog, force: true }),
        InvalidInputError,
      );
      assertStringIncludes(error.message, `${catalog} is ${what}`);
    }
    assertEquals(await Deno.readTextFile(join(store, ".vc-repo.json")), marker);
    assertEquals(names(), before);
    await assertRejects(
      () =>
        Repository.init(pathToFileURL(join(dir, "new")).href, {
          catalog: `sqlite:${join(dir, "new", ".vc-repo.json")}`,
        }),
      InvalidInputError,
      "the repository's marker",
    );
    // The default catalog, and a file of one's own beside it, are fine.
    await Repository.restore(uri, snapshot, { force: true });
    await Repository.restore(uri, snapshot, { catalog: `sqlite:${join(store, "mine.sqlite")}` });
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
