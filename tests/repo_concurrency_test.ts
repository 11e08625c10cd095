/**
 * Several real processes add, publish, expire and claim in one repository at
 * once, on each catalog kind: nothing is lost, nothing is claimed twice, and
 * the catalog stays consistent with the store. Bounded: 4 workers x 24 ops.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/repository.ts";
import { runWorkers, seedJobs, verifyRun } from "./fixtures/repo_concurrency.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const WORKERS = 4;
const OPS = 24; // 6 claims each: 24 claims for 20 jobs, so some find none free

async function scenario(catalog: string | undefined, dir: string) {
  const uri = `file://${join(dir, "repo")}`;
  await (await Repository.init(uri, catalog ? { catalog } : {})).close();
  await seedJobs(uri, undefined, 20);
  const results = await runWorkers(uri, undefined, WORKERS, OPS);
  assertEquals(await verifyRun(uri, undefined, results), []);
  const claimed = results.flatMap((r) => r.claimed).length;
  assertEquals(claimed, 20, "every job claimed exactly once");
  assertEquals(results.reduce((n, r) => n + r.noneFree, 0), WORKERS * OPS / 4 - 20);
}

Deno.test("repository concurrency: 4 processes on a SQLite catalog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_conc_" });
  try {
    await scenario(undefined, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "repository concurrency: 4 processes on a PostgreSQL catalog (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_conc_" });
    try {
      await using pg = await startPgServer();
      await scenario(pg.url, dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
