/**
 * A restore into a PostgreSQL catalog of another repository is refused once
 * the snapshot's header is read, as a SQLite one is
 * (tests/repo_restore_catalog_refused_before_snapshot_test.ts): only SQLite
 * was looked at then, so the whole snapshot was read and checked first
 * (seconds for a large one), and a damage further on was reported instead
 * of the catalog.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { repoWithDamagedSnapshot } from "./damaged_snapshot.ts";

Deno.test({
  name:
    "repo restore: a PostgreSQL catalog of another repository is refused before the snapshot is read",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_restore_pg_catalog_first_" });
    try {
      // Its rows after the header damaged: what is said is the catalog's refusal.
      const { uri: x, snapshot } = await repoWithDamagedSnapshot(dir);
      const y = pathToFileURL(join(dir, "y")).href;
      const catalog = await pg.createDatabase("y");
      {
        await using other = await Repository.init(y, { catalog });
        await other.add("/b.txt", new TextEncoder().encode("b"));
      }
      for (const force of [false, true]) {
        const refused = await assertRejects(() =>
          Repository.restore(x, snapshot, { catalog, force })
        );
        assertStringIncludes(refused.message, "belongs to another vc repository");
      }
      await using still = await Repository.open(y);
      assertEquals((await still.list()).map((r) => r.path), ["/b.txt"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
