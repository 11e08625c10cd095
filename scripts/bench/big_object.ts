/**
 * One big object (1 GiB; 256 MiB with `--quick`) downloaded through
 * `AssetCache` vs `curl -s -o FILE URL` from the same fake server (a separate
 * process, disk backend), for a single-part object (plain MD5 ETag, verified
 * over the whole object) and a multipart one (8 MiB parts, `<md5>-<n>` ETag).
 *
 * Goals: vc ahead of `curl URL | tee FILE | md5sum` (the Unix way to download
 * and verify, a pipeline: the hash runs while the bytes arrive), vc's
 * throughput ≥ 0.8× plain `curl -o` (which verifies nothing), and vc's peak
 * RSS < 256 MiB (the downloading child's maximum resident set size, from
 * `/usr/bin/time`). The pipeline's MD5 is checked against the object's, so
 * it does verify.
 *
 * vc runs in a child process (`big_object_child.ts`, vc's release
 * permissions); its figure is the time spent in `cache()`, after the S3
 * module was loaded. curl's is its process wall time. vc fsyncs the file
 * before renaming it into place, curl does not: "curl + sync" (curl then
 * `sync`) is printed too, for context, and so is "curl + md5sum" (curl's
 * time plus md5sum of its output): vc verifies every byte against the ETag,
 * curl does not. Every run starts after `sync`, so no run pays for the
 * previous one's writeback.
 *
 *     deno run -A scripts/bench/big_object.ts [--quick]
 *
 * @module
 */
import type { ChildResult } from "./big_object_child.ts";
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

