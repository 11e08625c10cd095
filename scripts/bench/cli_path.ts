/**
 * `vc path /some/asset.bin` as a CLI process (vc's release permissions) on a
 * warm cache vs `deno run` of an empty script: median wall time of ~20 runs
 * each, interleaved. Two ways to run vc: `cli.ts` as modules (`deno run`,
 * `deno task vc`, `deno install`), and the release build's entry, the lean
 * `vc` process bundled into one file by the same step as `deno task compile`
 * (`scripts/compile.ts`: marked for eager compilation), built here into a
 * temp dir and run with the V8 flags `deno compile` bakes in
 * (`RELEASE_V8_FLAGS`); its code cache is stored by the untimed first run,
 * as a compiled binary stores its own. Goal: the release entry ≤ 1.5× the
 * floor. Also checks that the warm runs made no request
 * (the fake server's stats) and did not load the AWS SDK (no `@aws-sdk`
 * module file opened, seen with `strace`; a cold run, which must load it, is
 * the positive control).
 *
 * With `--breakdown`, where the time goes is printed from the same
 * interleaved runs: programs that load what the full `vc path` command loads
 * with less and less of its work (see `cli_path_graph.ts`). Every figure is
 * a ratio to the floor, in wall time and, where `perf stat` works, in CPU
 * time (which moves far less than wall time on a shared machine).
 *
 *     deno run -A scripts/bench/cli_path.ts [--quick] [--breakdown]
 *
 * @module
 */
import {
  awsSdkFilesOpened,
  FakeServer,
  fmtNum,
  fmtStats,
  median,
  parseBenchArgs,
  releaseArgs,
  Report,
  ROOT,
  tempDir,
  type Timed,
  timed,
  VC_FLAGS,
  vcArgs,
  warmAssetProject,
} from "./lib.ts";
import { startupGraph, type StartupVariant } from "./cli_path_graph.ts";
import { BUILD_DIR, buildRelease, releaseFiles } from "../compile.ts";

