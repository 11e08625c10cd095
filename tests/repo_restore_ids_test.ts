/**
 * Record ids are never handed out twice. `restore --force` of an older
 * snapshot drops the records added after it (their content is left to gc);
 * the next `add` must not take one of their ids, which scripts, logs and
 * other systems still use for the lost record. SQLite's AUTOINCREMENT
 * already kept its high-water mark; PostgreSQL reset its id sequence to just
 * past the snapshot's largest id and handed the lost ids out again.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { Repository } from "../src/repo/mod.ts";

async function noReuse(catalog: string | undefined): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_ids_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const opts = catalog ? { catalog } : {};
    const bytes = new TextEncoder().encode("x");
    let snapshot: string;
    let lost: number;
    {
      await using repo = await Repository.init(uri, opts);
      await repo.add("/a", bytes);
      snapshot = (await repo.backup()).uri;
      await repo.add("/a", bytes);
      lost = (await repo.add("/a", bytes)).id;
    }
    for (let round = 1; round <= 2; round++) {
      // Twice: a restore right after a restore keeps the mark too.
      await Repository.restore(uri, snapshot, { ...opts, force: true });
    }
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.id), [1]);
    assertEquals((await repo.add("/a", bytes)).id, lost + 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("restore --force never hands out an id again: SQLite", () => noReuse(undefined));

Deno.test({
  name: "restore --force never hands out an id again: PostgreSQL",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await noReuse(pg.url);
    // A new catalog restored from a snapshot starts past its ids.
    const dir = await Deno.makeTempDir({ prefix: "vc_ids_" });
    try {
      const uri = pathToFileURL(join(dir, "store")).href;
      let snapshot: string;
      {
        await using repo = await Repository.init(uri);
        await repo.add("/a", new TextEncoder().encode("x"));
        await repo.add("/a", new TextEncoder().encode("y"));
        snapshot = (await repo.backup()).uri;
      }
      const moved = await pg.createDatabase("moved");
      await Repository.restore(uri, snapshot, { catalog: moved });
      await using repo = await Repository.open(uri);
      assertEquals((await repo.add("/b", new TextEncoder().encode("z"))).id, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
