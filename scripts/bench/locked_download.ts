/**
 * Cold download of a locked vs an unlocked versioned asset (issue 12): the
 * same 1 GiB object (256 MiB with `--quick`) from the same fake server (a
 * separate process, disk backend), through `AssetCache`, once without and
 * once with an integrity pin (size + SHA-256 from the lock file). The
 * pinned SHA-256 replaces the MD5/ETag hash for a locked download (hashed
 * as the bytes arrive, on a hash worker for parallel downloads; see
 * src/store/download.ts for why), and the goal is: locked ≤ 1.10 × unlocked.
 * Measured for a single-part object (plain MD5 ETag) and a multipart one
 * (8 MiB parts). Runs alternate, each after `sync`, with a fresh cache
 * directory.
 *
 *     deno run -A scripts/bench/locked_download.ts [--quick]
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  FakeServer,
  fmtNum,
  GiB,
  mbps,
  median,
  MiB,
  parseBenchArgs,
  putFile,
  putFileMultipart,
  removeQuietly,
  Report,
  ROOT,
  syncDisks,
  tempDir,
  timed,
  VC_FLAGS,
  writeRandomFile,
} from "./lib.ts";

const GOAL_RATIO = 1.1;
const BUCKET = "locked";

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  const buf = new Uint8Array(4 * MiB);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
  }
  return hash.digest("hex");
}

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("locked_download");
  const size = args.quick ? 256 * MiB : GiB;
  const reps = args.quick ? 2 : 3;
  await using tmp = await tempDir("locked");
  await using server = await FakeServer.start({ dir: `${tmp.path}/server`, buckets: [BUCKET] });
  const src = `${tmp.path}/src.bin`;
  await writeRandomFile(src, size);
  const sha256 = await sha256OfFile(src);
  await putFile(server.url, BUCKET, "single.bin", src);
  await putFileMultipart(server.url, BUCKET, "multi.bin", src, 8 * MiB);
  await removeQuietly(src);
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ")[0];
  report.info(`${fmtNum(size / MiB)} MiB objects; load average at start ${load}`);

  const vcRun = async (key: string, locked: boolean, i: number): Promise<number> => {
    const cacheDir = `${tmp.path}/cache-${key}-${locked}-${i}`;
    await syncDisks();
    const r = await timed(Deno.execPath(), [
      "run",
      ...VC_FLAGS,
      `${ROOT}scripts/bench/locked_download_child.ts`,
      `s3://${BUCKET}/${key}`,
      ...(locked ? [String(size), sha256] : []),
    ], { env: { ...server.env, VC_CACHE_DIR: cacheDir, XDG_CONFIG_HOME: tmp.path } });
    const result = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as {
      ms: number;
      size: number;
    };
    if (result.size !== size) throw new Error(`vc wrote ${result.size} bytes, expected ${size}`);
    await removeQuietly(cacheDir);
    return result.ms;
  };

  // Warm the server's page cache so the first contender is not penalised.
  await vcRun("single.bin", false, -1);
  await vcRun("multi.bin", false, -1);
  for (const [label, key] of [["single-part", "single.bin"], ["multipart", "multi.bin"]] as const) {
    const plain: number[] = [];
    const locked: number[] = [];
    for (let i = 0; i < reps; i++) {
      // Alternate the order, so drift in machine load hits both sides.
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const isLocked of order) (isLocked ? locked : plain).push(await vcRun(key, isLocked, i));
      report.info(
        `${label} rep ${i + 1}: unlocked ${fmtNum(plain.at(-1)! / 1000)} s, locked ${
          fmtNum(locked.at(-1)! / 1000)
        } s`,
      );
    }
    const p = median(plain);
    const l = median(locked);
    report.goal(
      `${label} ${fmtNum(size / MiB)} MiB cold download, locked / unlocked time`,
      l / p,
      "×",
      "<=",
      GOAL_RATIO,
      `locked ${fmtNum(l / 1000)} s = ${fmtNum(mbps(size, l))} MB/s, unlocked ${
        fmtNum(p / 1000)
      } s = ${fmtNum(mbps(size, p))} MB/s (medians of ${reps})`,
    );
  }
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
