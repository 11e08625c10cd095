/**
 * `vc mirror` (a CLI process with vc's release permissions) vs `aws s3 sync`
 * and, when installed, `rclone sync`, against one fake S3 server in a
 * separate process whose request counts are read over its control port.
 *
 * 1. Initial upload of 1000 × 4 KiB files. Goal: vc ≥ 10× aws.
 * 2. No-op of 10,000 files. Goals: vc ≥ 10× aws; ≤ 11 LISTs and 0 HEAD/GET/PUT.
 * 3. One same-size edit among 10,000: time and requests. Goal: 1 PUT, 1 file hashed.
 * 4. Peak RSS of a no-op of 100,000 files. Goal: < 200 MiB.
 *
 * Step 1 runs `--runs` times (default 3), step 2 `--noop-runs` times
 * (default 5), vc, aws and the floor interleaved in every run (so a busy
 * moment hits all three), and report medians, the spread and each run's
 * ratio. The floor is what this machine allows
 * (`mirror_floor.ts`): `deno run` of an empty program, and a Deno process
 * doing the same job bare (fetch PUTs 32 in flight without signing, MD5 or
 * state; or the listing and the stats of a no-op). vc's distance from it
 * says how much of the time is vc's.
 *
 *     deno run -A scripts/bench/mirror.ts [--quick] [--runs N] [--noop-runs N] [--upload-files N] [--noop-files N] [--rss-files N]
 *
 * `--quick` uses 1000 / 2000 / 10,000 files and 1 run; `--rss-files 0` skips step 4.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  awsEnv,
  awsSdkFilesOpened,
  FakeServer,
  fmtNum,
  fmtStats,
  KiB,
  median,
  pseudoRandom,
  putObjects,
  Report,
  ROOT,
  syncDisks,
  tempDir,
  timed,
  vcArgs,
  vcEnv,
} from "./lib.ts";

const GOAL = 10;
const SIZE = 4 * KiB;
const PER_DIR = 100;

interface Args {
  quick: boolean;
  results: string | undefined;
  runs: number;
  noopRuns: number;
  uploadFiles: number;
  noopFiles: number;
  rssFiles: number;
}

function parse(argv: readonly string[]): Args {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: "boolean" },
      results: { type: "string" },
      runs: { type: "string" },
      "noop-runs": { type: "string" },
      "upload-files": { type: "string" },
      "noop-files": { type: "string" },
      "rss-files": { type: "string" },
    },
  });
  const quick = values.quick ?? false;
  const n = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  return {
    quick,
    results: values.results,
    runs: n(values.runs, quick ? 1 : 3),
    noopRuns: n(values["noop-runs"], quick ? 1 : 5),
    uploadFiles: n(values["upload-files"], 1000),
    noopFiles: n(values["noop-files"], quick ? 2000 : 10_000),
    rssFiles: n(values["rss-files"], quick ? 10_000 : 100_000),
  };
}

/** Writes `count` files of `size` bytes in directories of 100, in parallel. */
async function makeTree(root: string, count: number, size: number): Promise<string[]> {
  const rels: string[] = [];
  for (let i = 0; i < count; i++) {
    rels.push(
      `d${String(Math.floor(i / PER_DIR)).padStart(4, "0")}/f${String(i).padStart(6, "0")}.bin`,
    );
  }
  for (let d = 0; d * PER_DIR < count; d++) {
    await Deno.mkdir(`${root}/d${String(d).padStart(4, "0")}`, { recursive: true });
  }
  let next = 0;
  const worker = async () => {
    while (next < rels.length) {
      const i = next++;
      await Deno.writeFile(`${root}/${rels[i]}`, pseudoRandom(size, i + 1));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return rels;
}

/** Files written in the last two seconds are hashed again on the next run (racy): let them age. */
async function age(): Promise<void> {
  await new Promise((r) => setTimeout(r, 2_100));
}

async function hasRclone(): Promise<boolean> {
  try {
    const r = await new Deno.Command("rclone", {
      args: ["version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return r.success;
  } catch {
    return false;
  }
}

/** Runs a command and samples its peak RSS (VmHWM) until it exits. */
async function peakRss(cmd: string, args: string[], env: Record<string, string>, cwd: string) {
  const child = new Deno.Command(cmd, { args, env, cwd, stdout: "piped", stderr: "piped" }).spawn();
  let peak = 0;
  const sample = async () => {
    try {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch { /* exited */ }
  };
  const t0 = performance.now();
  const timer = setInterval(sample, 20);
  const [status, out] = await Promise.all([child.status, new Response(child.stdout).text()]);
  await new Response(child.stderr).text();
  clearInterval(timer);
  if (!status.success) throw new Error(`${cmd} exited ${status.code}`);
  return { peak, ms: performance.now() - t0, stdout: out };
}

/** Runs the benchmark; returns the report. */
export async function run(args: Args): Promise<Report> {
  const report = new Report("mirror");
  report.info(`load average: ${(await Deno.readTextFile("/proc/loadavg")).trim()}`);
  await using tmp = await tempDir("mirror");
  await using server = await FakeServer.start({ buckets: ["mirror"] });
  const aws = await awsEnv(tmp.path);
  const env = vcEnv(server, tmp.path, {
    VC_CACHE_DIR: `${tmp.path}/cache`,
    VC_S3_PATH_STYLE: "1",
    // `deno run` otherwise looks up dl.deno.land in the background (a
    // compiled vc never does): not vc's time.
    DENO_NO_UPDATE_CHECK: "1",
  });
  const rclone = await hasRclone();
  const rcloneRemote = (path: string) =>
    `:s3,provider=Other,endpoint='${server.url}',access_key_id=test,secret_access_key=test,force_path_style=true:mirror/${path}`;
  const rcloneEnv = { ...aws }; // AWS_CA_BUNDLE is never set here
  const vcMirror = (src: string, prefix: string, state: string) =>
    timed(
      Deno.execPath(),
      vcArgs("mirror", src, `s3://mirror/${prefix}`, "--state", state, "--json"),
      {
        env,
        cwd: tmp.path,
      },
    );
  const awsSync = (src: string, prefix: string) =>
    timed("aws", [
      "--endpoint-url",
      server.url,
      "s3",
      "sync",
      "--only-show-errors",
      src,
      `s3://mirror/${prefix}`,
    ], {
      env: aws,
    });
  const rcloneSync = (src: string, prefix: string) =>
    // rclone fails on a custom CA bundle with a custom endpoint: run it with AWS_CA_BUNDLE unset.
    timed("env", [
      "-u",
      "AWS_CA_BUNDLE",
      "rclone",
      "sync",
      "--fast-list",
      "--checkers",
      "16",
      "--transfers",
      "16",
      src,
      rcloneRemote(prefix),
    ], {
      env: rcloneEnv,
    });
  const measure = async <T>(fn: () => Promise<T>) => {
    await syncDisks();
    await server.reset();
    const r = await fn();
    return { r, stats: await server.stats() };
  };

  const floor = (mode: "put" | "noop", dir: string, url: string) =>
    timed(Deno.execPath(), ["run", "-A", `${ROOT}scripts/bench/mirror_floor.ts`, mode, dir, url], {
      env: { DENO_NO_UPDATE_CHECK: "1" },
    });
  const startup = () =>
    timed(Deno.execPath(), ["run", "--no-prompt", `${ROOT}scripts/bench/empty.ts`]);
  const runs = Math.max(1, args.runs);
  const load = async () => (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];

  // A warm-up so every contender starts with warm code caches and server.
  const warm = `${tmp.path}/warm`;
  await makeTree(warm, 10, SIZE);
  await vcMirror(warm, "warm", `${tmp.path}/warm.db`);
  await awsSync(warm, "warm-aws");
  await floor("put", warm, `${server.url}/mirror/warm-floor`);
  await startup();

  // 1. Initial upload: vc, aws and the floor interleaved, each run to fresh prefixes.
  const up = `${tmp.path}/up`;
  await makeTree(up, args.uploadFiles, SIZE);
  await age();
  const t1 = {
    vc: [] as number[],
    self: [] as number[],
    aws: [] as number[],
    floor: [] as number[],
  };
  const t1start: number[] = [];
  let a1 = { stats: await server.stats() };
  let v1 = a1;
  for (let i = 0; i < runs; i++) {
    const a = await measure(() => awsSync(up, `aws-up${i}`));
    const v = await measure(() => vcMirror(up, `vc-up${i}`, `${tmp.path}/up${i}.db`));
    const f = await measure(() => floor("put", up, `${server.url}/mirror/floor-up${i}`));
    t1start.push((await startup()).ms);
    t1.aws.push(a.r.ms);
    t1.vc.push(v.r.ms);
    t1.self.push((JSON.parse(v.r.stdout) as { seconds: number }).seconds * 1000);
    t1.floor.push(f.r.ms);
    a1 = a;
    v1 = v;
    report.info(
      `upload run ${i + 1}/${runs} (load ${await load()}): aws ${fmtNum(a.r.ms)} ms, vc ${
        fmtNum(v.r.ms)
      } ms, floor ${fmtNum(f.r.ms)} ms`,
    );
  }
  const [aws1, vc1, floor1, start1] = [t1.aws, t1.vc, t1.floor, t1start].map(median) as [
    number,
    number,
    number,
    number,
  ];
  report.info(
    `initial upload of ${args.uploadFiles} × 4 KiB (medians of ${runs}): aws s3 sync ${
      fmtNum(aws1)
    } ms (${fmtStats(a1.stats)})`,
  );
  report.info(
    `initial upload: vc mirror ${fmtNum(vc1)} ms, of which the mirror itself ${
      fmtNum(median(t1.self))
    } ms (${fmtStats(v1.stats)})`,
  );
  report.info(
    `initial upload floor: bare fetch PUT loop process ${fmtNum(floor1)} ms (= ${
      fmtNum(aws1 / floor1)
    }× aws at best); deno start-up ${fmtNum(start1)} ms; vc is ${fmtNum(vc1 / floor1)}× the floor`,
  );
  if (rclone) {
    const r1 = await measure(() => rcloneSync(up, "rclone-up"));
    report.info(
      `initial upload: rclone sync ${fmtNum(r1.r.ms)} ms (${fmtStats(r1.stats)}); vc is ${
        fmtNum(r1.r.ms / vc1)
      }× rclone`,
    );
  } else {
    report.info("rclone not installed: skipped");
  }
  report.goal(
    "initial upload, aws s3 sync time / vc mirror time",
    aws1 / vc1,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(vc1)} ms, aws ${fmtNum(aws1)} ms, floor ${fmtNum(floor1)} ms`,
  );
  {
    const opened = await awsSdkFilesOpened(
      vcArgs("mirror", up, "s3://mirror/vc-up-strace", "--state", `${tmp.path}/strace.db`),
      { env, cwd: tmp.path, traceFile: `${tmp.path}/strace-up.txt` },
    );
    if (opened !== undefined) {
      report.goal("upload: @aws-sdk module files opened", opened, "", "==", 0, "strace -e openat");
    }
  }

  // 2. No-op of noopFiles: vc, aws and the floor interleaved.
  const big = `${tmp.path}/big`;
  const rels = await makeTree(big, args.noopFiles, SIZE);
  await age();
  await vcMirror(big, "vc-big", `${tmp.path}/big.db`);
  await awsSync(big, "aws-big");
  if (rclone) await rcloneSync(big, "rclone-big");
  const t2 = {
    vc: [] as number[],
    self: [] as number[],
    aws: [] as number[],
    floor: [] as number[],
  };
  let a2 = { stats: await server.stats() };
  let v2 = a2;
  let v2json = { unchanged: 0, hashed: 0, transferred: 0, seconds: 0 };
  const listUrl = `${server.url}/mirror?prefix=vc-big/`;
  const noopRuns = Math.max(1, args.noopRuns);
  for (let i = 0; i < noopRuns; i++) {
    // The order within a run alternates, so neither always follows the other.
    const a = i % 2 === 0 ? await measure(() => awsSync(big, "aws-big")) : undefined;
    const v = await measure(() => vcMirror(big, "vc-big", `${tmp.path}/big.db`));
    const a2run = a ?? await measure(() => awsSync(big, "aws-big"));
    const f = await measure(() => floor("noop", big, listUrl));
    v2json = JSON.parse(v.r.stdout) as typeof v2json;
    t2.aws.push(a2run.r.ms);
    t2.vc.push(v.r.ms);
    t2.self.push(v2json.seconds * 1000);
    t2.floor.push(f.r.ms);
    a2 = a2run;
    v2 = v;
    report.info(
      `no-op run ${i + 1}/${noopRuns} (load ${await load()}): aws ${fmtNum(a2run.r.ms)} ms, vc ${
        fmtNum(v.r.ms)
      } ms (${fmtNum(a2run.r.ms / v.r.ms)}×), floor ${fmtNum(f.r.ms)} ms`,
    );
  }
  const [aws2, vc2, floor2] = [t2.aws, t2.vc, t2.floor].map(median) as [number, number, number];
  const spread = (xs: number[]) => `${fmtNum(Math.min(...xs))}-${fmtNum(Math.max(...xs))}`;
  report.info(
    `no-op of ${args.noopFiles} (medians of ${noopRuns}): aws s3 sync ${fmtNum(aws2)} ms (${
      spread(t2.aws)
    }; ${fmtStats(a2.stats)})`,
  );
  report.info(
    `no-op: vc mirror ${fmtNum(vc2)} ms (${spread(t2.vc)}; ${
      fmtStats(v2.stats)
    }; unchanged ${v2json.unchanged}, hashed ${v2json.hashed}; the mirror itself ${
      fmtNum(median(t2.self))
    } ms)`,
  );
  report.info(
    `no-op floor: bare LIST pages + stat of every file in one process ${fmtNum(floor2)} ms (= ${
      fmtNum(aws2 / floor2)
    }× aws at best); vc is ${fmtNum(vc2 / floor2)}× the floor`,
  );
  if (rclone) {
    const r2 = await measure(() => rcloneSync(big, "rclone-big"));
    report.info(
      `no-op: rclone sync ${fmtNum(r2.r.ms)} ms (${fmtStats(r2.stats)}); vc is ${
        fmtNum(r2.r.ms / vc2)
      }× rclone`,
    );
  }
  report.goal(
    "no-op, aws s3 sync time / vc mirror time",
    aws2 / vc2,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(vc2)} ms, aws ${fmtNum(aws2)} ms, floor ${fmtNum(floor2)} ms`,
  );
  const lists = v2.stats.ListObjectsV2 + v2.stats.ListObjects;
  report.goal(
    "no-op: LIST requests",
    lists,
    "",
    "<=",
    Math.ceil(args.noopFiles / 1000) + 1,
    fmtStats(v2.stats),
  );
  report.goal(
    "no-op: HEAD + GET + PUT requests",
    v2.stats.HeadObject + v2.stats.GetObject + v2.stats.PutObject,
    "",
    "==",
    0,
    fmtStats(v2.stats),
  );

  // Listing alone, in-process: S3Store.list over the no-op's objects.
  {
    const { S3Store } = await import("../../src/store/s3.ts");
    const store = new S3Store({
      bucket: "mirror",
      endpoint: server.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const times: number[] = [];
      let n = 0;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        n = 0;
        for await (const _ of store.list("vc-big/")) n++;
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      report.info(
        `S3Store.list of ${n} keys in-process: ${fmtNum(times[1]!)} ms (median of 3), ${
          fmtNum(times[1]! / n * 10_000)
        } ms per 10,000`,
      );
    } finally {
      await store.close();
    }
  }

  // Does the no-op load the AWS SDK? Count @aws-sdk module files opened.
  {
    const opened = await awsSdkFilesOpened(
      vcArgs("mirror", big, "s3://mirror/vc-big", "--state", `${tmp.path}/big.db`, "--json"),
      { env, cwd: tmp.path, traceFile: `${tmp.path}/strace.txt` },
    );
    if (opened === undefined) report.info("strace is not installed: SDK loading not checked");
    else {report.goal(
        "no-op: @aws-sdk module files opened",
        opened,
        "",
        "==",
        0,
        "strace -e openat",
      );}
  }

  // 3. One same-size edit.
  const changed = `${big}/${rels[Math.floor(rels.length / 2)]}`;
  await Deno.writeFile(changed, pseudoRandom(SIZE, 999_999));
  const v3 = await measure(() => vcMirror(big, "vc-big", `${tmp.path}/big.db`));
  const v3json = JSON.parse(v3.r.stdout) as { hashed: number; transferred: number };
  const a3 = await measure(() => awsSync(big, "aws-big"));
  report.info(
    `one changed file: vc mirror ${fmtNum(v3.r.ms)} ms (${
      fmtStats(v3.stats)
    }; hashed ${v3json.hashed}); aws s3 sync ${fmtNum(a3.r.ms)} ms (${fmtStats(a3.stats)})`,
  );
  report.goal("one changed file: PUTs", v3.stats.PutObject, "", "==", 1, fmtStats(v3.stats));
  report.goal(
    "one changed file: files hashed",
    v3json.hashed,
    "",
    "==",
    1,
    `transferred ${v3json.transferred}`,
  );

  // 4. Peak RSS of a no-op of rssFiles.
  if (args.rssFiles > 0) {
    const huge = `${tmp.path}/huge`;
    const t0 = performance.now();
    const hugeRels = await makeTree(huge, args.rssFiles, 64);
    // Seed the bucket directly (the same bytes), so the first vc run only hashes and records.
    await putObjects(server.url, "mirror", hugeRels.map((r) => `vc-huge/${r}`), 64);
    report.info(
      `made ${args.rssFiles} files and objects in ${fmtNum((performance.now() - t0) / 1000)} s`,
    );
    await age();
    const stateArgs = ["--state", `${tmp.path}/huge.db`, "--json"];
    const first = await peakRss(
      Deno.execPath(),
      vcArgs("mirror", huge, "s3://mirror/vc-huge", ...stateArgs),
      env,
      tmp.path,
    );
    const firstJson = JSON.parse(first.stdout) as { unchanged: number; transferred: number };
    report.info(
      `first run (hash all, record state): ${fmtNum(first.ms)} ms, peak RSS ${
        fmtNum(first.peak / 2 ** 20)
      } MiB, unchanged ${firstJson.unchanged}, transferred ${firstJson.transferred}`,
    );
    await server.reset();
    const noop = await peakRss(
      Deno.execPath(),
      vcArgs("mirror", huge, "s3://mirror/vc-huge", ...stateArgs),
      env,
      tmp.path,
    );
    const stats = await server.stats();
    report.info(`no-op of ${args.rssFiles}: ${fmtNum(noop.ms)} ms (${fmtStats(stats)})`);
    report.goal(
      `no-op of ${args.rssFiles} files: peak RSS`,
      noop.peak / 2 ** 20,
      " MiB",
      "<",
      200,
      `${fmtNum(noop.ms)} ms`,
    );
  }
  return report;
}

if (import.meta.main) {
  const args = parse(Deno.args);
  const report = await run(args);
  await report.finish({ quick: args.quick, results: args.results });
}
