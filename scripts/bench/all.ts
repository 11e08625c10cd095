/**
 * Runs the benchmarks, each in its own process (so one's heap, JIT state and
 * open handles never colour another's numbers), then prints every goal with
 * PASS/MISS.
 *
 *     deno task bench [--quick] [--strict] [NAME...]
 *     deno run --allow-all scripts/bench/all.ts --quick warm_hit md5
 *
 * `--quick` uses smaller sizes and fewer repetitions; NAMEs select benchmarks
 * (default: all); `--strict` exits 1 when a goal is missed (a crashed
 * benchmark always exits 1).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fmtNum, type GoalResult, ROOT } from "./lib.ts";

/** The benchmarks, in the order they run (cheap ones first). */
export const BENCHES: readonly { name: string; about: string }[] = [
  { name: "warm_hit", about: "cache(uri) on a warm entry: µs/call, zero requests" },
  {
    name: "versioned_warm_path",
    about: "VersionedCache.path() on a cached entry in a loop vs its untracked peer and stats",
  },
  { name: "cli_path", about: "warm `vc path` process vs `deno run` of an empty script" },
  { name: "md5", about: "md5File vs md5sum" },
  {
    name: "object_checksum",
    about: "S3 checksums (CRC64NVME, CRC32C, CRC32, SHA-1, SHA-256) of a file vs md5File",
  },
  { name: "uri_local_path", about: "parseUri of a local path vs of an s3:// URI" },
  {
    name: "abort_listeners",
    about: "abort listening with 1 and 1000 callers on one signal: onAbort vs addEventListener",
  },
  {
    name: "cold_small",
    about: "1000 × 4 KiB cold, vc prefill (process) vs aws s3 sync (default, c=16)",
  },
  {
    name: "cold_steps",
    about: "the per-object steps of a cold small download: the bare loop's and vc's added ones",
  },
  { name: "small_get", about: "CPU per small GET: S3Store.get (fetch, http1) vs a bare fetch" },
  {
    name: "cold_layers",
    about: "CPU per cold small object, layer by layer: fetch, get, bare loop, downloader, cache",
  },
  {
    name: "warmup_rounds",
    about: "cold fills round after round in one process: vc's warm-up and steady rate vs its floor",
  },
  {
    name: "cold_file_source",
    about: "`vc prefill --list` of 1000 × 4 KiB file:// URIs vs a bare copy loop (processes)",
  },
  { name: "prefill", about: "`vc prefill` of 1000 versioned assets vs aws s3 sync; warm runs" },
  {
    name: "big_object",
    about: "one big object via AssetCache vs curl and curl | tee | md5sum; peak RSS",
  },
  {
    name: "stream_put",
    about: "S3Store.put of a stream of unknown size vs a direct PUT; peak RSS",
  },
  { name: "repo", about: "vc repo: 8 processes × 200 mixed ops per catalog; current/find at 100k" },
  {
    name: "repo_restore",
    about: "SQLite catalog check, restore and backup of 100k records: CPU vs bare node:sqlite",
  },
  {
    name: "mirror",
    about: "vc mirror vs aws s3 sync (and rclone): upload, no-op, one change; RSS of a big no-op",
  },
];

// Upper bound for one benchmark process (the full big_object run takes a few minutes).
const BENCH_TIMEOUT_MS = 20 * 60_000;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      quick: { type: "boolean" },
      strict: { type: "boolean" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || values.list) {
    console.log("usage: deno task bench [--quick] [--strict] [NAME...]\n\nbenchmarks:");
    for (const b of BENCHES) console.log(`  ${b.name.padEnd(12)} ${b.about}`);
    return 0;
  }
  const unknown = positionals.filter((p) => !BENCHES.some((b) => b.name === p));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark(s): ${unknown.join(", ")}; known: ${
        BENCHES.map((b) => b.name).join(", ")
      }`,
    );
    return 2;
  }
  const selected = positionals.length === 0
    ? BENCHES
    : BENCHES.filter((b) => positionals.includes(b.name));

  const resultsFile = await Deno.makeTempFile({ prefix: "vc-bench-results-" });
  const crashed: string[] = [];
  const started = performance.now();
  try {
    for (const bench of selected) {
      console.log(`\n=== ${bench.name}${values.quick ? " (quick)" : ""}: ${bench.about}`);
      const t0 = performance.now();
      const args = ["run", "--allow-all", `${ROOT}scripts/bench/${bench.name}.ts`];
      if (values.quick) args.push("--quick");
      args.push("--results", resultsFile);
      const status = await new Deno.Command(Deno.execPath(), {
        args,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
        signal: AbortSignal.timeout(BENCH_TIMEOUT_MS),
      }).output();
      const secs = (performance.now() - t0) / 1000;
      if (!status.success) {
        crashed.push(bench.name);
        console.log(
          `=== ${bench.name} FAILED (exit ${status.code}, signal ${status.signal}) after ${
            fmtNum(secs)
          } s`,
        );
      } else {
        console.log(`=== ${bench.name} done in ${fmtNum(secs)} s`);
      }
    }
    const text = await Deno.readTextFile(resultsFile);
    const results = text.split("\n").filter((l) => l !== "").map((l) =>
      JSON.parse(l) as GoalResult
    );
    console.log(`\n=== summary (${fmtNum((performance.now() - started) / 1000)} s total)`);
    for (const r of results) {
      console.log(
        `${r.pass ? "PASS" : "MISS"}  ${r.bench.padEnd(11)} ${r.name}: ${
          fmtNum(r.value)
        }${r.unit} ` +
          `(goal ${r.goal})`,
      );
    }
    for (const name of crashed) {
      console.log(`FAIL  ${name.padEnd(11)} crashed (see its output above)`);
    }
    const missed = results.filter((r) => !r.pass).length;
    console.log(
      `${results.length - missed} of ${results.length} goals met${
        crashed.length > 0 ? `, ${crashed.length} benchmark(s) crashed` : ""
      }`,
    );
    if (crashed.length > 0) return 1;
    return values.strict && missed > 0 ? 1 : 0;
  } finally {
    await Deno.remove(resultsFile).catch(() => {});
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