const GOAL = 1.5;
// Module files of the SDK, as opened when it is loaded (package.json reads do not count).

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean; breakdown?: boolean }): Promise<Report> {
  const report = new Report("cli_path");
  const runs = args.quick ? 10 : 20;
  await using tmp = await tempDir("path");
  await using server = await FakeServer.start({ buckets: ["assets"] });
  const { project, cacheDir, env } = await warmAssetProject(server, tmp.path);
  const pathArgs = vcArgs("path", "/some/asset.bin");
  const vc = () => timed(Deno.execPath(), pathArgs, { env, cwd: project });
  const floorArgs = ["run", "--no-prompt", `${ROOT}scripts/bench/empty.ts`];
  const floor = () => timed(Deno.execPath(), floorArgs, { env, cwd: project });

  const cold = await vc();
  const expected = cold.stdout.trim();
  report.info(`cold vc path: ${fmtNum(cold.ms)} ms -> ${expected}`);
  await floor(); // warm the code caches of both, untimed
  await vc();
  await server.reset();

  // The release entry, bundled as `deno task compile` does (with the full
  // command line's bundle beside it, for the cold run).
  const release = releaseFiles(`${tmp.path}/${BUILD_DIR}`);
  await buildRelease(`${tmp.path}/${BUILD_DIR}`, { cwd: ROOT });
  const bundledArgs = releaseArgs(release.entry, "path", "/some/asset.bin");
  const graph = args.breakdown
    ? await startupGraph(tmp.path, VC_FLAGS, ["path", "/some/asset.bin"], expected)
    : undefined;
  for (const note of graph?.notes ?? []) report.info(note);
  // Every program timed, the floor first, then vc's two entries.
  const programs: StartupVariant[] = [
    { label: "deno run empty.ts (the floor)", args: floorArgs },
    { label: "vc path, cli.ts as modules", args: pathArgs, stdout: expected },
    {
      label: "vc path, release entry (the lean entry bundled, as deno task compile does)",
      args: bundledArgs,
      stdout: expected,
    },
    ...(graph?.variants ?? []),
  ];
  const runOnce = async (p: StartupVariant, prefix: readonly string[] = []): Promise<Timed> => {
    const [cmd, ...rest] = [...prefix, Deno.execPath(), ...p.args];
    const r = await timed(cmd!, rest, { env, cwd: project });
    if (p.stdout !== undefined && r.stdout.trim() !== p.stdout) {
      throw new Error(`${p.label} printed ${r.stdout}`);
    }
    return r;
  };
  for (const p of programs) await runOnce(p); // code caches, untimed
  const wall: number[][] = programs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, p] of programs.entries()) wall[j]!.push((await runOnce(p)).ms);
  }
  const stats = await server.stats();
  const loadAfterWall = Deno.loadavg()[0]!;
  // CPU time (perf's task-clock) moves far less than wall time when other
  // processes share the cores; measured where perf works, in a second pass
  // (perf's own start-up would blur the wall times).
  const cpu = await cpuTimes(programs, runOnce, runs);
  const f = median(wall[0]!);
  const m = median(wall[1]!);
  const v = median(wall[2]!);
  if (graph !== undefined) {
    report.info(
      `the full vc path command evaluates ${graph.modules} modules ` +
        `(${fmtNum(graph.bytes / 1024)} KiB of source) and reads ${graph.prefetched} more ` +
        `(targets of dynamic imports, not evaluated)`,
    );
  }
  report.info(`medians of ${runs} interleaved runs, load average ${loadAfterWall.toFixed(1)}:`);
  const fCpu = cpu === undefined ? undefined : median(cpu[0]!);
  for (const [j, p] of programs.entries()) {
    const w = median(wall[j]!);
    const c = cpu === undefined || fCpu === undefined
      ? ""
      : `; CPU ${fmtNum(median(cpu[j]!))} ms = ${fmtNum(median(cpu[j]!) / fCpu)}×`;
    report.info(`  ${p.label}: ${fmtNum(w)} ms = ${fmtNum(w / f)}× the floor${c}`);
  }
  if (cpu === undefined) report.info("  (perf stat does not work here: no CPU times)");
  // baiji-pod (Python 2.7 + boto 2), the tool vc replaces, answers the same
  // question with its own `vc path`; looked for, not installed by this script.
  report.info(
    (await baijiPodInstalled())
      ? "baiji-pod is installed (python2.7 imports baiji.pod), but this script does not drive " +
        "it: its figure from the issue is 91 ms"
      : "baiji-pod is not installed here (no python2.7 that imports baiji.pod): its figure " +
        "from the issue is 91 ms",
  );
  const cpuRatio = (j: number) =>
    cpu === undefined || fCpu === undefined
      ? ""
      : `; CPU time ${fmtNum(median(cpu[j]!) / fCpu)}× the floor's`;
  report.goal(
    "warm vc path (release entry) wall time / deno run empty.ts",
    v / f,
    "×",
    "<=",
    GOAL,
    `vc ${fmtNum(v)} ms, floor ${fmtNum(f)} ms (medians of ${runs}, interleaved)` + cpuRatio(2),
  );
  report.info(
    `warm vc path through cli.ts as modules: ${fmtNum(m)} ms = ${fmtNum(m / f)}× the floor` +
      cpuRatio(1),
  );
  report.goal("requests during the warm runs", stats.total, "", "==", 0, fmtStats(stats));

  // Did the SDK get loaded? Count @aws-sdk module files opened, warm and cold.
  const sdkFiles = async (
    cache: string,
    extraEnv: Record<string, string> = {},
  ): Promise<number | undefined> => {
    return await awsSdkFilesOpened(pathArgs, {
      env: { ...env, ...extraEnv, VC_CACHE_DIR: cache },
      cwd: project,
      traceFile: `${tmp.path}/strace.txt`,
    });
  };
  const warmSdk = await sdkFiles(cacheDir);
  // The control must load the SDK: without a region in the environment, the
  // profile's region comes from the SDK (with credentials and region in the
  // environment, a cold GET runs without it).
  const coldSdk = await sdkFiles(`${tmp.path}/cache-cold`, {
    AWS_REGION: "",
    AWS_DEFAULT_REGION: "",
  });
  if (warmSdk === undefined || coldSdk === undefined) {
    report.info("strace is not installed: SDK loading not checked");
  } else {
    report.info(
      `@aws-sdk module files opened: warm vc path ${warmSdk}, cold vc path ${coldSdk} ` +
        `(the cold run is the control: it must load the SDK)`,
    );
    if (coldSdk === 0) throw new Error("the cold run opened no @aws-sdk file: the check is broken");
    report.goal(
      "@aws-sdk module files opened by a warm vc path",
      warmSdk,
      "",
      "==",
      0,
      `cold run opened ${coldSdk}`,
    );
  }
  return report;
}

/** Whether a Python 2.7 that imports `baiji.pod` is on the PATH. */
async function baijiPodInstalled(): Promise<boolean> {
  for (const python of ["python2.7", "python2"]) {
    try {
      const { code } = await new Deno.Command(python, {
        args: ["-c", "import baiji.pod"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (code === 0) return true;
    } catch {
      // not on the PATH
    }
  }
  return false;
}

/**
 * Median-ready CPU times (ms) of each program, from `perf stat -e task-clock`,
 * interleaved; undefined where perf is missing or not permitted.
 */
async function cpuTimes(
  programs: readonly StartupVariant[],
  runOnce: (p: StartupVariant, prefix: readonly string[]) => Promise<Timed>,
  runs: number,
): Promise<number[][] | undefined> {
  const prefix = ["perf", "stat", "-x,", "-e", "task-clock", "--"];
  const parse = (r: Timed): number | undefined => {
    const ms = /^([\d.]+),msec,task-clock/m.exec(r.stderr)?.[1];
    return ms === undefined ? undefined : Number(ms);
  };
  try {
    if (parse(await runOnce(programs[0]!, prefix)) === undefined) return undefined;
  } catch {
    return undefined; // no perf binary
  }
  const cpu: number[][] = programs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, p] of programs.entries()) {
      const ms = parse(await runOnce(p, prefix));
      if (ms === undefined) return undefined;
      cpu[j]!.push(ms);
    }
  }
  return cpu;
}

if (import.meta.main) {
  const breakdown = Deno.args.includes("--breakdown");
  const args = parseBenchArgs(Deno.args.filter((a) => a !== "--breakdown"));
  const report = await run({ ...args, breakdown });
  await report.finish(args);
}
