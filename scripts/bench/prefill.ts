/**
 * `vc prefill` as a CLI process (vc's release permissions, start-up included)
 * vs `aws s3 sync` of the same objects, from one fake S3 server in a separate
 * process whose request counts are read over its control port.
 *
 * 1. Cold: a manifest of 1000 versioned 4 KiB assets (`/bench/f0000.bin` at
 *    1.0.0 → `s3://versioned/bench/f0000.1.0.0.bin`) into an empty cache,
 *    vs `aws s3 sync s3://versioned/bench DIR`. Goal: vc ≥ 10× aws.
 * 2. Warm, same manifest: versioned buckets are immutable, so no request at
 *    all (goal: 0 requests, in particular 0 GETs).
 * 3. Warm, a list of 1000 plain `s3://` URIs with `--timeout 0`: every entry
 *    is revalidated, with at most one HEAD each and no GET.
 *
 *     deno run -A scripts/bench/prefill.ts [--quick]
 *
 * @module
 */
import { VersionedCache } from "../../src/versioned/versioned_cache.ts";
import {
  awsEnv,
  countFiles,
  FakeServer,
  fmtNum,
  fmtStats,
  KiB,
  median,
  parseBenchArgs,
  putObjects,
  removeQuietly,
  Report,
  syncDisks,
  tempDir,
  timed,
  vcArgs,
  vcEnv,
} from "./lib.ts";

