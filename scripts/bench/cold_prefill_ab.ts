/**
 * Cold `vc prefill --list` of N × 4 KiB (default 1000) as CLI processes
 * (vc's release permissions, a fresh cache dir each run) from two or more
 * source trees (git worktrees of the commits or prototypes to compare), in
 * interleaved rounds (order reversed every other round): median wall and CPU
 * time (`perf stat` task-clock; `/usr/bin/time` where perf is missing) per
 * tree and the median of each round's ratio to the first tree. The CPU ratio
 * is the one to read on a loaded machine. Then one `strace -f -c` run per
 * tree (where strace is installed): the file system calls per object, start-up
 * included, so a change of what each object costs shows as counts, not times.
 *
 * Every run's cache dir stays until the end: on this VM's ext4 a creation
 * skips the inodes freed in the last minutes, so removing one run's files
 * would slow the next run's (see `cold_small.ts`).
 *
 *     git worktree add /tmp/vc-before COMMIT
 *     deno run -A scripts/bench/cold_prefill_ab.ts ROUNDS /tmp/vc-before . [--count N]
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
  vcEnv,
} from "./lib.ts";
import { resolve } from "../../src/path.ts";

const args = [...Deno.args];
const countAt = args.indexOf("--count");
const count = countAt < 0 ? 1000 : Number(args.splice(countAt, 2)[1]);
const [roundsArg, ...treeArgs] = args;
const rounds = Number(roundsArg);
if (!(rounds > 0) || !(count > 0) || treeArgs.length < 2) {
  throw new Error("usage: cold_prefill_ab.ts ROUNDS TREE_A TREE_B [TREE...] [--count N]");
}
const trees = treeArgs.map((t) => resolve(t));
const has = async (tool: string) =>
  (await timed("sh", ["-c", `command -v ${tool}`], { check: false })).code === 0;
const perf = await has("perf");
const strace = await has("strace");

await using tmp = await tempDir("cold-prefill-ab");
await using server = await FakeServer.start({ buckets: ["small"] });
const keys = Array.from({ length: count }, (_, i) => `data/f${String(i).padStart(4, "0")}.bin`);
await putObjects(server.url, "small", keys, 4 * KiB);
const list = `${tmp.path}/uris.txt`;
await Deno.writeTextFile(list, keys.map((k) => `s3://small/${k}`).join("\n") + "\n");
const configHome = `${tmp.path}/config-home`;
await Deno.mkdir(configHome);
const env = vcEnv(server, configHome);

let runs = 0;
const vc = (tree: string) => [
  Deno.execPath(),
  "run",
  ...VC_FLAGS,
  `${tree}/cli.ts`,
  "prefill",
  "--list",
  list,
  "--cache-dir",
  `${tmp.path}/cache-${runs++}`,
  "--json",
];
const checked = (stdout: string) => {
  const summary = JSON.parse(stdout) as { fetched: number; failed: unknown[] };
  if (summary.fetched !== count || summary.failed.length > 0) {
    throw new Error(`vc prefill: ${stdout.slice(0, 1000)}`);
  }
};
const run = async (tree: string) => {
  const [cmd, ...rest] = vc(tree);
  const r = perf
    ? await timed("perf", ["stat", "-x,", "-e", "task-clock", cmd!, ...rest], { env })
    : await timed("/usr/bin/time", ["-f", "%U %S", cmd!, ...rest], { env });
  checked(r.stdout);
  const lines = r.stderr.trim().split("\n");
  const cpu = perf
    ? Number(lines.find((l) => l.includes(",task-clock,"))?.split(",")[0])
    : lines.at(-1)!.split(" ").reduce((sum, s) => sum + Number(s) * 1000, 0);
  if (!Number.isFinite(cpu)) throw new Error(`no CPU time: ${r.stderr.slice(-500)}`);
  return { wall: r.ms, cpu };
};
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ")[0];

// One untimed run per tree: Deno's code cache filled for each.
for (const t of trees) await run(t);
const wall = trees.map(() => [] as number[]);
const cpu = trees.map(() => [] as number[]);
for (let i = 0; i < rounds; i++) {
  const order = trees.map((_, j) => j);
  if (i % 2 === 1) order.reverse();
  for (const j of order) {
    const r = await run(trees[j]!);
    wall[j]!.push(r.wall);
    cpu[j]!.push(r.cpu);
  }
  console.log(
    `round ${i}: ${
      trees.map((_, j) => `${wall[j]!.at(-1)!.toFixed(0)}/${cpu[j]!.at(-1)!.toFixed(0)}`).join(" ")
    } ms wall/CPU (load ${load()})`,
  );
}
trees.forEach((t, j) => {
  const wr = wall[j]!.map((w, i) => w / wall[0]![i]!);
  const cr = cpu[j]!.map((c, i) => c / cpu[0]![i]!);
  console.log(
    `${t}: wall ${median(wall[j]!).toFixed(0)} ms, CPU ${median(cpu[j]!).toFixed(0)} ms` +
      (j === 0
        ? ""
        : `; paired to the first: wall ${median(wr).toFixed(3)} (${span(wr)}), CPU ${
          median(cr).toFixed(3)
        } (${span(cr)})`),
  );
});
if (strace) {
  const NAMES = ["readlink", "statx", "openat", "flock", "linkat", "unlink", "rename", "fdatasync"];
  for (const t of trees) {
    const out = `${tmp.path}/strace.txt`;
    const [cmd, ...rest] = vc(t);
    const r = await timed("strace", ["-f", "-c", "-o", out, cmd!, ...rest], { env });
    checked(r.stdout);
    const rows = (await Deno.readTextFile(out)).trim().split("\n");
    const calls = (name: string) =>
      Number(rows.find((l) => l.trim().endsWith(` ${name}`))?.trim().split(/\s+/)[3] ?? "0");
    const futex = calls("futex");
    const all = Number(rows.at(-1)!.trim().split(/\s+/)[3]) - futex;
    console.log(
      `strace per object ${t}: all but futex ${(all / count).toFixed(1)}, ` +
        NAMES.map((n) => `${n} ${(calls(n) / count).toFixed(2)}`).join(", "),
    );
  }
}
