/**
 * Cold small files from a directory store: N × 4 KiB files (default 1000)
 * cached by `vc prefill --list FILE` of their `file://` URIs, as a process
 * with the release permission flags, against a bare copy loop process run
 * right before it (the same flags; 16 in flight, prefill's default): read the
 * file, write a unique temp file, `fdatasync`, rename. The ratio printed is the
 * median of the pairs: this VM's disk drifts between minutes, which medians of
 * separate runs do not cancel.
 *
 * A directory store's object is hashed by vc (it has no ETag of its own):
 * the floor here is above the bare loop's. Written when each such hash zeroed
 * a 4 MiB buffer (about 1.5 ms a file): vc ran at 3–4× the bare loop, 2×
 * after. Until 2026-12-05 vc also read each file twice (to hash it, then to
 * copy it); a small settled file is now read once, hashed and copied from
 * the same bytes; since 2026-12-06 those bytes are hashed once (the download
 * takes the MD5 the store computed from them), and a source that is no link
 * is not resolved with `realpath` per file.
 *
 * Each process's CPU time (user + system) is printed beside its wall time,
 * with the median of the pairs' CPU ratios: under load the wall ratio is
 * mostly the scheduler's (the bare loop's 16 blocking threads take more of
 * the cores than vc's busy main thread) and moves 2–8× within one run. The
 * sources are left to settle first (their mtime and ctime older than the
 * directory store's racy window, as a store's files are): a file changed
 * within it is read twice, and only the first pair would see that.
 *
 *     deno run -A scripts/bench/cold_file_source.ts [--quick] [--count N]
 *
 * `--quick`: one pair of 200 files; default three pairs.
 *
 * @module
 */
import { SETTLE_MS } from "../../src/store/fs_validator.ts";
import {
  childrenCpuMs,
  median,
  parseBenchNumbers,
  Report,
  syncDisks,
  tempDir,
  timed,
  VC_FLAGS,
  vcArgs,
} from "./lib.ts";

const bench = parseBenchNumbers(Deno.args, { count: [1000, 200] });
const { quick, numbers: { count } } = bench;
const pairs = quick ? 1 : 3;
const report = new Report("cold_file_source");

/** The bare loop, as a script of its own (run as a process like vc). */
const BARE = `
const [list, out] = Deno.args;
const files = Deno.readTextFileSync(list).trim().split("\\n").map((u) => new URL(u).pathname);
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  for (let n = next++; n < files.length; n = next++) {
    const data = await Deno.readFile(files[n]);
    const temp = out + "/." + n + ".tmp";
    const file = await Deno.open(temp, { write: true, createNew: true });
    for (let off = 0; off < data.length;) off += await file.write(data.subarray(off));
    await file.syncData();
    file.close();
    await Deno.rename(temp, out + "/" + n + ".bin");
  }
}));
`;

await using dir = await tempDir("vc-bench-cold-file-");
const source = `${dir.path}/source`;
await Deno.mkdir(source);
const uris: string[] = [];
const body = new Uint8Array(4096);
for (let i = 0; i < count; i++) {
  crypto.getRandomValues(body);
  const path = `${source}/f${i}.bin`;
  await Deno.writeFile(path, body);
  uris.push(`file://${path}`);
}
const list = `${dir.path}/list.txt`;
await Deno.writeTextFile(list, uris.join("\n") + "\n");
const bare = `${dir.path}/bare.ts`;
await Deno.writeTextFile(bare, BARE);

// Settled, as a store's files are: Deno's ctime is whole seconds, hence the extra second.
await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 1000));

/** A child's wall time and, where known, CPU time (ms). */
async function run(args: string[], env?: Record<string, string>) {
  const cpu0 = childrenCpuMs();
  const t = await timed("deno", args, env === undefined ? {} : { env });
  const cpu1 = childrenCpuMs();
  return { ms: t.ms, cpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

const ratios: number[] = [];
const cpuRatios: number[] = [];
const vcMs: number[] = [];
const bareMs: number[] = [];
for (let p = 0; p < pairs; p++) {
  const out = `${dir.path}/bare-${p}`;
  await Deno.mkdir(out);
  await syncDisks();
  const b = await run(["run", ...VC_FLAGS, bare, list, out]);
  await syncDisks();
  const v = await run(vcArgs("prefill", "--list", list), {
    VC_CACHE_DIR: `${dir.path}/cache-${p}`,
    NO_COLOR: "1",
  });
  bareMs.push(b.ms);
  vcMs.push(v.ms);
  ratios.push(v.ms / b.ms);
  const cpu = b.cpu !== undefined && v.cpu !== undefined && b.cpu > 0
    ? `; CPU bare ${b.cpu} ms, vc ${v.cpu} ms (${(v.cpu / b.cpu).toFixed(2)}×)`
    : "";
  if (cpu !== "") cpuRatios.push(v.cpu! / b.cpu!);
  report.info(`pair ${p + 1}: bare loop ${b.ms.toFixed(0)} ms, vc ${v.ms.toFixed(0)} ms${cpu}`);
}
if (cpuRatios.length > 0) {
  report.info(
    `CPU (user + system) vc / bare loop: ${median(cpuRatios).toFixed(2)}× (pairs ${
      cpuRatios.map((r) => r.toFixed(2)).join(" ")
    })`,
  );
}
report.goal(
  `vc prefill --list of ${count} file:// URIs vs the bare copy loop (processes)`,
  median(ratios),
  "×",
  "<=",
  2,
  `vc ${median(vcMs).toFixed(0)} ms, bare loop ${median(bareMs).toFixed(0)} ms, pairs ${
    ratios.map((r) => r.toFixed(2)).join(" ")
  }`,
);
await report.finish(bench);
