/**
 * Cold small files: N × 4 KiB objects (default 1000) downloaded into an empty
 * cache by `vc prefill --list FILE` as a process (the release permission
 * flags, start-up included, as users run it; 16 in flight, prefill's default,
 * and 64) vs `aws s3 sync` of the same prefix from the same fake server, also
 * a process. Goal: vc ≥ 10× aws in files/s.
 *
 * aws runs twice per repetition: with its default `max_concurrent_requests`
 * (10), and with it raised to vc's 16 through a temp `AWS_CONFIG_FILE`
 * (`s3 = max_concurrent_requests = 16`), so the second peer row compares
 * like with like.
 *
 * Every contender runs with its target dir on the normal disk (where the goal
 * is judged) and on tmpfs (`/dev/shm`, when present), so the report
 * separates what the disk costs from what the software costs. Two raw-fetch
 * baselines (unsigned GETs in this process, as many in flight as vc's c=16)
 * run next to vc:
 * - "ceiling": the same durable protocol as vc (unique temp file, write,
 *   fdatasync, rename), without the cache's record, lock or bookkeeping: what
 *   any verified, crash-safe client could reach against this server here;
 * - "plain": a bare write, no fsync, no rename, for context.
 * - "ceiling + record": the ceiling plus what vc's cache layout needs per
 *   object on top: the temp file locked (`flock`, the cross-process lock)
 *   and a line appended to the directory's record journal
 *   (`.meta/.../%records.jsonl`) after the rename. No second file creation
 *   per object: the floor for vc's layout.
 * vc's overhead is printed as ms per file over the ceiling.
 *
 * Issue 11 adds, in the same run: `rclone copy --transfers 16` (when
 * installed; run with `AWS_CA_BUNDLE` unset), vc on a manifest of versioned
 * paths (`vc prefill --manifest`), and `cache()` called once per URI with
 * `Promise.all` in a script (`cache_all_child.ts`), `vc prefill --list` run
 * from the release build's entry (the bundles `deno task compile` embeds,
 * built into the temp dir: a few files loaded instead of the modules of a
 * run from source; `deno run` keeps every chunk in its code cache, where a
 * compiled binary keeps only what its first run loaded, so the binary's
 * cold prefill may compile its chunks at every run: ~6–12 ms of CPU more,
 * NOTES.md 2026-12-05), and vc with `-A` instead
 * of its release flags (with those, Deno resolves every path on the main
 * thread, a `readlink` per component; the difference is printed); goals: vc within 1.3× of
 * the bare loop, ≥ 8× aws, and at least as fast as rclone. vc is a process,
 * so the bare loop it is held to is one too: `raw_fetch.ts` run with
 * `deno run` and vc's release flags (Deno's start-up and its first `fetch`
 * paid by both); the same loop inside this warm process is printed beside it.
 * Each vc variant runs right after a bare loop process of its own, twice per
 * repetition, and the ratio printed is the median of those six pairs: this
 * VM's disk drifts by tens of percent between minutes, which medians of
 * separate runs do not cancel.
 *
 * Where vc's distance to the bare loop goes: once per repetition and
 * target where vc can write (the disk; a tmpfs given as `VC_BENCH_TMPFS`,
 * not /dev/shm) a bare loop process, a "guarded" loop process
 * (`raw_fetch.ts`: the bare loop plus vc's guarantees done flat, a GET
 * signed and sent by vc's own S3 client, the MD5 checked against the ETag,
 * the temp file locked and checked to be the one at its path, a link
 * commit, a journal line) and a `vc prefill --list` run back to back; the
 * floor's time over the bare loop's is what the guarantees cost, vc's over
 * the floor's is vc's layering (start-up included). On tmpfs nothing waits
 * for a disk, so the software's share shows whole.
 *
 *     [VC_BENCH_TMPFS=/mnt/tmpfs] deno run -A scripts/bench/cold_small.ts [--quick] [--count N]
 *
 * `--quick`: one repetition of 200 files; `--count N` sets the file count.
 *
 * @module
 */
