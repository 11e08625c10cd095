/**
 * Cold small files: 1000 × 4 KiB objects downloaded into an empty cache
 * through `AssetCache` (via `prefill`, 16 in flight like `vc prefill`, and 64)
 * vs `aws s3 sync` of the same prefix from the same fake server (a separate
 * process). Goal: vc ≥ 10× aws in files/s.
 *
 * Every contender runs twice: with its target dir on the normal disk (where
 * the goal is judged) and on tmpfs (`/dev/shm`, when present), so the report
 * separates what the disk costs from what the software costs. Two raw-fetch
 * baselines (unsigned GETs, as many in flight as vc's c=16) run next to vc:
 * - "ceiling": the same durable protocol as vc (unique temp file, write,
 *   fdatasync, rename), without the cache's record, lock or bookkeeping: what
 *   any verified, crash-safe client could reach against this server here;
 * - "plain": a bare write, no fsync, no rename, for context.
 * vc's overhead is printed as ms per file over the ceiling.
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
// In flight for the raw baselines: the same as vc's default (c=16).
const RAW_CONCURRENCY = 16;

/** Where the contenders write: the normal disk, and tmpfs when there is one. */
interface Target {
  label: "disk" | "tmpfs";
  dir: string;
}

async function tmpfsDir(): Promise<(AsyncDisposable & { path: string }) | undefined> {
  try {
    if (!(await Deno.stat("/dev/shm")).isDirectory) return undefined;
    const path = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "vc-bench-cold-" });
    return {
      path,
      async [Symbol.asyncDispose]() {
        await Deno.remove(path, { recursive: true }).catch(() => {});
      },
    };
  } catch {
    return undefined; // no tmpfs here (or not writable): disk only
  }
}

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("cold_small");
  const reps = args.quick ? 1 : 3;
  await using tmp = await tempDir("cold");
  await using shm = await tmpfsDir();
  const targets: Target[] = [{ label: "disk", dir: tmp.path }];
  if (shm !== undefined) targets.push({ label: "tmpfs", dir: shm.path });
  else report.info("no /dev/shm: disk runs only");
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
  const vcRun = async (target: Target, concurrency: number, i: number): Promise<number> => {
    const dir = `${target.dir}/vc-${concurrency}-${i}`;
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
      `${i < 0 ? "(warm-up) " : ""}[${target.label}] vc AssetCache c=${concurrency}: ${
        fmtNum(ms)
      } ms, ${fmtNum(COUNT / ms * 1000)} files/s (${fmtStats(stats)})`,
    );
    await removeQuietly(dir);
    return COUNT / ms * 1000;
  };

  const awsRun = async (target: Target, i: number): Promise<number> => {
    const dir = `${target.dir}/aws-${i}`;
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
      `${i < 0 ? "(warm-up) " : ""}[${target.label}] aws s3 sync: ${fmtNum(r.ms)} ms, ${
        fmtNum(COUNT / r.ms * 1000)
      } files/s (${fmtStats(stats)})`,
    );
    await removeQuietly(dir);
    return COUNT / r.ms * 1000;
  };

  // `durable`: the ceiling, written like vc does (unique temp file,
  // fdatasync, rename; metadata calls synchronous, as in vc's downloader),
  // to show what the durability protocol alone costs on this target.
  const rawRun = async (target: Target, i: number, durable: boolean): Promise<number> => {
    const dir = `${target.dir}/raw-${i}-${durable}`;
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
        const temp = `${dir}/.${k}.bin.tmp-${i}`;
        const file = Deno.openSync(temp, { write: true, createNew: true });
        try {
          let off = 0;
          while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
          await file.syncData();
        } finally {
          file.close();
        }
        Deno.renameSync(temp, `${dir}/${k}.bin`);
      }
    };
    await Promise.all(Array.from({ length: RAW_CONCURRENCY }, worker));
    const ms = performance.now() - t;
    report.info(
      `[${target.label}] raw fetch (${RAW_CONCURRENCY} in flight, ${
        durable ? "ceiling: temp + fdatasync + rename" : "plain write, no fsync"
      }): ${fmtNum(ms)} ms, ${fmtNum(COUNT / ms * 1000)} files/s`,
    );
    await removeQuietly(dir);
    return COUNT / ms * 1000;
  };

  type Rates = { aws: number[]; vc16: number[]; vc64: number[]; raw: number[]; ceiling: number[] };
  const rates = new Map<Target, Rates>(
    targets.map((t) => [t, { aws: [], vc16: [], vc64: [], raw: [], ceiling: [] }]),
  );
  // One untimed run each first: JIT, server and page-cache warm-up would
  // otherwise land on whichever contender runs first.
  await awsRun(targets[0]!, -1);
  await vcRun(targets[0]!, 16, -1);
  // Interleaved, so drift in machine load hits every contender alike.
  for (let i = 0; i < reps; i++) {
    for (const target of targets) {
      const r = rates.get(target)!;
      r.aws.push(await awsRun(target, i));
      r.vc16.push(await vcRun(target, 16, i));
      r.ceiling.push(await rawRun(target, i, true));
      r.vc64.push(await vcRun(target, 64, i));
      r.raw.push(await rawRun(target, i, false));
    }
  }
  // ms per file above the ceiling: what vc's own software adds.
  const overhead = (vc: number, ceiling: number) => 1000 / vc - 1000 / ceiling;
  for (const target of targets) {
    const r = rates.get(target)!;
    const [a, v16, v64, raw, ceil] = [r.aws, r.vc16, r.vc64, r.raw, r.ceiling].map(median) as [
      number,
      number,
      number,
      number,
      number,
    ];
    report.info(
      `[${target.label}] medians over ${reps} rep(s), files/s: aws ${fmtNum(a)}, vc c=16 ${
        fmtNum(v16)
      }, vc c=64 ${fmtNum(v64)}, ceiling (fetch + temp + fdatasync + rename) ${
        fmtNum(ceil)
      }, raw plain ${fmtNum(raw)}`,
    );
    report.info(
      `[${target.label}] vc c=16 is ${fmtNum(v16 / ceil * 100)}% of the ceiling ` +
        `(vc's own cost: ${fmtNum(overhead(v16, ceil))} ms/file over the ceiling's ${
          fmtNum(1000 / ceil)
        } ms/file); vc / aws = ${fmtNum(v16 / a)}×, ceiling / aws = ${fmtNum(ceil / a)}×`,
    );
  }
  const disk = rates.get(targets[0]!)!;
  const a = median(disk.aws);
  const v16 = median(disk.vc16);
  const v64 = median(disk.vc64);
  report.goal(
    "files/s, vc (c=16, prefill's default) / aws s3 sync",
    v16 / a,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(v16)} files/s, aws ${fmtNum(a)} files/s (disk)`,
  );
  report.goal(
    "files/s, vc (c=64) / aws s3 sync",
    v64 / a,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(v64)} files/s, aws ${fmtNum(a)} files/s (disk)`,
  );
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