const GOAL_RATIO = 0.8;
/** vc (the whole process) must be at least as fast as the pipeline. */
const GOAL_PIPELINE = 1;
const GOAL_RSS_MIB = 256;
const BUCKET = "big";
/** GNU time: reports the child's maximum resident set size (`%M`, KiB). */
const TIME = "/usr/bin/time";

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("big_object");
  const size = args.quick ? 256 * MiB : GiB;
  const reps = 2;
  await using tmp = await tempDir("big");
  await using server = await FakeServer.start({ dir: `${tmp.path}/server`, buckets: [BUCKET] });

  const src = `${tmp.path}/src.bin`;
  let t = performance.now();
  await writeRandomFile(src, size);
  const single = await putFile(server.url, BUCKET, "single.bin", src);
  const multi = await putFileMultipart(server.url, BUCKET, "multi.bin", src, 8 * MiB);
  await removeQuietly(src);
  report.info(
    `setup: ${fmtNum(size / MiB)} MiB objects uploaded in ${
      fmtNum((performance.now() - t) / 1000)
    } s ` +
      `(single ETag ${single}, multipart ETag ${multi})`,
  );
  if (!/^[0-9a-f]{32}$/.test(single) || !/^[0-9a-f]{32}-\d+$/.test(multi)) {
    throw new Error(`unexpected ETags: ${single}, ${multi}`);
  }

  // `check`: also time `md5sum` of the result, as a script that verifies
  // its download would (reported as curl + md5sum; the file is in the page cache).
  const curlRun = async (
    key: string,
    withSync: boolean,
    check = false,
  ): Promise<{ ms: number; md5Ms: number }> => {
    const out = `${tmp.path}/curl.out`;
    await syncDisks();
    const t0 = performance.now();
    await timed("curl", ["-sS", "--fail", "-o", out, `${server.url}/${BUCKET}/${key}`]);
    if (withSync) await syncDisks();
    const ms = performance.now() - t0;
    const got = (await Deno.stat(out)).size;
    if (got !== size) throw new Error(`curl wrote ${got} bytes, expected ${size}`);
    const md5Ms = check ? (await timed("md5sum", [out])).ms : 0;
    await removeQuietly(out);
    return { ms, md5Ms };
  };

  // The Unix way: the download and its MD5 in one pipeline, the file written
  // by `tee`. Process wall time, like curl's; the MD5 must be the content's.
  const pipelineRun = async (key: string): Promise<number> => {
    const out = `${tmp.path}/pipeline.out`;
    await syncDisks();
    const script = `set -o pipefail; curl -sS --fail "$1" | tee "$2" | md5sum`;
    const r = await timed("bash", ["-c", script, "bash", `${server.url}/${BUCKET}/${key}`, out]);
    const md5 = r.stdout.trim().split(/\s+/)[0];
    // Both objects hold the same bytes: the single-part ETag is their MD5.
    if (md5 !== single) throw new Error(`pipeline MD5 ${md5}, expected ${single}`);
    const got = (await Deno.stat(out)).size;
    if (got !== size) throw new Error(`the pipeline wrote ${got} bytes, expected ${size}`);
    await removeQuietly(out);
    return r.ms;
  };

  const vcRun = async (
    key: string,
    i: number,
  ): Promise<ChildResult & { wallMs: number; maxRssKiB: number }> => {
    const cacheDir = `${tmp.path}/vc-cache-${i}`;
    await syncDisks();
    const r = await timed(TIME, [
      "-f",
      "VC_BENCH_MAXRSS_KIB=%M",
      Deno.execPath(),
      "run",
      ...VC_FLAGS,
      `${ROOT}scripts/bench/big_object_child.ts`,
      `s3://${BUCKET}/${key}`,
    ], {
      env: {
        ...server.env,
        VC_CACHE_DIR: cacheDir,
        XDG_CONFIG_HOME: tmp.path,
        NO_COLOR: "1",
      },
    });
    const line = r.stdout.trim().split("\n").at(-1) ?? "";
    const result = JSON.parse(line) as ChildResult;
    if (result.size !== size) throw new Error(`vc wrote ${result.size} bytes, expected ${size}`);
    const rss = /VC_BENCH_MAXRSS_KIB=(\d+)/.exec(r.stderr)?.[1];
    if (rss === undefined) throw new Error(`no max RSS from ${TIME}: ${r.stderr.slice(-500)}`);
    await removeQuietly(cacheDir);
    return { ...result, wallMs: r.ms, maxRssKiB: Number(rss) };
  };

  // Warm the server's page cache, so the first contender is not penalised.
  for (const key of ["single.bin", "multi.bin"]) await curlRun(key, false);

  for (const [label, key] of [["single-part", "single.bin"], ["multipart", "multi.bin"]] as const) {
    const curlMs: number[] = [];
    const curlMd5Ms: number[] = [];
    const curlSyncMs: number[] = [];
    const vcMs: number[] = [];
    const vcWallMs: number[] = [];
    const pipeMs: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < reps; i++) {
      t = performance.now();
      const { ms: c, md5Ms } = await curlRun(key, false, true);
      curlMs.push(c);
      curlMd5Ms.push(c + md5Ms);
      const p = await pipelineRun(key);
      pipeMs.push(p);
      const v = await vcRun(key, i);
      vcMs.push(v.ms);
      vcWallMs.push(v.wallMs);
      rss.push(v.maxRssKiB / 1024);
      const { ms: cs } = await curlRun(key, true);
      curlSyncMs.push(cs);
      report.info(
        `${label} rep ${i + 1}: curl ${fmtNum(c / 1000)} s (${fmtNum(mbps(size, c))} MB/s), ` +
          `vc ${fmtNum(v.ms / 1000)} s (${fmtNum(mbps(size, v.ms))} MB/s; process ${
            fmtNum(v.wallMs / 1000)
          } s, S3 module load ${fmtNum(v.loadMs)} ms; peak RSS ${
            fmtNum(v.maxRssKiB / 1024)
          } MiB), ` +
          `curl | tee | md5sum ${fmtNum(p / 1000)} s, ` +
          `curl + md5sum ${fmtNum((c + md5Ms) / 1000)} s, curl + sync ${fmtNum(cs / 1000)} s`,
      );
    }
    const c = median(curlMs);
    const v = median(vcMs);
    const cs = median(curlSyncMs);
    const cm = median(curlMd5Ms);
    const vw = median(vcWallMs);
    const pm = median(pipeMs);
    report.info(
      `${label} context: vc / (curl + md5sum) = ${fmtNum(cm / v)}× (both verify the content), ` +
        `vc / (curl + sync) = ${fmtNum(cs / v)}× (both durable on disk at the end)`,
    );
    report.goal(
      `${label} ${fmtNum(size / MiB)} MiB verified download, (curl | tee | md5sum) / vc process`,
      pm / vw,
      "×",
      ">=",
      GOAL_PIPELINE,
      `vc process ${fmtNum(vw / 1000)} s (in cache() ${fmtNum(v / 1000)} s), pipeline ${
        fmtNum(pm / 1000)
      } s, curl -o ${fmtNum(c / 1000)} s (medians of ${reps}; load average ${
        Deno.loadavg()[0]!.toFixed(1)
      })`,
    );
    report.goal(
      `${label} ${fmtNum(size / MiB)} MiB throughput, vc / curl`,
      c / v,
      "×",
      ">=",
      GOAL_RATIO,
      `vc ${fmtNum(v / 1000)} s = ${fmtNum(mbps(size, v))} MB/s, curl ${fmtNum(c / 1000)} s = ${
        fmtNum(mbps(size, c))
      } MB/s (medians of ${reps})`,
    );
    report.goal(
      `${label} vc peak RSS`,
      Math.max(...rss),
      " MiB",
      "<",
      GOAL_RSS_MIB,
      `max RSS per run: ${rss.map((r) => fmtNum(r)).join(", ")} MiB`,
    );
  }
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