import { rawFetch, type RawMode } from "./raw_fetch.ts";
import { BUILD_DIR, buildRelease, releaseFiles } from "../compile.ts";
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
  releaseArgs,
  removeQuietly,
  Report,
  ROOT,
  syncDisks,
  tempDir,
  timed,
  VC_FLAGS,
  vcArgs,
  vcEnv,
} from "./lib.ts";

const GOAL = 10;
// Issue 11: vc's wall time within 1.3× of the bare loop's, ≥ 8× aws.
const BARE_LOOP_GOAL = 1.3;
const AWS_GOAL = 8;
const VERSIONED = "versioned";
const DEFAULT_COUNT = 1000;
const QUICK_COUNT = 200;
const SIZE = 4 * KiB;
// vc prefill's default concurrency; aws's second row is raised to it.
const VC_CONCURRENCY = 16;
/** How vc is run: `prefill --list`, `prefill --manifest`, or `cache()` in a script. */
type VcVariant = "list" | "manifest" | "script" | "release";

const BUCKET = "small";
// In flight for the raw baselines: the same as vc's default (c=16).
const RAW_CONCURRENCY = 16;

/** Where the contenders write: the normal disk, and tmpfs when there is one. */
interface Target {
  label: "disk" | "tmpfs";
  dir: string;
  /** False under /dev: Deno wants --allow-all there, which vc's release flags do not grant. */
  vc: boolean;
}

/**
 * A temp dir on a tmpfs: under `VC_BENCH_TMPFS` when set (a tmpfs mounted
 * outside /dev, where vc's own processes can write too: `mount -t tmpfs
 * tmpfs /mnt/x`), else under /dev/shm.
 */
