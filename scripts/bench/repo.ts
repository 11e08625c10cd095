/**
 * Repository benchmark, for each catalog kind (SQLite; PostgreSQL when
 * initdb is installed):
 *
 * 1. N worker processes × M mixed operations (add / publish / claim / expire)
 *    against the fake S3 server: operations per second, busy/serialization
 *    conflicts retried, and a final verification (no record claimed twice, no
 *    lost update, `check()` clean). Default 8 × 200 (`--quick`: 4 × 40).
 * 2. `current(path)` and `find` at 100,000 records (`--quick`: 20,000):
 *    median latency of the library call, and `current`'s query plan, which
 *    must use the indexes (no full scan of records).
 * 3. gc of one path's versions: `gc({ dryRun: true })` of one path holding
 *    V and then 8 × V published versions (V = 2,500; `--quick`: 1,000). The
 *    time should grow 8×, as the versions do; it grew with their square
 *    (64×) when gc asked, per record, whether a newer version EXISTS.
 *
 *     deno run --allow-all scripts/bench/repo.ts [--quick] [--workers N] [--ops M] [--records R]
 *
 * @module
 */
import { join } from "node:path";
import { startFakeS3 } from "../../src/testing/mod.ts";
import type { StoreOptions } from "../../src/store/open.ts";
import { openStore } from "../../src/store/open.ts";
import { Repository } from "../../src/repo/repository.ts";
import { CURRENT_SQL } from "../../src/repo/records.ts";
import type { Catalog, SqlValue } from "../../src/repo/catalog.ts";
import { runWorkers, seedJobs, verifyRun } from "../../tests/fixtures/repo_concurrency.ts";
import { havePostgres, type PgServer, startPgServer } from "../../tests/pg_server.ts";
import { fmtNum, median, parseBenchNumbers, Report } from "./lib.ts";

const { quick, results, numbers } = parseBenchNumbers(Deno.args, {
  workers: [8, 4],
  ops: [200, 40],
  records: [100_000, 20_000],
});
const { workers: WORKERS, ops: OPS, records: RECORDS } = numbers;
const report = new Report("repo");

await using s3 = await startFakeS3({ buckets: ["bench"] });
const store: StoreOptions = {
  s3: {
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  },
};
const dir = await Deno.makeTempDir({ prefix: "vc_bench_repo_" });
let pg: PgServer | undefined;
try {
  if (havePostgres) pg = await startPgServer();
  else report.info("PostgreSQL (initdb) not installed: SQLite only");
  const kinds: { kind: string; catalog: (name: string) => Promise<string> }[] = [
    { kind: "sqlite", catalog: (name) => Promise.resolve(`sqlite:${join(dir, `${name}.sqlite`)}`) },
  ];
  if (pg) kinds.push({ kind: "postgres", catalog: (name) => pg!.createDatabase(name) });
  for (const { kind, catalog } of kinds) {
    await concurrency(kind, await catalog(`${kind}_conc`));
    await queries(kind, await catalog(`${kind}_big`));
    await gcScaling(kind, catalog);
  }
} finally {
  await pg?.[Symbol.asyncDispose]();
  await Deno.remove(dir, { recursive: true });
}
const args = results === undefined ? { quick } : { quick, results };
await report.finish({ quick: args.quick, results: args.results });

async function concurrency(kind: string, catalog: string): Promise<void> {
  const uri = `s3://bench/${kind}-conc`;
  const opener = { openStore: (u: string) => openStore(u, store) };
  await (await Repository.init(uri, { catalog, ...opener })).close();
  const jobs = Math.floor((WORKERS * OPS) / 8); // half the claims find a job
  await seedJobs(uri, store, jobs);
  const t0 = performance.now();
  const results = await runWorkers(uri, store, WORKERS, OPS);
  const seconds = (performance.now() - t0) / 1000;
  const total = WORKERS * OPS;
  const conflicts = results.reduce((n, r) => n + r.conflictsRetried, 0);
  const claims = results.reduce((n, r) => n + r.claimed.length, 0);
  const problems = await verifyRun(uri, store, results);
  for (const p of problems.slice(0, 10)) report.info(`${kind}: ${p}`);
  const perProcess = results.map((r) => r.ops / r.seconds);
  report.info(
    `${kind}: ${WORKERS} processes × ${OPS} ops = ${total} ops in ${fmtNum(seconds)} s ` +
      `(incl. process start-up) = ${fmtNum(total / seconds)} ops/s; per process ` +
      `${fmtNum(median(perProcess))} ops/s median; ${claims}/${jobs} jobs claimed; ` +
      `${conflicts} conflicts retried`,
  );
  report.goal(
    `${kind}: lost updates + double claims + check problems`,
    problems.length,
    "",
    "==",
    0,
    `${fmtNum(total / seconds)} ops/s, ${conflicts} conflicts retried`,
  );
}

