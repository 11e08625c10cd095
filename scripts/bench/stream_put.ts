/**
 * Memory of a streamed upload of unknown size: `S3Store.put(key, stream)`
 * (8 MiB parts, 4 in flight) vs one plain streamed `fetch` PUT of the same
 * stream, both to the fake server (separate process, disk backend), each in
 * its own child process run under `/usr/bin/time` for its peak RSS.
 *
 * Goal: vc's peak RSS is at most the peer's plus parts × part size plus
 * 32 MiB (the part buffers and a small constant), whatever the stream's length.
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
const SLACK_MIB = 32;

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("stream_put");
  const size = Number(Deno.env.get("VC_BENCH_SIZE") ?? (args.quick ? 256 * MiB : GiB));
  await using tmp = await tempDir("stream-put");
  await using server = await FakeServer.start({ dir: `${tmp.path}/server`, buckets: ["bench"] });
  const child = async (mode: string) => {
    const r = await timed(TIME, [
      "-f",
      "VC_BENCH_MAXRSS_KIB=%M",
      Deno.execPath(),
      "run",
      "-A",
      `${ROOT}scripts/bench/stream_put_child.ts`,
      mode,
      String(size),
    ], { env: { ...server.env, NO_COLOR: "1" } });
    const result = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as StreamPutResult;
    const rss = /VC_BENCH_MAXRSS_KIB=(\d+)/.exec(r.stderr)?.[1];
    if (rss === undefined) throw new Error(`no max RSS from ${TIME}: ${r.stderr.slice(-500)}`);
    return { ...result, rssMiB: Number(rss) / 1024 };
  };
  const direct = await child("direct");
  const vc = await child("vc");
  if (!/-\d+$/.test(vc.etag) || !/^[0-9a-f]{32}$/.test(direct.etag)) {
    throw new Error(`unexpected ETags: vc ${vc.etag}, direct ${direct.etag}`);
  }
  report.info(
    `${fmtNum(size / MiB)} MiB: vc ${fmtNum(vc.rssMiB)} MiB peak RSS, ` +
      `${fmtNum(mbps(size, vc.ms))} MB/s; direct PUT ${fmtNum(direct.rssMiB)} MiB, ` +
      `${fmtNum(mbps(size, direct.ms))} MB/s; ratio ${fmtNum(vc.rssMiB / direct.rssMiB)}×`,
  );
  const extra = vc.rssMiB - direct.rssMiB;
  const bound = (PARTS_IN_FLIGHT * PART) / MiB + SLACK_MIB;
  report.goal(
    "peak RSS over a direct PUT",
    extra,
    " MiB",
    "<=",
    bound,
    `vc ${fmtNum(vc.rssMiB)} MiB, direct ${fmtNum(direct.rssMiB)} MiB`,
  );
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
