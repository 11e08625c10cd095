/**
 * `vc repo restore SNAPSHOT --force` over a damaged SQLite catalog (what the
 * damaged catalog's message tells the user to run), with a snapshot that is
 * itself refused (cut short, or of another repository). The damaged catalog
 * was set aside first and a new one created and given the schema; the
 * snapshot was then refused, leaving that empty catalog at the marker's
 * path: the repository opened with no records, and its next gc would delete
 * all its content as unreferenced. Now the snapshot is checked whole before
 * any catalog is touched, and a rebuild that fails puts the damaged catalog
 * back.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { CatalogDamagedError } from "../src/repo/catalog.ts";

Deno.test("repo restore --force of a refused snapshot over a damaged catalog changes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_qa21_restore_damaged_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  const catalogPath = join(dir, "repo", ".vc~repo.sqlite");
  try {
    const repo = await Repository.init(uri);
    await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
    const { uri: good } = await repo.backup();
    await repo.close();
    // A snapshot of another repository, and one cut short.
    const other = await Repository.init(pathToFileURL(join(dir, "other")).href);
    const { uri: foreign } = await other.backup();
    await other.close();
    const bytes = await Deno.readFile(new URL(good));
    const cut = join(dir, "cut.jsonl.gz");
    await Deno.writeFile(cut, bytes.subarray(0, bytes.length - 10));

    const damaged = new TextEncoder().encode("not a database ".repeat(600));
    await Deno.writeFile(catalogPath, damaged);
    for (const [snapshot, why] of [[cut, "cut short"], [foreign, "another repository"]]) {
      await assertRejects(
        () => Repository.restore(uri, snapshot!, { force: true }),
        InvalidInputError,
        why,
      );
      // The damaged catalog is where it was, as it was; nothing was set aside.
      assertEquals(await Deno.readFile(catalogPath), damaged);
      const names = [...Deno.readDirSync(join(dir, "repo"))].map((e) => e.name);
      assertEquals(names.filter((n) => n.includes("damaged")), []);
      await assertRejects(() => Repository.open(uri), CatalogDamagedError);
    }
    // The good snapshot rebuilds it.
    assertEquals((await Repository.restore(uri, good, { force: true })).records, 1);
    await using restored = await Repository.open(uri);
    assertEquals((await restored.list()).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