async function queries(kind: string, catalog: string): Promise<void> {
  const uri = `file://${join(dir, `${kind}-big`)}`;
  await using repo = await Repository.init(uri, { catalog });
  const t0 = performance.now();
  await bulkLoad(repo.catalog, RECORDS);
  report.info(`${kind}: loaded ${RECORDS} records in ${fmtNum((performance.now() - t0) / 1000)} s`);
  const paths = RECORDS / 10;
  const time = async (fn: (i: number) => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await fn(i);
      ms.push(performance.now() - t);
    }
    return median(ms.slice(5)); // the first calls warm caches and prepare statements
  };
  const current = await time(async (i) => {
    const r = await repo.current(`/p/${(i * 7919) % paths}`);
    if (r === undefined) throw new Error("current() found nothing");
  });
  const query = { any: ["t42"], all: ["even"], exclude: ["done"], published: true };
  const found = (await repo.find(query)).length;
  const find = await time(() => repo.find(query));
  const plan = async (sql: string, params: SqlValue[]) =>
    (await explain(repo.catalog, sql, params)).join(" | ");
  const currentPlan = await plan(CURRENT_SQL, ["/p/1"]);
  report.info(`${kind}: current() plan: ${currentPlan}`);
  const scans = (p: string) => /SCAN r\b|SCAN records\b|Seq Scan on records/.test(p);
  report.goal(
    `${kind}: current(path) at ${RECORDS} records`,
    current,
    " ms",
    "<",
    50,
    scans(currentPlan) ? "FULL SCAN in plan" : "index only (see plan)",
  );
  report.goal(
    `${kind}: find(any, all, exclude) at ${RECORDS} records`,
    find,
    " ms",
    "<",
    50,
    // find reads a page of ids from the tag indexes, then those records by id
    // (record_pages.ts): no one query whose plan tells it all.
    `${found} matches`,
  );
}

async function gcScaling(kind: string, catalog: (name: string) => Promise<string>): Promise<void> {
  const small = quick ? 1_000 : 2_500;
  const seconds: number[] = [];
  for (const versions of [small, small * 8]) {
    const name = `${kind}_gc_${versions}`;
    await using repo = await Repository.init(`file://${join(dir, name)}`, {
      catalog: await catalog(name),
    });
    await repo.catalog.transaction("write", async (tx) => {
      for (let i = 0; i < versions; i++) {
        await tx.query(
          "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at, " +
            "published_at) VALUES ('/hourly.csv', 'published', $1, 1, $2, 'bench', $3, $3)",
          [`content/v${i}`, "d41d8cd98f00b204e9800998ecf8427e", Date.now()],
        );
      }
    });
    const t = performance.now();
    const { expired } = await repo.gc({ dryRun: true });
    seconds.push((performance.now() - t) / 1000);
    if (expired.length !== versions - 1) {
      throw new Error(`gc found ${expired.length} superseded versions of ${versions}`);
    }
    report.info(
      `${kind}: gc --dry-run of one path's ${versions} versions: ${fmtNum(seconds.at(-1)!)} s`,
    );
  }
  report.goal(
    `${kind}: gc time, 8× a path's versions`,
    seconds[1]! / seconds[0]!,
    "×",
    "<",
    16,
    "8× is linear; the square would be 64×",
  );
}

/** Inserts `n` records over n/10 paths, 10 versions each, tagged t<i % 1000>, even/odd. */
async function bulkLoad(catalog: Catalog, n: number): Promise<void> {
  const now = Date.now();
  await catalog.transaction("write", async (tx) => {
    const batch = 100;
    for (let start = 0; start < n; start += batch) {
      const rows: SqlValue[] = [];
      const values: string[] = [];
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const base = rows.length;
        values.push(
          `($${base + 1}, $${base + 2}, $${
            base + 3
          }, 1, 'd41d8cd98f00b204e9800998ecf8427e', 'bench', $${base + 4}, $${base + 4})`,
        );
        rows.push(
          `/p/${i % (n / 10)}`,
          i % 3 === 0 ? "unpublished" : "published",
          `content/bulk-${i}`,
          now + i,
        );
      }
      const ids = await tx.query(
        `INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at, published_at)
         VALUES ${values.join(", ")} RETURNING id`,
        rows,
      );
      const tagRows: SqlValue[] = [];
      const tagValues: string[] = [];
      for (const row of ids) {
        const id = Number(row.id);
        for (const tag of [`t${id % 1000}`, id % 2 === 0 ? "even" : "odd"]) {
          tagValues.push(`($${tagRows.length + 1}, $${tagRows.length + 2})`);
          tagRows.push(id, tag);
        }
      }
      await tx.query(
        `INSERT INTO record_tags (record_id, tag) VALUES ${tagValues.join(", ")}`,
        tagRows,
      );
    }
    await tx.query("INSERT INTO path_tags (path, tag) VALUES ('/p/42', 'done')");
  });
  await catalog.transaction("write", (tx) => tx.query("ANALYZE"));
}

async function explain(catalog: Catalog, sql: string, params: SqlValue[]): Promise<string[]> {
  const prefix = catalog.dialect.name === "sqlite" ? "EXPLAIN QUERY PLAN " : "EXPLAIN ";
  const rows = await catalog.transaction("read", (tx) => tx.query(prefix + sql, params));
  return rows.map((r) => String(r.detail ?? r["QUERY PLAN"] ?? JSON.stringify(r)).trim());
}
