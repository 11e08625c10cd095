/**
 * Several `vc repo init`s into one new PostgreSQL database at once (a
 * deployment script run on many machines): one makes the repository and
 * every other is refused as a second repository on a taken catalog. Before,
 * they created the tables at the same moment (`CREATE TABLE IF NOT EXISTS`
 * does not guard against that) and the losers failed with an internal
 * `duplicate key value violates unique constraint "pg_type_typname_nsp_index"`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: inits racing into one new PostgreSQL catalog make one repository and refuse the rest clearly (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_pg_init_race_" });
    try {
      for (let round = 0; round < 3; round++) {
        const catalog = round === 0 ? pg.url : await pg.createDatabase(`race${round}`);
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, async (_, i) => {
            const uri = pathToFileURL(join(dir, `r${round}-${i}`)).href;
            const repo = await Repository.init(uri, { catalog });
            await repo.close();
          }),
        );
        const made = results.filter((r) => r.status === "fulfilled");
        assertEquals(made.length, 1, JSON.stringify(results.map((r) => String(r.status))));
        for (const r of results) {
          if (r.status === "fulfilled") continue;
          const error = r.reason as Error;
          assertEquals(error instanceof InvalidInputError, true, String(error?.stack ?? error));
          assertStringIncludes(error.message, "already belongs to a vc repository");
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
