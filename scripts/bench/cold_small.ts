/**
 * Cold small files: 1000 × 4 KiB objects downloaded into an empty cache
 * through `AssetCache` (via `prefill`, 16 in flight like `vc prefill`, and 64)
 * vs `aws s3 sync` of the same prefix from the same fake server (a separate
 * process). Goal: vc ≥ 10× aws in files/s. A raw-fetch baseline (unsigned
 * GETs, 32 in flight, written to files without fsync) is printed for context:
 * it is the most any client could get out of this server.
 *
 * vc runs in this process with the S3 module already loaded (a long-running
 * program pays that once); `aws` is a process, Python start-up included. The
 * CLI end to end (start-up included) is measured by `prefill.ts`.
 *
 *     deno run -A scripts/bench/cold_small.ts [--quick]
 *
 * @module
 */
import { AssetCache } from "../../src/cache/asset_cache.ts";
import { prefill } from "../../src/prefill/prefill.ts";
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
} from "./lib.ts";

const GOAL = 10;
const COUNT = 1000;
const SIZE = 4 * KiB;
const BUCKET = "small";

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("cold_small");
  const reps = args.quick ? 1 : 3;
  await using tmp = await tempDir("cold");
  await using server = await FakeServer.start({ buckets: [BUCKET] });
  const keys = Array.from({ length: COUNT }, (_, i) => `data/f${String(i).padStart(4, "0")}.bin`);
  await putObjects(server.url, BUCKET, keys, SIZE);
  const uris = keys.map((k) => `s3://${BUCKET}/${k}`);
  const aws = await awsEnv(tmp.path);

  // Load the S3 store module (and the AWS SDK) once, outside the timings.
  const t0 = performance.now();
  await import("../../src/store/s3.ts");
  report.info(
    `loading src/store/s3.ts (AWS SDK) took ${fmtNum(performance.now() - t0)} ms (not timed below)`,
  );

  // i < 0: an untimed warm-up run.
  const vcRun = async (concurrency: number, i: number): Promise<number> => {
    const dir = `${tmp.path}/vc-${concurrency}-${i}`;
    await syncDisks();
    await server.reset();
    const t = performance.now();
    const cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      store: {
        s3: {
          endpoint: server.url,
          region: "us-east-1",
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
        },
      },
    });
    const summary = await prefill({ cache, uris, concurrency });
    await cache.close();
    const ms = performance.now() - t;
    const stats = await server.stats();
    if (summary.failed.length > 0 || summary.fetched !== COUNT) {
      throw new Error(`vc prefill: ${JSON.stringify(summary).slice(0, 1000)}`);
    }
    report.info(
      `${i < 0 ? "(warm-up) " : ""}vc AssetCache c=${concurrency}: ${fmtNum(ms)} ms, ${
        fmtNum(COUNT / ms * 1000)
      } files/s (${fmtStats(stats)})`,
    );
    await removeQuietly(dir);
    return COUNT / ms * 1000;
  };

  const awsRun = async (i: number): Promise<number> => {
    const dir = `${tmp.path}/aws-${i}`;
    await syncDisks();
    await server.reset();
    const r = await timed("aws", [
      "--endpoint-url",
      server.url,
      "s3",
      "sync",
      "--only-show-errors",
      `s3://${BUCKET}/data`,
      dir,
    ], { env: aws });
    const n = await countFiles(dir);
    if (n !== COUNT) throw new Error(`aws s3 sync wrote ${n} files, expected ${COUNT}`);
    const stats = await server.stats();
    report.info(
      `${i < 0 ? "(warm-up) " : ""}aws s3 sync: ${fmtNum(r.ms)} ms, ${
        fmtNum(COUNT / r.ms * 1000)
      } files/s (${fmtStats(stats)})`,
    );
    await removeQuietly(dir);
    return COUNT / r.ms * 1000;
  };

  // `durable`: write like vc does (unique temp file, fsync, rename), to
  // show what the durability protocol alone costs on this disk.
  const rawRun = async (i: number, durable: boolean): Promise<number> => {
    const dir = `${tmp.path}/raw-${i}-${durable}`;
    await Deno.mkdir(dir);
    await syncDisks();
    const t = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const k = next++;
        const res = await fetch(`${server.url}/${BUCKET}/${keys[k]}`);
        if (!res.ok) throw new Error(`GET ${keys[k]}: ${res.status}`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (!durable) {
          await Deno.writeFile(`${dir}/${k}.bin`, bytes);
          continue;
        }
        const temp = `${dir}/.${k}.bin.tmp`;
        const file = await Deno.open(temp, { write: true, createNew: true });
        try {
          await file.write(bytes);
          await file.sync();
        } finally {
          file.close();
        }
        await Deno.rename(temp, `${dir}/${k}.bin`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const ms = performance.now() - t;
    report.info(
      `raw fetch (32 in flight, ${durable ? "temp + fsync + rename" : "plain write, no fsync"}): ${
        fmtNum(ms)
      } ms, ${fmtNum(COUNT / ms * 1000)} files/s`,
    );
    await removeQuietly(dir);
    return COUNT / ms * 1000;
  };

  const vc16: number[] = [];
  const vc64: number[] = [];
  const awsRates: number[] = [];
  const raw: number[] = [];
  const rawDurable: number[] = [];
  // One untimed run each first: JIT, server and page-cache warm-up would
  // otherwise land on whichever contender runs first.
  await awsRun(-1);
  await vcRun(16, -1);
  // Interleaved, so drift in machine load hits every contender alike.
  for (let i = 0; i < reps; i++) {
    awsRates.push(await awsRun(i));
    vc16.push(await vcRun(16, i));
    vc64.push(await vcRun(64, i));
    raw.push(await rawRun(i, false));
    rawDurable.push(await rawRun(i, true));
  }
  const a = median(awsRates);
  const v16 = median(vc16);
  const v64 = median(vc64);
  report.info(
    `medians over ${reps} rep(s): aws ${fmtNum(a)} files/s, vc c=16 ${fmtNum(v16)}, vc c=64 ${
      fmtNum(v64)
    }, raw fetch ${fmtNum(median(raw))}, raw fetch + fsync ${fmtNum(median(rawDurable))} ` +
      `(vc c=16 is ${fmtNum(v16 / median(raw) * 100)}% of raw, ${
        fmtNum(v16 / median(rawDurable) * 100)
      }% of raw + fsync)`,
  );
  report.info(
    `context: raw fetch / aws = ${fmtNum(median(raw) / a)}×, raw fetch + fsync / aws = ${
      fmtNum(median(rawDurable) / a)
    }× (what any client could reach against this server on this machine)`,
  );
  report.goal(
    "files/s, vc (c=16, prefill's default) / aws s3 sync",
    v16 / a,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(v16)} files/s, aws ${fmtNum(a)} files/s`,
  );
  report.goal(
    "files/s, vc (c=64) / aws s3 sync",
    v64 / a,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(v64)} files/s, aws ${fmtNum(a)} files/s`,
  );
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
