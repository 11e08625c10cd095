/**
 * Warm `vc prefill` (1000 versioned entries, 1000 plain URIs within the
 * TTL) and warm `vc path` as CLI processes (vc's release permissions) from
 * two or more source trees (git worktrees of the commits to compare), one
 * cache dir for all, in interleaved rounds (order reversed every other
 * round): median wall and CPU time (`perf stat` task-clock) per tree and the
 * median of each round's ratio to the first tree. The CPU ratio is the one
 * to read on a loaded machine. With `STRACE=1`, one `strace -f -c` run per
 * tree and shape after them: the `utimensat` count is the copies marked.
 *
 *     git worktree add /tmp/vc-before COMMIT
 *     STRACE=1 deno run -A scripts/bench/warm_marks_ab.ts ROUNDS /tmp/vc-before .
 *
 * @module
 */
import {
  FakeServer,
  KiB,
  median,
  putObjects,
  span,
  tempDir,
  timed,
  VC_FLAGS,
  warmAssetProject,
} from "./lib.ts";
import { resolve } from "../../src/path.ts";

const COUNT = 1000;

const [roundsArg, ...treeArgs] = Deno.args;
const rounds = Number(roundsArg);
if (!(rounds > 0) || treeArgs.length < 2) {
  throw new Error("usage: warm_marks_ab.ts ROUNDS TREE_A TREE_B [TREE...]");
}
const trees = treeArgs.map((t) => resolve(t));
await using tmp = await tempDir("warm-marks-ab");
await using server = await FakeServer.start({ buckets: ["versioned", "plain", "assets"] });
const names = Array.from({ length: COUNT }, (_, i) => `f${String(i).padStart(4, "0")}`);
await putObjects(server.url, "versioned", names.map((n) => `bench/${n}.1.0.0.bin`), 4 * KiB);
await putObjects(server.url, "plain", names.map((n) => `data/${n}.bin`), 4 * KiB);
const { project, env } = await warmAssetProject(server, tmp.path);
const manifest = `${project}/bench_manifest.json`;
const entries = Object.fromEntries(names.map((n) => [`/bench/${n}.bin`, "1.0.0"]));
await Deno.writeTextFile(manifest, JSON.stringify(entries, null, 4) + "\n");
const list = `${project}/plain.txt`;
await Deno.writeTextFile(list, names.map((n) => `s3://plain/data/${n}.bin`).join("\n") + "\n");
const shapes: Record<string, string[]> = {
  "prefill --manifest": ["prefill", "--manifest", manifest, "--bucket", "s3://versioned"],
  "prefill --list": ["prefill", "--list", list],
  "path": ["path", "/some/asset.bin"],
};
const vc = (tree: string, args: string[]) => [
  Deno.execPath(),
  "run",
  ...VC_FLAGS,
  `${tree}/cli.ts`,
  ...args,
];
const run = async (tree: string, args: string[]) => {
  const r = await timed("perf", ["stat", "-x,", "-e", "task-clock", ...vc(tree, args)], {
    env,
    cwd: project,
  });
  const line = r.stderr.split("\n").find((l) => l.includes(",task-clock,"));
  if (line === undefined) throw new Error(`no task-clock from perf stat: ${r.stderr}`);
  return { wall: r.ms, cpu: Number(line.split(",")[0]) };
};

// Cold, then two untimed warm runs per tree: code caches and the cache warm.
for (const args of Object.values(shapes)) {
  for (const t of trees) for (let i = 0; i < 2; i++) await run(t, args);
}
await server.reset();
for (const [shape, args] of Object.entries(shapes)) {
  const wall = trees.map(() => [] as number[]);
  const cpu = trees.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    const order = trees.map((_, j) => j);
    if (i % 2 === 1) order.reverse();
    for (const j of order) {
      const r = await run(trees[j]!, args);
      wall[j]!.push(r.wall);
      cpu[j]!.push(r.cpu);
    }
  }
  trees.forEach((t, j) => {
    const wr = wall[j]!.map((w, i) => w / wall[0]![i]!);
    const cr = cpu[j]!.map((c, i) => c / cpu[0]![i]!);
    console.log(
      `${shape} ${t}: wall ${median(wall[j]!).toFixed(0)} ms, CPU ${
        median(cpu[j]!).toFixed(0)
      } ms` +
        (j === 0
          ? ""
          : `; paired to the first: wall ${median(wr).toFixed(3)} (${span(wr)}), CPU ${
            median(cr).toFixed(3)
          } (${span(cr)})`),
    );
  });
}
const stats = await server.stats();
console.log(`requests during the timed runs: ${stats.total}`);
if (Deno.env.get("STRACE")) {
  for (const [shape, args] of Object.entries(shapes)) {
    for (const t of trees) {
      await run(t, args); // the previous run's marks are seconds old
      const out = `${tmp.path}/strace.txt`;
      const [cmd, ...rest] = vc(t, args);
      await timed("strace", ["-f", "-c", "-o", out, cmd!, ...rest], { env, cwd: project });
      const rows = (await Deno.readTextFile(out)).trim().split("\n");
      const calls = (name: string) =>
        rows.find((l) => l.trim().endsWith(` ${name}`))?.trim().split(/\s+/)[3] ?? "0";
      console.log(
        `strace ${shape} ${t}: utimensat ${calls("utimensat")}, statx ${calls("statx")}, ` +
          `futex ${calls("futex")}, all ${rows.at(-1)!.trim().split(/\s+/)[3]}`,
      );
    }
  }
}
