/**
 * Memory of a streamed upload of unknown size: `S3Store.put(key, stream)`
 * (8 MiB parts, 4 in flight) vs one plain streamed `fetch` PUT of the same
 * stream, both to the fake server (separate process, disk backend), each in
 * its own child process run under `/usr/bin/time` for its peak RSS.
 *
 * Goals, measured with prompt garbage collection in both children (the
 * source runs `gc()` every MiB; see `stream_put_child.ts`), so they measure
 * what the uploader keeps alive:
 * - vc's peak RSS is at most the peer's plus parts × part size plus 48 MiB:
 *   the part buffers, and the fixed cost of what only vc loads (the AWS SDK
 *   for Create/CompleteMultipartUpload, `node:http` for the part bodies, and
 *   their heap), ≈38 MiB measured;
 * - it does not grow with the stream's length: from a quarter of the size
 *   (at least 16 parts) to the full size it grows by at most 2 parts.
 *
 * The natural peaks (V8 collecting when it likes) are printed too. They are
 * higher for both and differ by more: V8 leaves the caller's discarded 64 KiB
 * chunks uncollected longer when more memory is live (its limits scale with
 * the live heap and external memory), so the part buffers count about twice
 * there. Before this split the one goal compared natural peaks against
 * parts × part + 32 MiB and missed (88 MiB over the peer at 256 MiB): 16 MiB
 * of it was a real leak (the first 16 MiB of the stream, read to choose
 * between a single and a multipart upload, stayed referenced until the
 * upload ended; fixed in `S3Store`), the rest the fixed cost and V8's
 * laziness, which the old 32 MiB constant did not account for.
 *
 *     deno run -A scripts/bench/stream_put.ts [--quick]   # 1 GiB; 256 MiB quick
 *
 * @module
 */
import type { StreamPutResult } from "./stream_put_child.ts";
import {
  FakeServer,
  fmtNum,
  GiB,
  mbps,
  MiB,
  parseBenchArgs,
  Report,
  ROOT,
  tempDir,
  timed,
} from "./lib.ts";

const TIME = "/usr/bin/time";
const PARTS_IN_FLIGHT = 4;
const PART = 8 * MiB;
/** What only vc loads (AWS SDK, node:http) and their heap: ≈38 MiB measured, plus margin. */
const FIXED_MIB = 48;
/** Growth allowed from a quarter of the size to the whole: RSS noise, never a part per part. */
const GROWTH_PARTS = 2;

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("stream_put");
  const size = Number(Deno.env.get("VC_BENCH_SIZE") ?? (args.quick ? 256 * MiB : GiB));
  const smaller = Math.max(Math.floor(size / 4), Math.min(size, 16 * PART));
  await using tmp = await tempDir("stream-put");
  await using server = await FakeServer.start({ dir: `${tmp.path}/server`, buckets: ["bench"] });
  const child = async (mode: string, bytes: number, gc: boolean) => {
    const r = await timed(TIME, [
      "-f",
      "VC_BENCH_MAXRSS_KIB=%M",
      Deno.execPath(),
      "run",
      "-A",
      ...(gc ? ["--v8-flags=--expose-gc"] : []),
      `${ROOT}scripts/bench/stream_put_child.ts`,
      mode,
      String(bytes),
      ...(gc ? ["gc"] : []),
    ], { env: { ...server.env, NO_COLOR: "1" } });
    const result = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as StreamPutResult;
    const rss = /VC_BENCH_MAXRSS_KIB=(\d+)/.exec(r.stderr)?.[1];
    if (rss === undefined) throw new Error(`no max RSS from ${TIME}: ${r.stderr.slice(-500)}`);
    return { ...result, rssMiB: Number(rss) / 1024 };
  };
  const direct = await child("direct", size, true);
  const vc = await child("vc", size, true);
  const vcSmaller = await child("vc", smaller, true);
  const naturalDirect = await child("direct", size, false);
  const naturalVc = await child("vc", size, false);
  if (!/-\d+$/.test(vc.etag) || !/^[0-9a-f]{32}$/.test(direct.etag)) {
    throw new Error(`unexpected ETags: vc ${vc.etag}, direct ${direct.etag}`);
  }
  report.info(
    `${fmtNum(size / MiB)} MiB, prompt GC: vc ${fmtNum(vc.rssMiB)} MiB peak RSS ` +
      `(${fmtNum(vcSmaller.rssMiB)} MiB at ${fmtNum(smaller / MiB)} MiB), direct PUT ` +
      `${fmtNum(direct.rssMiB)} MiB; natural GC: vc ${fmtNum(naturalVc.rssMiB)} MiB, ` +
      `${fmtNum(mbps(size, naturalVc.ms))} MB/s; direct ${fmtNum(naturalDirect.rssMiB)} MiB, ` +
      `${fmtNum(mbps(size, naturalDirect.ms))} MB/s`,
  );
  report.goal(
    "peak RSS over a direct PUT (prompt GC)",
    vc.rssMiB - direct.rssMiB,
    " MiB",
    "<=",
    (PARTS_IN_FLIGHT * PART) / MiB + FIXED_MIB,
    `vc ${fmtNum(vc.rssMiB)} MiB, direct ${fmtNum(direct.rssMiB)} MiB; ` +
      `natural: vc ${fmtNum(naturalVc.rssMiB)} MiB, direct ${fmtNum(naturalDirect.rssMiB)} MiB`,
  );
  report.goal(
    `peak RSS growth from ${fmtNum(smaller / MiB)} to ${fmtNum(size / MiB)} MiB (prompt GC)`,
    vc.rssMiB - vcSmaller.rssMiB,
    " MiB",
    "<=",
    (GROWTH_PARTS * PART) / MiB,
    `vc ${fmtNum(vcSmaller.rssMiB)} → ${fmtNum(vc.rssMiB)} MiB`,
  );
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
