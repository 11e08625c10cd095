/**
 * A SQLite catalog inside the content directory, named through a symbolic
 * link (`--catalog sqlite:/srv/link/content/c.sqlite`, `link` → the
 * repository's directory; or the store through a link and the catalog by its
 * real path): `init` and `restore --catalog` compared the paths' text only,
 * took it, and the next gc deleted the catalog, an object under `content/`
 * no record references, with every record. Refused now as the plain spelling
 * is, before any catalog file is made.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("init and restore refuse a SQLite catalog in content/ reached through a symbolic link", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_catalog_link_" }));
  try {
    const store = join(dir, "store");
    const link = join(dir, "link");
    await Deno.mkdir(store);
    await Deno.symlink(store, link);
    const cases: [string, string][] = [
      [store, join(link, "content", "c.sqlite")],
      [store, join(link, "content", "sub", "c.sqlite")],
      [link, join(store, "content", "c.sqlite")],
    ];
    for (const [at, catalog] of cases) {
      await assertRejects(
        () => Repository.init(pathToFileURL(at).href, { catalog: `sqlite:${catalog}` }),
        InvalidInputError,
        "inside the repository's content",
      );
    }
    assertEquals([...Deno.readDirSync(store)], [], "init made nothing");

    // A repository, backed up; restored into a catalog in content/ through the link.
    let snapshot: string;
    {
      await using repo = await Repository.init(pathToFileURL(store).href);
      await repo.publish((await repo.add("/a.csv", new TextEncoder().encode("a\n"))).id);
      snapshot = (await repo.backup()).uri;
    }
    for (const [at, catalog] of cases) {
      await assertRejects(
        () =>
          Repository.restore(pathToFileURL(at).href, snapshot, {
            catalog: `sqlite:${catalog}`,
            force: true,
          }),
        InvalidInputError,
        "inside the repository's content",
      );
    }
    await using repo = await Repository.open(pathToFileURL(store).href);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.csv"]);
    assertEquals([...Deno.readDirSync(join(store, "content"))].filter((e) => e.isFile), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
