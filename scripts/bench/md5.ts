/**
 * `md5File` (src/hash.ts) of a 1 GiB file (256 MiB with `--quick`) vs
 * `md5sum`, interleaved, file in the page cache. Goal: vc's throughput ≥ 0.85×
 * md5sum's.
 *
 *     deno run -A scripts/bench/md5.ts [--quick]
 *
 * @module
 */
import { createHash } from "node:crypto";
import { md5File } from "../../src/hash.ts";
import {
  fmtNum,
  GiB,
  mbps,
  median,
  MiB,
  parseBenchArgs,
  Report,
  tempDir,
  timed,
  writeRandomFile,
} from "./lib.ts";

const GOAL = 0.85;

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("md5");
  const size = args.quick ? 256 * MiB : GiB;
  const reps = args.quick ? 3 : 5;
  await using tmp = await tempDir("md5");
  const path = `${tmp.path}/data.bin`;
  await writeRandomFile(path, size);

  const sumRun = async (): Promise<{ ms: number; hex: string }> => {
    const r = await timed("md5sum", [path]);
    return { ms: r.ms, hex: r.stdout.split(" ")[0] ?? "" };
  };
  const vcRun = async (): Promise<{ ms: number; hex: string }> => {
    const t = performance.now();
    const hex = await md5File(path);
    return { ms: performance.now() - t, hex };
  };
  // The hashing alone, over one buffer (no I/O): the ceiling of node:crypto here.
  const bufSize = Math.min(size, 256 * MiB);
  const buf = new Uint8Array(bufSize);
  {
    using f = await Deno.open(path, { read: true });
    let n = 0;
    while (n < bufSize) n += (await f.read(buf.subarray(n))) ?? bufSize;
  }
  const hashOnly = (): number => {
    const t = performance.now();
    createHash("md5").update(buf).digest("hex");
    return mbps(bufSize, performance.now() - t);
  };

  await sumRun(); // page cache warm-up
  const sums: number[] = [];
  const vcs: number[] = [];
  const ceiling: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = await sumRun();
    const v = await vcRun();
    if (s.hex !== v.hex) throw new Error(`md5File says ${v.hex}, md5sum says ${s.hex}`);
    ceiling.push(hashOnly());
    sums.push(s.ms);
    vcs.push(v.ms);
    report.info(
      `rep ${i + 1}: md5sum ${fmtNum(s.ms)} ms (${fmtNum(mbps(size, s.ms))} MB/s), md5File ${
        fmtNum(v.ms)
      } ms (${fmtNum(mbps(size, v.ms))} MB/s)`,
    );
  }
  const s = median(sums);
  const v = median(vcs);
  report.info(
    `node:crypto MD5 of one in-memory ${fmtNum(bufSize / MiB)} MiB buffer: ${
      fmtNum(median(ceiling))
    } MB/s (context: the hashing ceiling)`,
  );
  report.goal(
    `md5 of ${fmtNum(size / MiB)} MiB, md5File / md5sum throughput`,
    s / v,
    "×",
    ">=",
    GOAL,
    `md5File ${fmtNum(mbps(size, v))} MB/s, md5sum ${
      fmtNum(mbps(size, s))
    } MB/s (medians of ${reps})`,
  );
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
