/**
 * A restore refused after it created its SQLite catalog (a snapshot of
 * another repository, a catalog another store owns) removes that file
 * again: no empty catalog is left where the user named a new one, and a
 * catalog that was there before is never removed.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { exists } from "./path_exists.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("repo: a refused restore into a new SQLite catalog leaves no catalog file behind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_refused_" });
  try {
    const x = pathToFileURL(join(dir, "x")).href;
    const y = pathToFileURL(join(dir, "y")).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(x);
      await repo.add("/a.txt", bytes("a"));
      snapshot = (await repo.backup()).uri;
    }
    await (await Repository.init(y)).close();
    const fresh = join(dir, "new.sqlite");
    for (const force of [false, true]) {
      const refused = await assertRejects(() =>
        Repository.restore(y, snapshot, { catalog: `sqlite:${fresh}`, force })
      );
      assertStringIncludes(refused.message, "backup of another repository");
      for (const suffix of ["", "-wal", "-shm", "-journal"]) {
        assertEquals(await exists(`${fresh}${suffix}`), false, `${fresh}${suffix}`);
      }
    }
    // A catalog that was there before the refused restore stays.
    const own = join(dir, "y", ".vc~repo.sqlite");
    await assertRejects(
      () => Repository.restore(y, snapshot, { catalog: `sqlite:${own}`, force: true }),
    );
    assertEquals(await exists(own), true);
    await using again = await Repository.open(y);
    assertEquals(await again.list(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