async function tmpfsDir(): Promise<(AsyncDisposable & { path: string }) | undefined> {
  try {
    const root = Deno.env.get("VC_BENCH_TMPFS") || "/dev/shm";
    if (!(await Deno.stat(root)).isDirectory) return undefined;
    const path = await Deno.makeTempDir({ dir: root, prefix: "vc-bench-cold-" });
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
export async function run(args: { quick: boolean; count?: number }): Promise<Report> {
  const report = new Report("cold_small");
  const reps = args.quick ? 1 : 3;
  const pairsPerRep = args.quick ? 1 : 2;
  const COUNT = args.count ?? (args.quick ? QUICK_COUNT : DEFAULT_COUNT);
  await using tmp = await tempDir("cold");
  await using shm = await tmpfsDir();
  const targets: Target[] = [{ label: "disk", dir: tmp.path, vc: true }];
  if (shm !== undefined) {
    // Deno asks for --allow-all to open files under /dev (even through a
    // link: vc resolves its cache dir), and vc runs with its release flags,
    // so on /dev/shm only aws and the raw baselines run.
    const underDev = (await Deno.realPath(shm.path)).startsWith("/dev/");
    targets.push({ label: "tmpfs", dir: shm.path, vc: !underDev });
    if (underDev) {
      report.info(
        "[tmpfs] vc skipped: the tmpfs is /dev/shm, where Deno requires --allow-all, " +
          "which vc's release permission flags do not grant (set VC_BENCH_TMPFS to a tmpfs " +
          "mounted elsewhere)",
      );
    }
  } else report.info("no tmpfs: disk runs only");
  await using server = await FakeServer.start({ buckets: [BUCKET, VERSIONED] });
  const keys = Array.from({ length: COUNT }, (_, i) => `data/f${String(i).padStart(4, "0")}.bin`);
  await putObjects(server.url, BUCKET, keys, SIZE);
  // The same objects as versioned paths: /bench/f0000.bin at 1.0.0.
  const names = keys.map((k) => k.slice("data/".length, -".bin".length));
  await putObjects(server.url, VERSIONED, names.map((n) => `bench/${n}.1.0.0.bin`), SIZE);
  const manifest = `${tmp.path}/bench_manifest.json`;
  // The release build's entry (`deno task compile` without the compile
  // step): the lean entry and the full command line's code-split bundle,
  // beside a link to src/ for the worker modules, as in a release build.
  await Deno.symlink(`${ROOT}src`, `${tmp.path}/src`);
  await buildRelease(`${tmp.path}/${BUILD_DIR}`, { cwd: ROOT });
  const release = releaseFiles(`${tmp.path}/${BUILD_DIR}`);
  await Deno.writeTextFile(
    manifest,
    JSON.stringify(Object.fromEntries(names.map((n) => [`/bench/${n}.bin`, "1.0.0"])), null, 4) +
      "\n",
  );
  const rclone = await rcloneVersion();
  if (rclone === undefined) report.info("rclone is not installed: no rclone rows");
  else report.info(`peer: ${rclone}`);
  const uris = keys.map((k) => `s3://${BUCKET}/${k}`);
  const aws = await awsEnv(tmp.path);
  // The same, with the S3 transfer concurrency raised to vc's.
  const aws16Config = `${tmp.path}/aws_config_c${VC_CONCURRENCY}`;
  await Deno.writeTextFile(
    aws16Config,
    `[default]\nregion = us-east-1\ns3 =\n    max_concurrent_requests = ${VC_CONCURRENCY}\n`,
  );
  const aws16 = { ...aws, AWS_CONFIG_FILE: aws16Config };
  const list = `${tmp.path}/uris.txt`;
  await Deno.writeTextFile(list, uris.join("\n") + "\n");
  const configHome = `${tmp.path}/config-home`;
  await Deno.mkdir(configHome);

  // Each run's files are removed at the end, not after the run: on this
  // VM's ext4 (no journal) a file creation skips, one by one, every inode
  // of its group freed in the last 1–6 minutes (`recently_deleted` in
  // `__ext4_new_inode`, seen with `perf record`), so removing a run's
  // thousand files made the next contender's creations cost up to ~1 ms
  // each, whoever it was.
  const outputs: string[] = [];
  // i < 0: an untimed warm-up run. `vc prefill` as users run it: a new
  // process with the release permission flags, start-up and module loading
  // (the AWS SDK included) in the time.
  const vcRun = async (
    target: Target,
    concurrency: number,
    i: number,
    mode: VcVariant = "list",
    allowAll = false,
    tag = "",
  ): Promise<number> => {
    const dir = `${target.dir}/vc-${mode}-${concurrency}-${i}${allowAll ? "-A" : ""}${tag}`;
    await syncDisks();
    await server.reset();
    const prefillArgs = [
      "prefill",
      ...(mode === "manifest" ? ["--manifest", manifest, "--bucket", VERSIONED] : ["--list", list]),
      "--cache-dir",
      dir,
      "--concurrency",
      String(concurrency),
      "--json",
    ];
    const args = mode === "script"
      ? ["run", ...VC_FLAGS, `${ROOT}scripts/bench/cache_all_child.ts`, list, dir]
      : mode === "release"
      ? releaseArgs(release.entry, ...prefillArgs)
      : vcArgs(...prefillArgs);
    // `-A` instead of the release flags: Deno then resolves no path on the
    // main thread before each file operation (a readlink per component).
    if (allowAll) args.splice(1, VC_FLAGS.length, "-A");
    const r = await timed(Deno.execPath(), args, {
      env: vcEnv(server, configHome),
      cwd: tmp.path,
    });
    const stats = await server.stats();
    if (mode === "script") {
      if (r.stdout.trim() !== String(COUNT)) throw new Error(`cache_all_child: ${r.stdout}`);
    } else {
      const summary = JSON.parse(r.stdout) as { fetched: number; failed: unknown[] };
      if (summary.failed.length > 0 || summary.fetched !== COUNT) {
        throw new Error(`vc prefill: ${r.stdout.slice(0, 1000)}`);
      }
    }
    if (stats.GetObject !== COUNT) throw new Error(`vc made ${stats.GetObject} GETs`);
    const what = mode === "script"
      ? "cache() × N with Promise.all (script process)"
      : mode === "release"
      ? `vc prefill --list c=${concurrency} (release entry, process)`
      : `vc prefill --${mode} c=${concurrency} (process${allowAll ? ", -A" : ""})`;
    report.info(
      `${i < 0 ? "(warm-up) " : ""}[${target.label}] ${what}: ${fmtNum(r.ms)} ms, ${
        fmtNum(COUNT / r.ms * 1000)
      } files/s (${fmtStats(stats)}; load ${loadavg()})`,
    );
    outputs.push(dir);
    return COUNT / r.ms * 1000;
  };

  const awsRun = async (target: Target, i: number, raised: boolean): Promise<number> => {
    const dir = `${target.dir}/aws-${i}-${raised ? "c16" : "default"}`;
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
    ], { env: raised ? aws16 : aws });
    const n = await countFiles(dir);
    if (n !== COUNT) throw new Error(`aws s3 sync wrote ${n} files, expected ${COUNT}`);
    const stats = await server.stats();
    report.info(
      `${i < 0 ? "(warm-up) " : ""}[${target.label}] aws s3 sync (${
        raised ? `max_concurrent_requests=${VC_CONCURRENCY}` : "default config"
      }): ${fmtNum(r.ms)} ms, ${fmtNum(COUNT / r.ms * 1000)} files/s (${fmtStats(stats)})`,
    );
    outputs.push(dir);
    return COUNT / r.ms * 1000;
  };

  // The bare loops (raw_fetch.ts): "ceiling" is vc's durability protocol
  // alone, "record" adds what vc's layout needs, "plain" is a bare write.
  // In this process (warm), and the ceiling also as a process of its own
  // with vc's release flags: the like-for-like peer of a vc process.
  const keysFile = `${tmp.path}/keys.txt`;
  await Deno.writeTextFile(keysFile, keys.join("\n") + "\n");
  const rawRun = async (
    target: Target,
    i: number,
    mode: RawMode,
    asProcess = false,
    tag = "",
  ): Promise<number> => {
    const dir = `${target.dir}/raw-${i}-${mode}${asProcess ? "-process" : ""}${tag}`;
    const meta = `${dir}-meta`;
    await Deno.mkdir(dir);
    await Deno.mkdir(meta);
    await syncDisks();
    let ms: number;
    if (asProcess) {
      const r = await timed(Deno.execPath(), [
        "run",
        ...VC_FLAGS,
        `${ROOT}scripts/bench/raw_fetch.ts`,
        mode,
        server.url,
        BUCKET,
        keysFile,
        dir,
        meta,
        String(RAW_CONCURRENCY),
      ]);
      ms = r.ms;
    } else {
      ms = await rawFetch({
        mode,
        url: server.url,
        bucket: BUCKET,
        keys,
        dir,
        meta,
        concurrency: RAW_CONCURRENCY,
      });
    }
    const what = {
      plain: "plain write, no fsync",
      ceiling: "ceiling: temp + fdatasync + rename",
      record: "ceiling + a locked temp file and a journal line per object (vc's layout floor)",
      guarded:
        "vc's guarantees, flat: signed GET, MD5 check, locked temp + identity check, link, journal line",
    }[mode];
    report.info(
      `[${target.label}] ${
        asProcess ? "bare loop as a process (deno run, vc's release flags)" : "raw fetch"
      } (${RAW_CONCURRENCY} in flight, ${what}): ${fmtNum(ms)} ms, ${
        fmtNum(COUNT / ms * 1000)
      } files/s (load ${loadavg()})`,
    );
    outputs.push(dir, meta);
    return COUNT / ms * 1000;
  };

  // rclone's S3 backend configured through the environment (no config file).
  const rcloneRun = async (target: Target, i: number): Promise<number> => {
    const dir = `${target.dir}/rclone-${i}`;
    await syncDisks();
    await server.reset();
    const env: Record<string, string> = {
      RCLONE_CONFIG: "/dev/null",
      RCLONE_CONFIG_FAKE_TYPE: "s3",
      RCLONE_CONFIG_FAKE_PROVIDER: "Other",
      RCLONE_CONFIG_FAKE_ENDPOINT: server.url,
      RCLONE_CONFIG_FAKE_ACCESS_KEY_ID: "test",
      RCLONE_CONFIG_FAKE_SECRET_ACCESS_KEY: "test",
      RCLONE_CONFIG_FAKE_REGION: "us-east-1",
      RCLONE_CONFIG_FAKE_FORCE_PATH_STYLE: "true",
    };
    const r = await timed("rclone", [
      "copy",
      "--transfers",
      String(VC_CONCURRENCY),
      `fake:${BUCKET}/data`,
      dir,
    ], { env: { ...withoutCaBundle(), ...env }, clearEnv: true });
    const n = await countFiles(dir);
    if (n !== COUNT) throw new Error(`rclone wrote ${n} files, expected ${COUNT}: ${r.stderr}`);
    const stats = await server.stats();
    report.info(
      `${i < 0 ? "(warm-up) " : ""}[${target.label}] rclone copy --transfers ${VC_CONCURRENCY}: ${
        fmtNum(r.ms)
      } ms, ${fmtNum(COUNT / r.ms * 1000)} files/s (${fmtStats(stats)}; load ${loadavg()})`,
    );
    outputs.push(dir);
    return COUNT / r.ms * 1000;
  };

  type Rates = {
    aws: number[];
    aws16: number[];
    vc16: number[];
    vcAll: number[];
    vc64: number[];
    raw: number[];
    ceiling: number[];
    record: number[];
    rclone: number[];
    manifest: number[];
    script: number[];
    release: number[];
    /** Per repetition, the bare loop process run right before each vc variant, and that variant (files/s). */
    pairs: Record<VcVariant, [number, number][]>;
    /**
     * Per repetition, back to back: a bare loop process, the guarded loop
     * process (vc's guarantees, flat) and `vc prefill --list` (files/s).
     */
    floorTrios: [number, number, number][];
  };
  const rates = new Map<Target, Rates>(
    targets.map((t) => [t, {
      aws: [],
      aws16: [],
      vc16: [],
      vcAll: [],
      vc64: [],
      raw: [],
      ceiling: [],
      record: [],
      rclone: [],
      manifest: [],
      script: [],
      release: [],
      pairs: { list: [], manifest: [], script: [], release: [] },
      floorTrios: [],
    }]),
  );
  // One untimed run each first: JIT, server and page-cache warm-up would
  // otherwise land on whichever contender runs first.
  await awsRun(targets[0]!, -1, false);
  await vcRun(targets[0]!, VC_CONCURRENCY, -1);
  // The bundles are modules of their own: Deno compiles and caches their code at their first run.
  await vcRun(targets[0]!, VC_CONCURRENCY, -1, "release");
  if (rclone !== undefined) await rcloneRun(targets[0]!, -1);
  // Interleaved, so drift in machine load hits every contender alike; vc
  // runs right after the loops it is compared with.
  for (let i = 0; i < reps; i++) {
    for (const target of targets) {
      const r = rates.get(target)!;
      r.aws.push(await awsRun(target, i, false));
      r.aws16.push(await awsRun(target, i, true));
      r.ceiling.push(await rawRun(target, i, "ceiling"));
      // Each vc variant runs right after a bare loop process: the ratio of
      // the pair is the one least moved by the disk's drift (this VM's disk
      // varies by tens of percent between minutes).
      // Two pairs per repetition: a pair's ratio still moves by ±20% with
      // the disk's minute, and the median of six holds where three did not.
      const paired = async (variant: VcVariant, into: number[]) => {
        for (let k = 0; k < pairsPerRep; k++) {
          const bare = await rawRun(target, i, "ceiling", true, `-${variant}-${k}`);
          const vc = await vcRun(target, VC_CONCURRENCY, i, variant, false, `-${k}`);
          r.pairs[variant].push([bare, vc]);
          into.push(vc);
        }
      };
      if (target.vc) await paired("list", r.vc16);
      if (target.vc) await paired("release", r.release);
      // How much of vc's distance to the bare loop its guarantees take, on
      // every target vc can write to (on tmpfs, with no disk to wait for,
      // the software's share shows whole): a bare loop process, the same loop with vc's
      // signed GET, an MD5 check, the lock and its identity check, a link
      // commit and a journal line (raw_fetch.ts "guarded"), then vc, back
      // to back. Not added to vc16: a goal's runs stay as they were.
      if (target.vc) {
        r.floorTrios.push([
          await rawRun(target, i, "ceiling", true, "-floor"),
          await rawRun(target, i, "guarded", true),
          await vcRun(target, VC_CONCURRENCY, i, "list", false, "-floor"),
        ]);
      }
      r.record.push(await rawRun(target, i, "record"));
      if (rclone !== undefined) r.rclone.push(await rcloneRun(target, i));
      if (target.vc) {
        await paired("manifest", r.manifest);
        await paired("script", r.script);
        r.vcAll.push(await vcRun(target, VC_CONCURRENCY, i, "list", true));
        r.vc64.push(await vcRun(target, 64, i));
      }
      r.raw.push(await rawRun(target, i, "plain"));
    }
  }
  // ms per file above the ceiling: what vc's own software adds.
  const overhead = (vc: number, ceiling: number) => 1000 / vc - 1000 / ceiling;
  const med = (xs: number[]) => xs.length === 0 ? NaN : median(xs);
  for (const target of targets) {
    const r = rates.get(target)!;
    const [a, a16, v16, v64, raw, ceil, rec, rc] = [
      r.aws,
      r.aws16,
      r.vc16,
      r.vc64,
      r.raw,
      r.ceiling,
      r.record,
      r.rclone,
    ].map(med) as [number, number, number, number, number, number, number, number];
    const peers = `aws ${fmtNum(a)}, aws c=16 ${fmtNum(a16)}, rclone ${
      fmtNum(rc)
    }, ceiling (fetch + temp + fdatasync + rename) ${fmtNum(ceil)}, ceiling + record ${
      fmtNum(rec)
    }, raw plain ${fmtNum(raw)}`;
    if (!target.vc) {
      report.info(
        `[${target.label}] medians over ${reps} rep(s), files/s: ${peers}; ceiling / aws = ${
          fmtNum(ceil / a)
        }×, ceiling + record / ceiling = ${fmtNum(rec / ceil)}`,
      );
      continue;
    }
    report.info(
      `[${target.label}] medians over ${reps} rep(s), files/s: vc c=16 ${fmtNum(v16)}, vc c=64 ${
        fmtNum(v64)
      }, vc c=16 with -A ${fmtNum(med(r.vcAll))} (the release flags cost ${
        fmtNum(1000 / v16 - 1000 / med(r.vcAll))
      } ms/file), vc --manifest ${fmtNum(med(r.manifest))}, cache() script ${
        fmtNum(med(r.script))
      }; ${peers}`,
    );
    report.info(
      `[${target.label}] vc c=16 is ${fmtNum(v16 / ceil * 100)}% of the ceiling ` +
        `(vc's own cost: ${fmtNum(overhead(v16, ceil))} ms/file over the ceiling's ${
          fmtNum(1000 / ceil)
        } ms/file; ${fmtNum(overhead(v16, rec))} ms/file over the layout floor's ${
          fmtNum(1000 / rec)
        }); vc / aws = ${fmtNum(v16 / a)}×, vc / aws c=16 = ${fmtNum(v16 / a16)}×, ` +
        `ceiling / aws = ${fmtNum(ceil / a)}×, vc / rclone = ${fmtNum(v16 / rc)}×`,
    );
  }
  for (const dir of outputs) await removeQuietly(dir);
  const disk = rates.get(targets[0]!)!;
  const a = median(disk.aws);
  const a16 = median(disk.aws16);
  const v16 = median(disk.vc16);
  const v64 = median(disk.vc64);
  const ceil = median(disk.ceiling);
  const rec = median(disk.record);
  report.goal(
    "files/s, vc (c=16, prefill's default) / aws s3 sync",
    v16 / a,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(v16)} files/s, aws ${fmtNum(a)} files/s (disk)`,
  );
  report.goal(
    `files/s, vc (c=16) / aws s3 sync (max_concurrent_requests=${VC_CONCURRENCY})`,
    v16 / a16,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(v16)} files/s, aws c=16 ${fmtNum(a16)} files/s (disk)`,
  );
  report.goal(
    "files/s, vc (c=64) / aws s3 sync",
    v64 / a,
    "×",
    ">=",
    GOAL,
    `vc ${fmtNum(v64)} files/s, aws ${fmtNum(a)} files/s (disk)`,
  );
  // Issue 11, as wall-time ratios to the bare loop (the ceiling).
  for (const target of targets) {
    // Not a goal of the issue: where vc's distance to the bare loop goes.
    const trios = rates.get(target)!.floorTrios;
    if (trios.length === 0) continue;
    const ratios = (f: (t: [number, number, number]) => number) => {
      const xs = trios.map(f);
      return `${fmtNum(median(xs))}× (median of ${xs.length}: ${
        xs.map((x) => fmtNum(x)).join(", ")
      })`;
    };
    const ms = (k: 0 | 1 | 2) => fmtNum(COUNT / median(trios.map((t) => t[k])) * 1000);
    report.info(
      `[${target.label}] bare loop ${ms(0)} ms, the floor of vc's guarantees (raw_fetch.ts ` +
        `guarded, as a process) ${ms(1)} ms, vc prefill --list ${ms(2)} ms; floor / bare loop ${
          ratios(([bare, floor]) => bare / floor)
        }, vc / floor ${ratios(([, floor, vc]) => floor / vc)}`,
    );
  }
  for (
    const [label, xs, variant] of [
      ["vc prefill --list (c=16)", disk.vc16, "list"],
      ["vc prefill --list (c=16), release entry", disk.release, "release"],
      ["vc prefill --manifest (c=16)", disk.manifest, "manifest"],
      ["cache() × N with Promise.all", disk.script, "script"],
    ] as const
  ) {
    const v = median(xs);
    // Process against process: both pay Deno's start-up and first fetch.
    // The ratio is the median of each repetition's pair (bare loop, then vc).
    const ratios = disk.pairs[variant].map(([bare, vc]) => bare / vc);
    const pairBare = median(disk.pairs[variant].map(([bare]) => bare));
    report.goal(
      `time, ${label} / bare loop as a process (fetch + temp + fdatasync + rename)`,
      median(ratios),
      "×",
      "<=",
      BARE_LOOP_GOAL,
      `median of ${ratios.length} pairs (${ratios.map((x) => fmtNum(x)).join(", ")}); vc ${
        fmtNum(COUNT / v * 1000)
      } ms, bare loop process ${
        fmtNum(COUNT / pairBare * 1000)
      } ms; in this warm process: bare loop ${fmtNum(COUNT / ceil * 1000)} ms (vc / it = ${
        fmtNum(ceil / v)
      }×), bare loop + vc's layout (locked temp, journal line) ${fmtNum(COUNT / rec * 1000)} ms ` +
        `(= ${fmtNum(ceil / rec)}× the bare loop: the floor of vc's layout here) (disk)`,
    );
    report.goal(
      `files/s, ${label} / aws s3 sync`,
      v / a,
      "×",
      ">=",
      AWS_GOAL,
      `vc ${fmtNum(v)} files/s, aws ${fmtNum(a)} files/s (disk)`,
    );
    if (disk.rclone.length > 0) {
      const rc = median(disk.rclone);
      report.goal(
        `files/s, ${label} / rclone copy --transfers ${VC_CONCURRENCY}`,
        v / rc,
        "×",
        ">=",
        1,
        `vc ${fmtNum(v)} files/s, rclone ${fmtNum(rc)} files/s (disk)`,
      );
    }
  }
  return report;
}

/** The system's 1-minute load average (the machine is shared: say how busy it was). */
function loadavg(): string {
  try {
    return Deno.loadavg()[0]!.toFixed(1);
  } catch {
    return "?";
  }
}

/** `rclone version`'s first line, or undefined when rclone is not installed. */
async function rcloneVersion(): Promise<string | undefined> {
  try {
    const r = await timed("rclone", ["version"], { check: false });
    return r.code === 0 ? r.stdout.split("\n")[0] : undefined;
  } catch {
    return undefined;
  }
}

/** This process's environment without `AWS_CA_BUNDLE` (rclone fails on a bundle it cannot read). */
function withoutCaBundle(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.AWS_CA_BUNDLE;
  return env;
}

if (import.meta.main) {
  // `--count N` is this benchmark's own; the rest are the shared options.
  const rest = [...Deno.args];
  let count: number | undefined;
  const at = rest.indexOf("--count");
  if (at !== -1) {
    count = Number(rest[at + 1]);
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`--count needs a positive integer, got ${rest[at + 1]}`);
    }
    rest.splice(at, 2);
  }
  const args = parseBenchArgs(rest);
  const report = await run(count === undefined ? args : { ...args, count });
  await report.finish(args);
}
