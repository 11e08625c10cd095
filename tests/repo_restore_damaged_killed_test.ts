/**
 * `vc repo restore SNAPSHOT --force` over a damaged SQLite catalog killed
 * midway (kill -9, a lost machine). The damaged catalog was moved aside
 * first and the new one built in its place: a kill after the new catalog got
 * its schema and before its rows committed left an empty catalog at the
 * marker's path, which the repository opened with no records, so its next gc
 * would delete all content as unreferenced (and a kill right after the move
 * left no catalog at all). Now the new catalog is built beside the damaged
 * one and takes its place only once complete.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { CatalogDamagedError } from "../src/repo/catalog.ts";
import { runKilledChild } from "./repo_killed_helpers.ts";

Deno.test("repo restore --force over a damaged catalog killed while writing rows leaves it damaged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_killed_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  const catalogPath = join(dir, "repo", ".vc~repo.sqlite");
  try {
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      for (let i = 0; i < 3; i++) {
        await repo.publish((await repo.add(`/${i}.txt`, new TextEncoder().encode(`${i}`))).id);
      }
      snapshot = (await repo.backup()).uri;
    }
    const damaged = new TextEncoder().encode("not a database ".repeat(600));
    await Deno.writeFile(catalogPath, damaged);

    // The child dies (as kill -9: no cleanup) once the rows are being written.
    const repoMod = new URL("../src/repo/mod.ts", import.meta.url).href;
    const script = `
      import { Repository } from ${JSON.stringify(repoMod)};
      await Repository.restore(${JSON.stringify(uri)}, ${JSON.stringify(snapshot)}, {
        force: true,
        onProgress: (p) => { if (p.current === "writing the catalog") Deno.exit(137); },
      });`;
    await runKilledChild(script);

    // The damaged catalog is still there: the repository says so, never opens empty.
    assertEquals(await Deno.readFile(catalogPath), damaged);
    await assertRejects(() => Repository.open(uri), CatalogDamagedError);

    // The same restore run again rebuilds it, keeping the damaged file aside.
    assertEquals((await Repository.restore(uri, snapshot, { force: true })).records, 3);
    await using restored = await Repository.open(uri);
    assertEquals((await restored.list()).length, 3);
    const names = [...Deno.readDirSync(join(dir, "repo"))].map((e) => e.name);
    assertEquals(names.filter((n) => n.includes(".damaged-")).length, 1);
    assertEquals(names.filter((n) => n.includes(".rebuilding")), []);
    assertEquals((await restored.check()).orphans.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
