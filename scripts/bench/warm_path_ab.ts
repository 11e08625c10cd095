/**
 * Warm `vc path` of the release entry (the lean entry bundled as `deno task
 * compile` does, run with the release flags, as `cli_path.ts` runs it) from
 * two or more source trees (git worktrees of the commits or prototypes to
 * compare), in interleaved rounds (order reversed every other round): each
 * round R runs of each (default 10), one after the other, each under `perf
 * stat -e task-clock`. Printed per tree: the median and the 10th percentile
 * of all its runs' CPU time (the low percentile moves least with the load
 * of other processes) and the median of each round's ratio (of medians) to
 * the first tree; the floor (`deno run` of an empty file) is timed the same
 * way. The cache is warmed once, by the first tree's entry; every run must
 * print the same path. Needs `perf`.
 *
 *     git worktree add --detach /tmp/vc-before COMMIT
 *     deno run -A scripts/bench/warm_path_ab.ts ROUNDS /tmp/vc-before . [--repeat R]
 *
 * @module
 */
import {
  FakeServer,
  median,
  releaseArgs,
  span as spanOf,
  tempDir,
  timed,
  warmAssetProject,
} from "./lib.ts";
import { buildRelease, releaseFiles } from "../compile.ts";
import { resolve } from "../../src/path.ts";

const span = (xs: readonly number[]): string => spanOf(xs, 3);

const args = [...Deno.args];
const repeatAt = args.indexOf("--repeat");
const repeat = repeatAt < 0 ? 10 : Number(args.splice(repeatAt, 2)[1]);
const [roundsArg, ...treeArgs] = args;
const rounds = Number(roundsArg);
if (!(rounds > 0) || !(repeat > 0) || treeArgs.length < 2) {
  throw new Error("usage: warm_path_ab.ts ROUNDS TREE_A TREE_B [TREE...] [--repeat R]");
}
const trees = treeArgs.map((t) => resolve(t));

await using tmp = await tempDir("warm-path-ab");
await using server = await FakeServer.start({ buckets: ["assets"] });
const { project, env } = await warmAssetProject(server, tmp.path);
const emptyFile = `${tmp.path}/empty.ts`;
await Deno.writeTextFile(emptyFile, "");

const programs = [{ label: "floor (deno run empty.ts)", args: ["run", "--no-prompt", emptyFile] }];
for (const [j, tree] of trees.entries()) {
  const dir = `${tmp.path}/build-${j}`;
  await buildRelease(dir, { cwd: tree });
  const args = releaseArgs(releaseFiles(dir).entry, "path", "/some/asset.bin");
  // releaseArgs names this tree's deno.json: each entry gets its own tree's.
  args[args.indexOf("--config") + 1] = `${tree}/deno.json`;
  programs.push({ label: tree, args });
}

let expected: string | undefined;
const run = async (p: { label: string; args: string[] }) => {
  const out = await timed(
    "perf",
    ["stat", "-x,", "-e", "task-clock", Deno.execPath(), ...p.args],
    { env, cwd: project },
  );
  if (p.label !== programs[0]!.label) {
    const printed = out.stdout.trim().split("\n")[0];
    expected ??= printed;
    if (printed !== expected) throw new Error(`${p.label} printed ${out.stdout}`);
  }
  const line = out.stderr.trim().split("\n").find((l) => l.includes(",task-clock,"));
  const cpu = Number(line?.split(",")[0]);
  if (!Number.isFinite(cpu)) throw new Error(`no CPU time: ${out.stderr.slice(-500)}`);
  return cpu;
};
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ")[0];

// Untimed: the cache warmed, Deno's code caches filled for each program.
for (const p of programs) await run(p);
const all = programs.map(() => [] as number[]);
const perRound = programs.map(() => [] as number[]);
for (let i = 0; i < rounds; i++) {
  const order = programs.map((_, j) => j);
  if (i % 2 === 1) order.reverse();
  for (const j of order) {
    const runs: number[] = [];
    for (let k = 0; k < repeat; k++) runs.push(await run(programs[j]!));
    all[j]!.push(...runs);
    perRound[j]!.push(median(runs));
  }
  console.log(
    `round ${i}: ${perRound.map((c) => c.at(-1)!.toFixed(2)).join(" / ")} ms CPU (load ${load()})`,
  );
}
const low = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 10)]!;
programs.forEach((p, j) => {
  const ratio = (to: number) => perRound[j]!.map((c, i) => c / perRound[to]![i]!);
  console.log(
    `${p.label}: CPU median ${median(all[j]!).toFixed(2)} ms, p10 ${low(all[j]!).toFixed(2)} ms` +
      (j === 0 ? "" : `; to the floor ${median(ratio(0)).toFixed(3)} (${span(ratio(0))})`) +
      (j < 2 ? "" : `; to the first tree ${median(ratio(1)).toFixed(3)} (${span(ratio(1))})`),
  );
});
