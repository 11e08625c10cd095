/**
 * Record journal layout: what a warm lookup reads in a flat directory of
 * many entries, and what a cold fill of small directories pays in journal
 * creations. vc keeps one journal per directory and splits it into 32 by
 * a hash of the name once it holds ~256 KiB of live records (see
 * `src/cache/journal_split.ts`). Peers, in the same run: one journal never
 * split (warm), and always hashing names into N journals (cold).
 *
 *     deno run -A scripts/bench/journal_shards.ts [--quick]
 *
 * Sizes: `VC_BENCH_FLAT` entries in the flat directory (default 100000,
 * 10000 with `--quick`), `VC_BENCH_DIRS` small directories of
 * `VC_BENCH_DIR_SIZE` entries (default 200 × 10, 50 × 10 with `--quick`).
 *
 * @module
 */
import { JOURNAL_NAME, journalName } from "../../src/cache/layout.ts";
import {
  appendRecord,
  forgetJournals,
  journalFileFor,
  keepJournalsOpen,
  lookupRecord,
} from "../../src/cache/record_journal.ts";
import { encodeMeta } from "../../src/cache/entry_meta.ts";
import { fmtNum, median, parseBenchArgs, Report, tempDir } from "./lib.ts";

const args = parseBenchArgs(Deno.args);
const FLAT = Number(Deno.env.get("VC_BENCH_FLAT") ?? (args.quick ? 10_000 : 100_000));
const DIRS = Number(Deno.env.get("VC_BENCH_DIRS") ?? (args.quick ? 50 : 200));
const DIR_SIZE = Number(Deno.env.get("VC_BENCH_DIR_SIZE") ?? 10);
const LOOKUPS = args.quick ? 10 : 30;
const ROUNDS = args.quick ? 1 : 3;
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
report.info(`flat dir ${FLAT} entries, ${DIRS} dirs × ${DIR_SIZE} entries; load ${loadavg()}`);
await using dir = await tempDir("shards");

/** Median ms and bytes of a lookup in a fresh process, through `journal`. */
function warmLookups(journal: string): { ms: number; bytes: number } {
  const times: number[] = [];
  const bytes: number[] = [];
  for (let r = 0; r < LOOKUPS; r++) {
    const name = `part-${(r * 7919) % FLAT}.parquet`;
    forgetJournals();
    const t0 = performance.now();
    const found = lookupRecord(journal, name);
    times.push(performance.now() - t0);
    if (found.kind !== "record") throw new Error(`${name} not found`);
    bytes.push(Deno.statSync(journalFileFor(journal, name)).size);
  }
  return { ms: median(times), bytes: median(bytes) };
}

// Cold: small directories, each object a data file and a record.
function coldFill(label: string, journal: (d: string, name: string) => string): number {
  const t0 = performance.now();
  const fill = keepJournalsOpen();
  try {
    for (let d = 0; d < DIRS; d++) {
      const small = `${dir.path}/${label}/d${d}`;
      Deno.mkdirSync(small, { recursive: true });
      for (let i = 0; i < DIR_SIZE; i++) {
        const name = `f${i}.bin`;
        // Like a download: the data is fsynced before its record is written.
        using file = Deno.openSync(`${small}/${name}`, { write: true, create: true });
        file.writeSync(data);
        file.syncSync();
        appendRecord(journal(small, name), name, meta(i));
      }
    }
  } finally {
    fill();
  }
  return (performance.now() - t0) * 1000 / (DIRS * DIR_SIZE);
}
// Rounds in turn (vc, 8, 32, then again), medians: the page cache's writeback hits whoever runs first.
const coldRuns = new Map<string, number[]>([["vc", []], ["8", []], ["32", []]]);
for (let round = 0; round < ROUNDS; round++) {
  coldRuns.get("vc")!.push(coldFill(`vc${round}`, (d) => `${d}/.meta/${JOURNAL_NAME}`));
  for (const shards of [8, 32]) {
    coldRuns.get(`${shards}`)!.push(
      coldFill(`h${shards}-${round}`, (d, n) => `${d}/.meta/${journalName(n, shards)}`),
    );
  }
}
const coldVc = median(coldRuns.get("vc")!);
const coldHashed = new Map([8, 32].map((n) => [n, median(coldRuns.get(`${n}`)!)]));
report.info(
  `cold small-dir object: vc ${fmtNum(coldVc)} µs; always hashed into 8: ${
    fmtNum(coldHashed.get(8)!)
  } µs, into 32: ${fmtNum(coldHashed.get(32)!)} µs (load ${loadavg()})`,
);
// Warm: vc's journal (split once large) against one journal with the same lines.
const flat = `${dir.path}/flat/.meta/${JOURNAL_NAME}`;
const one = `${dir.path}/one/.meta/%one.jsonl`;
Deno.mkdirSync(`${dir.path}/one/.meta`, { recursive: true });
const decoder = new TextDecoder();
const oneLines: string[] = [];
const done = keepJournalsOpen();
try {
  for (let i = 0; i < FLAT; i++) {
    appendRecord(flat, `part-${i}.parquet`, meta(i));
    oneLines.push(`part-${i}.parquet\t${decoder.decode(encodeMeta(meta(i)))}`);
  }
} finally {
  done();
}
Deno.writeTextFileSync(one, oneLines.join(""));
const warmVc = warmLookups(flat);
const warmOne = warmLookups(one);
report.info(
  `warm lookup: vc ${fmtNum(warmVc.ms)} ms, reads ${fmtNum(warmVc.bytes / 1024)} KiB; one journal ${
    fmtNum(warmOne.ms)
  } ms, reads ${fmtNum(warmOne.bytes / 1024)} KiB (load ${loadavg()})`,
);

report.goal(
  "warm lookup bytes read, vc / one journal per directory",
  warmVc.bytes / warmOne.bytes,
  "×",
  "<=",
  0.1,
  `${fmtNum(warmVc.bytes / 1024)} KiB vs ${fmtNum(warmOne.bytes / 1024)} KiB (${FLAT} entries)`,
);
report.goal(
  "cold small-dir object time, vc / always 32 journals per directory",
  coldVc / coldHashed.get(32)!,
  "×",
  "<=",
  1,
  `${fmtNum(coldVc)} µs vs ${fmtNum(coldHashed.get(32)!)} µs (${DIR_SIZE} objects per dir)`,
);
await report.finish(args);
