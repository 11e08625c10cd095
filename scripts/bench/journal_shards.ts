/**
 * Record journal shard count: what a warm lookup reads in a flat directory
 * of many entries, against what a cold fill of small directories pays in
 * journal creations, for several shard counts (1 = one journal per
 * directory, the peer). Uses the cache's own journal code
 * (`src/cache/record_journal.ts`) and shard function (`journalName`).
 *
 *     deno run -A scripts/bench/journal_shards.ts [--quick]
 *
 * Sizes: `VC_BENCH_FLAT` entries in the flat directory (default 100000,
 * 10000 with `--quick`), `VC_BENCH_DIRS` small directories of
 * `VC_BENCH_DIR_SIZE` entries (default 200 × 10).
 *
 * @module
 */
import { journalName } from "../../src/cache/layout.ts";
import {
  appendRecord,
  forgetJournals,
  keepJournalsOpen,
  lookupRecord,
} from "../../src/cache/record_journal.ts";
import { fmtNum, median, parseBenchArgs, Report, tempDir } from "./lib.ts";

const args = parseBenchArgs(Deno.args);
const FLAT = Number(Deno.env.get("VC_BENCH_FLAT") ?? (args.quick ? 10_000 : 100_000));
const DIRS = Number(Deno.env.get("VC_BENCH_DIRS") ?? (args.quick ? 50 : 200));
const DIR_SIZE = Number(Deno.env.get("VC_BENCH_DIR_SIZE") ?? 10);
const COUNTS = [1, 8, 16, 32, 64];
const LOOKUPS = args.quick ? 10 : 30;
const data = new Uint8Array(4096);

function meta(i: number) {
  return {
    uri: `s3://some-bucket/datasets/run-2026-11-30/shard/part-${i}.parquet`,
    etag: "0123456789abcdef0123456789abcdef",
    md5: "0123456789abcdef0123456789abcdef",
    size: 4096,
    validatedAt: 1_764_500_000_000 + i,
  };
}

function loadavg(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

const report = new Report("journal_shards");
report.info(
  `flat dir ${FLAT} entries, ${DIRS} dirs × ${DIR_SIZE} entries; load ${loadavg()}`,
);
const warm = new Map<number, { ms: number; bytes: number }>();
const cold = new Map<number, number>();
for (const shards of COUNTS) {
  await using dir = await tempDir("vc-bench-shards-");
  const journal = (d: string, name: string) => `${d}/.meta/${journalName(name, shards)}`;
  // Warm: a flat directory, then single lookups in a "fresh process".
  const flat = `${dir.path}/flat`;
  const done = keepJournalsOpen();
  try {
    for (let i = 0; i < FLAT; i++) {
      appendRecord(journal(flat, `part-${i}.parquet`), `part-${i}.parquet`, meta(i));
    }
  } finally {
    done();
  }
  const times: number[] = [];
  const bytes: number[] = [];
  for (let r = 0; r < LOOKUPS; r++) {
    const name = `part-${(r * 7919) % FLAT}.parquet`;
    forgetJournals();
    const t0 = performance.now();
    const found = lookupRecord(journal(flat, name), name);
    times.push(performance.now() - t0);
    if (found.kind !== "record") throw new Error(`${name} not found`);
    bytes.push(Deno.statSync(journal(flat, name)).size);
  }
  warm.set(shards, { ms: median(times), bytes: median(bytes) });
  // Cold: small directories, each object a data file and a record.
  const t0 = performance.now();
  const fill = keepJournalsOpen();
  try {
    for (let d = 0; d < DIRS; d++) {
      const small = `${dir.path}/small/d${d}`;
      Deno.mkdirSync(small, { recursive: true });
      for (let i = 0; i < DIR_SIZE; i++) {
        const name = `f${i}.bin`;
        Deno.writeFileSync(`${small}/${name}`, data);
        appendRecord(journal(small, name), name, meta(i));
      }
    }
  } finally {
    fill();
  }
  cold.set(shards, (performance.now() - t0) * 1000 / (DIRS * DIR_SIZE));
  report.info(
    `shards ${shards}: warm lookup ${fmtNum(warm.get(shards)!.ms)} ms, reads ${
      fmtNum(warm.get(shards)!.bytes / 1024)
    } KiB; cold small-dir object ${fmtNum(cold.get(shards)!)} µs (load ${loadavg()})`,
  );
}
const one = warm.get(1)!;
const chosen = warm.get(16)!;
report.goal(
  "warm lookup time, 16 journals / 1 journal per directory",
  chosen.ms / one.ms,
  "×",
  "<=",
  0.25,
  `${fmtNum(chosen.ms)} ms vs ${fmtNum(one.ms)} ms (${FLAT} entries)`,
);
report.goal(
  "cold small-dir object time, 16 journals / 1 journal per directory",
  cold.get(16)! / cold.get(1)!,
  "×",
  "<=",
  2,
  `${fmtNum(cold.get(16)!)} µs vs ${fmtNum(cold.get(1)!)} µs (${DIR_SIZE} objects per dir)`,
);
await report.finish(args);