const GOAL = 10;
const COUNT = 1000;
const SIZE = 4 * KiB;

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("prefill");
  const reps = args.quick ? 1 : 3;
  await using tmp = await tempDir("prefill");
  await using server = await FakeServer.start({ buckets: ["versioned", "plain"] });
  const names = Array.from({ length: COUNT }, (_, i) => `f${String(i).padStart(4, "0")}`);
  await putObjects(server.url, "versioned", names.map((n) => `bench/${n}.1.0.0.bin`), SIZE);
  await putObjects(server.url, "plain", names.map((n) => `data/${n}.bin`), SIZE);

  // A project dir: manifest (sorted, 4-space indent, like vc writes it) and a list file.
  const project = `${tmp.path}/project`;
  await Deno.mkdir(project);
  // Not the default name: the plain-list runs must not pick it up.
  const manifest = `${project}/bench_manifest.json`;
  const entries = Object.fromEntries(names.map((n) => [`/bench/${n}.bin`, "1.0.0"]));
  await Deno.writeTextFile(manifest, JSON.stringify(entries, null, 4) + "\n");
  const list = `${project}/plain.txt`;
  await Deno.writeTextFile(list, names.map((n) => `s3://plain/data/${n}.bin`).join("\n") + "\n");
  const aws = await awsEnv(tmp.path);

  const vcPrefill = async (cacheDir: string, extra: string[]) => {
    const r = await timed(
      Deno.execPath(),
      vcArgs("prefill", "--cache-dir", cacheDir, ...extra),
      { env: vcEnv(server, tmp.path), cwd: project },
    );
    return r;
  };
  const manifestArgs = ["--manifest", manifest, "--bucket", "s3://versioned"];

  // An untimed run first, so code caches and the server are warm for every contender.
  await vcPrefill(`${tmp.path}/cache-warmup`, manifestArgs);
  await removeQuietly(`${tmp.path}/cache-warmup`);

  // 1. Cold, interleaved with aws.
  const vcRates: number[] = [];
  const awsRates: number[] = [];
  for (let i = 0; i < reps; i++) {
    const awsDir = `${tmp.path}/aws-${i}`;
    await syncDisks();
    await server.reset();
    const a = await timed("aws", [
      "--endpoint-url",
      server.url,
      "s3",
      "sync",
      "--only-show-errors",
      "s3://versioned/bench",
      awsDir,
    ], { env: aws });
    const got = await countFiles(awsDir);
    if (got !== COUNT) throw new Error(`aws s3 sync wrote ${got} files, expected ${COUNT}`);
    const awsStats = await server.stats();
    await removeQuietly(awsDir);

    const cacheDir = `${tmp.path}/cache-${i}`;
    await syncDisks();
    await server.reset();
    const v = await vcPrefill(cacheDir, manifestArgs);
    const vStats = await server.stats();
    if (vStats.GetObject !== COUNT) {
      throw new Error(
        `cold vc prefill made ${vStats.GetObject} GETs, expected ${COUNT}: ${v.stdout}`,
      );
    }
    awsRates.push(COUNT / a.ms * 1000);
    vcRates.push(COUNT / v.ms * 1000);
    report.info(
      `cold rep ${i + 1}: aws s3 sync ${fmtNum(a.ms)} ms (${fmtNum(COUNT / a.ms * 1000)} files/s; ${
        fmtStats(awsStats)
      }), vc prefill ${fmtNum(v.ms)} ms (${fmtNum(COUNT / v.ms * 1000)} files/s; ${
        fmtStats(vStats)
      })`,
    );
    report.info(`  vc says: ${v.stdout.trim()}`);
    if (i < reps - 1) await removeQuietly(cacheDir);
  }
  const cacheDir = `${tmp.path}/cache-${reps - 1}`;
  const a = median(awsRates);
  const v = median(vcRates);
  report.goal(
    "cold prefill files/s, vc prefill / aws s3 sync (process wall time)",
    v / a,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(v)} files/s, aws ${fmtNum(a)} files/s (medians of ${reps})`,
  );

  // 2. Warm, versioned (immutable): nothing to ask the store.
  await server.reset();
  const warm = await vcPrefill(cacheDir, manifestArgs);
  const warmStats = await server.stats();
  report.info(`warm versioned prefill: ${fmtNum(warm.ms)} ms; ${warm.stdout.trim()}`);
  report.goal(
    "warm versioned prefill: GETs",
    warmStats.GetObject,
    "",
    "==",
    0,
    fmtStats(warmStats),
  );
  report.goal(
    "warm versioned prefill: requests of any kind (immutable)",
    warmStats.total,
    "",
    "==",
    0,
    fmtStats(warmStats),
  );

  // 3. Plain URIs, not immutable, --timeout 0: revalidate each with one HEAD.
  const plainCache = `${tmp.path}/cache-plain`;
  await server.reset();
  const fill = await vcPrefill(plainCache, ["--list", list]);
  const fillStats = await server.stats();
  report.info(`cold plain-list prefill: ${fmtNum(fill.ms)} ms (${fmtStats(fillStats)})`);
  await server.reset();
  const revalidate = await vcPrefill(plainCache, ["--list", list, "--timeout", "0"]);
  const rStats = await server.stats();
  report.info(
    `warm plain-list prefill --timeout 0: ${fmtNum(revalidate.ms)} ms; ${revalidate.stdout.trim()}`,
  );
  report.goal(
    "warm plain-list prefill --timeout 0: GETs",
    rStats.GetObject,
    "",
    "==",
    0,
    fmtStats(rStats),
  );
  report.goal(
    "warm plain-list prefill --timeout 0: HEADs per asset",
    rStats.HeadObject / COUNT,
    "",
    "<=",
    1,
    `${rStats.HeadObject} HEADs for ${COUNT} assets; ${fmtStats(rStats)}`,
  );
  await server.reset();
  const within = await vcPrefill(plainCache, ["--list", list]);
  const wStats = await server.stats();
  report.info(
    `warm plain-list prefill, default timeout (1 day): ${fmtNum(within.ms)} ms, ${
      fmtStats(wStats)
    }`,
  );
  report.goal(
    "warm plain-list prefill within the timeout: requests",
    wStats.total,
    "",
    "==",
    0,
    fmtStats(wStats),
  );

  // Context: what resolving the manifest costs in-process (no network).
  const vc = new VersionedCache({ manifest, bucket: "s3://versioned" });
  const t0 = performance.now();
  await vc.resolveAll();
  report.info(
    `context: resolving all ${COUNT} manifest entries in-process took ${
      fmtNum(performance.now() - t0)
    } ms (one manifest read, then a lookup per entry)`,
  );
  await vc.close();
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
