/**
 * A restore that moves a repository to another catalog
 * (`vc repo restore SNAPSHOT --catalog C --force`) never hands out an id
 * again that the catalog it moved from handed out. Before, the new catalog
 * started just past the snapshot's largest id: the records left behind
 * (added since the snapshot) and those a forced restore had dropped there
 * before had their ids given to the next adds, so a worker that still held
 * such an id (its claim, its log, another system's row) tagged, expired or
 * purged another record by it, as `restore --force` within one catalog
 * never lets happen (repo_restore_ids_test.ts). SQLite to PostgreSQL and
 * back.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { Repository } from "../src/repo/mod.ts";

const bytes = new TextEncoder().encode("x");

Deno.test({
  name: "restore: a move to another catalog hands out no id the old catalog handed out",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "repo_restore_move_ids_" });
    try {
      const uri = pathToFileURL(join(dir, "store")).href;
      const sqlite = `sqlite:${join(dir, "back.sqlite")}`;
      let snapshot: string;
      {
        await using repo = await Repository.init(uri);
        await repo.add("/a", bytes); // 1
        snapshot = (await repo.backup()).uri;
        await repo.add("/b", bytes); // 2, left behind by the move
      }
      // A writer of the old catalog adds one more (3) while the restore
      // writes the new one: it is left behind too.
      let late = false;
      await Repository.restore(uri, snapshot, {
        catalog: pg.url,
        force: true,
        onProgress: ({ current }) => {
          if (current !== "writing the catalog" || late) return;
          late = true;
          const db = new DatabaseSync(join(dir, "store", ".vc~repo.sqlite"));
          try {
            db.prepare(
              "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at) " +
                "VALUES ('/late', 'unpublished', 'content/ab/late', 1, $md5, 'h', 1)",
            ).run({ md5: "d41d8cd98f00b204e9800998ecf8427e" });
          } finally {
            db.close();
          }
        },
      });
      assertEquals(late, true);
      let second: string;
      {
        await using repo = await Repository.open(uri, { postgresUrl: pg.url });
        assertEquals((await repo.add("/c", bytes)).id, 4, "past the ids left behind");
        second = (await repo.backup()).uri;
        await repo.add("/d", bytes); // 5
        await repo.add("/e", bytes); // 6
      }
      // A forced restore in place drops 5 and 6; PostgreSQL keeps its mark.
      await Repository.restore(uri, second, { catalog: pg.url, force: true });
      {
        await using repo = await Repository.open(uri, { postgresUrl: pg.url });
        assertEquals((await repo.list()).map((r) => r.id), [1, 4]);
      }
      // Moved back to a new SQLite catalog: past 6, which the catalog moved
      // from handed out, though it holds no record of it any more.
      await Repository.restore(uri, second, { catalog: sqlite, force: true });
      await using repo = await Repository.open(uri);
      assertEquals((await repo.list()).map((r) => r.id), [1, 4]);
      assertEquals((await repo.add("/f", bytes)).id, 7);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
