/**
 * `checksumFile` (src/object_checksum.ts) of a 256 MiB file (64 MiB with
 * `--quick`) in each S3 checksum algorithm vs `md5File`, interleaved, file
 * in the page cache. A download of an object whose ETag is no MD5 (SSE-KMS)
 * is checked with the store's checksum instead of an MD5: the goal is that
 * CRC64NVME (what aws CLI v2 stores by default, computed in TypeScript)
 * costs no more than the MD5 it stands in for (ratio ≥ 1).
 *
 *     deno run -A scripts/bench/object_checksum.ts [--quick]
 *
 * @module
 */
import { md5File } from "../../src/hash.ts";
import { checksumFile } from "../../src/object_checksum.ts";
import type { ChecksumAlgorithm } from "../../src/store/types.ts";
import {
  fmtNum,
  mbps,
  median,
  MiB,
  parseBenchArgs,
  Report,
  tempDir,
  writeRandomFile,
} from "./lib.ts";

const GOAL = 1;
const ALGORITHMS: ChecksumAlgorithm[] = ["CRC64NVME", "CRC32C", "CRC32", "SHA1", "SHA256"];

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("object_checksum");
  const size = args.quick ? 64 * MiB : 256 * MiB;
  const reps = args.quick ? 3 : 5;
  await using tmp = await tempDir("object_checksum");
  const path = `${tmp.path}/data.bin`;
  await writeRandomFile(path, size);
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  await md5File(path); // page cache warm-up
  const md5s: number[] = [];
  const runs = new Map<ChecksumAlgorithm, number[]>(ALGORITHMS.map((a) => [a, []]));
  for (let i = 0; i < reps; i++) {
    md5s.push(await time(() => md5File(path)));
    for (const a of ALGORITHMS) runs.get(a)!.push(await time(() => checksumFile(path, a)));
  }
  const md5 = median(md5s);
  report.info(`md5File: ${fmtNum(mbps(size, md5))} MB/s (median of ${reps})`);
  for (const a of ALGORITHMS) {
    report.info(`checksumFile ${a}: ${fmtNum(mbps(size, median(runs.get(a)!)))} MB/s`);
  }
  const crc = median(runs.get("CRC64NVME")!);
  report.goal(
    `CRC64NVME of ${fmtNum(size / MiB)} MiB, checksumFile / md5File throughput`,
    md5 / crc,
    "×",
    ">=",
    GOAL,
    `CRC64NVME ${fmtNum(mbps(size, crc))} MB/s, md5File ${fmtNum(mbps(size, md5))} MB/s`,
  );
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
