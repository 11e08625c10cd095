/**
 * A library caller's hot loop of `vc.path("/a.csv")` over an entry already
 * cached (`VersionedCache`, lock file on), against peers in the same
 * process, interleaved round by round (medians of the rounds):
 *
 * - the same work without `close()`'s tracking: `cacheVersioned(cache,
 *   await vc.resolve(p))`, what `path()` runs inside its tracked promise;
 * - the two stats a lookup makes (the manifest's and the lock file's, so
 *   another process's `vc update` is seen by the next call), async and
 *   synchronous;
 * - the asset cache's warm hit alone (`cache.cache(uri)`);
 * - `CallsInProgress.track` of a settled promise, and the bare `await`.
 *
 * The ratio printed first is `path()` over its untracked peer.
 *
 *     deno run -A scripts/bench/versioned_warm_path.ts [--quick]
 *
 * @module
 */
import { AssetCache } from "../../src/cache/asset_cache.ts";
import { CallsInProgress } from "../../src/calls_in_progress.ts";
import { VersionedCache } from "../../src/versioned/versioned_cache.ts";
import { cacheVersioned } from "../../src/versioned/slash_keys.ts";
import { startFakeS3 } from "../../src/testing/mod.ts";
import { fmtNum, median, parseBenchArgs, Report, tempDir } from "./lib.ts";

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("versioned_warm_path");
  const calls = args.quick ? 5_000 : 20_000;
  const rounds = args.quick ? 5 : 11;
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using tmp = await tempDir("versioned-warm-path");
  const store = {
    s3: {
      endpoint: s3.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    },
  };
  await Deno.writeTextFile(`${tmp.path}/a.csv`, "a,b\n1,2\n");
  await using cache = new AssetCache({
    cacheDir: `${tmp.path}/cache`,
    configPath: false,
    env: {},
    store,
  });
  await using vc = new VersionedCache({
    manifest: `${tmp.path}/m.json`,
    bucket: "s3://b",
    cache,
    store,
  });
  await vc.add("/a.csv", `${tmp.path}/a.csv`);
  const expected = await vc.path("/a.csv");
  const asset = await vc.resolve("/a.csv");
  const lockFile = vc.lockFile;
  if (lockFile === undefined) throw new Error("the benchmark needs the lock file on");
  s3.resetStats();

  const check = (p: string) => {
    if (p !== expected) throw new Error(`got ${p}, expected ${expected}`);
  };
  const tracker = new CallsInProgress();
  const settled = Promise.resolve(expected);
  const variants: Array<{ label: string; body: () => Promise<void> }> = [
    { label: "vc.path() (tracked)", body: async () => check(await vc.path("/a.csv")) },
    {
      label: "cacheVersioned(cache, await vc.resolve()) (path() untracked)",
      body: async () => check(await cacheVersioned(cache, await vc.resolve("/a.csv"))),
    },
    {
      label: "Deno.stat(manifest) + Deno.stat(lock file)",
      body: async () => {
        await Deno.stat(vc.manifest);
        await Deno.stat(lockFile);
      },
    },
    {
      label: "Deno.statSync(manifest) + Deno.statSync(lock file)",
      body: () => {
        Deno.statSync(vc.manifest);
        Deno.statSync(lockFile);
        return Promise.resolve();
      },
    },
    {
      label: "cache.cache(uri) (the asset cache's warm hit)",
      body: async () => check(await cache.cache(asset.uri, { immutable: true })),
    },
    {
      label: "await calls.track(settled promise)",
      body: async () => check(await tracker.track(settled)),
    },
    { label: "await settled promise", body: async () => check(await settled) },
  ];
  const time = async (body: () => Promise<void>): Promise<number> => {
    const t = performance.now();
    for (let i = 0; i < calls; i++) await body();
    return (performance.now() - t) / calls * 1000;
  };
  for (const v of variants) await time(v.body); // warm-up: compiled first
  const us: number[][] = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [j, v] of variants.entries()) us[j]!.push(await time(v.body));
  }
  const m = us.map(median);
  const ratios = us[0]!.map((x, r) => x / us[1]![r]!);
  report.info(
    `path() / its untracked peer: ${fmtNum(median(ratios))}× (median of ${rounds} paired ` +
      `rounds, ${fmtNum(Math.min(...ratios))}–${fmtNum(Math.max(...ratios))}×)`,
  );
  for (const [j, v] of variants.entries()) {
    report.info(`  ${v.label}: ${fmtNum(m[j]!)} µs/call = ${fmtNum(m[j]! / m[1]!)}×`);
  }
  report.info(
    `tracking alone: ${fmtNum(m[5]! - m[6]!)} µs/call (track vs bare await); ` +
      `requests during the loops: ${s3.stats.total}`,
  );
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  await (await run(args)).finish(args);
}
