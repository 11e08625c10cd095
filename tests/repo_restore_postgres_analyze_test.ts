/**
 * A restore into PostgreSQL analyses the tables it filled. Without
 * statistics the planner kept the plans of empty tables until autovacuum
 * came by: `vc repo check` right after restoring 100,000 records took
 * 70-124 s, and 9 s once the tables were analysed. Asserted on the
 * planner's row estimate (`pg_class.reltuples`, -1 for a table never
 * analysed), which only ANALYZE (or VACUUM) sets.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo restore --catalog postgres: the restored tables are analysed",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_restore_pg_analyze_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      let snapshot: string;
      {
        await using repo = await Repository.init(uri);
        for (let i = 0; i < 3; i++) {
          await repo.add(`/a/${i}.txt`, new TextEncoder().encode(`${i}`), { tags: ["t"] });
        }
        snapshot = (await repo.backup()).uri;
      }
      const catalog = await pg.createDatabase("restored");
      await Repository.restore(uri, snapshot, { catalog });
      await using repo = await Repository.open(uri);
      const rows = await repo.catalog.transaction("read", (tx) =>
        tx.query(
          "SELECT relname, reltuples FROM pg_class WHERE relname IN ('records', 'record_tags') " +
            "ORDER BY relname",
        ));
      assertEquals(rows.map((r) => [r.relname, Number(r.reltuples)]), [
        ["record_tags", 3],
        ["records", 3],
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
