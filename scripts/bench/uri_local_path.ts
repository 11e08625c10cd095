/**
 * `parseUri` of a local path (each item of a prefill list or manifest
 * override given as a path) against `parseUri` of an `s3://` URI, in the
 * same process. A local path is checked for a mistyped store URI first
 * (`mistypedUriHint`): that check parsed every path as a URL, which throws
 * for a path, and made a local path's parse 5-6× an s3:// URI's. Goal: a
 * local path within 2× an s3:// URI.
 *
 *     deno run -A scripts/bench/uri_local_path.ts [--quick]
 *
 * @module
 */
import { parseUri } from "../../src/uri.ts";
import { fmtNum, parseBenchArgs, Report } from "./lib.ts";

/** Runs the benchmark; returns the report. */
export function run(args: { quick: boolean }): Report {
  const report = new Report("uri_local_path");
  const n = args.quick ? 20_000 : 200_000;
  const time = (make: (i: number) => string): number => {
    for (let i = 0; i < n / 10; i++) parseUri(make(i)); // warm-up: compiled first
    const t = performance.now();
    for (let i = 0; i < n; i++) parseUri(make(i));
    return (performance.now() - t) / n * 1000;
  };
  // Interleaved, twice: the machine is shared.
  let s3 = 0;
  let local = 0;
  for (let round = 0; round < 2; round++) {
    s3 += time((i) => `s3://bucket/data/run-${i}/file.csv`);
    local += time((i) => `data/run-${i}/file.csv`);
  }
  report.goal(
    "local path parse / s3:// URI parse",
    local / s3,
    "×",
    "<=",
    2,
    `parseUri("data/…") ${fmtNum(local / 2)} µs, parseUri("s3://…") ${fmtNum(s3 / 2)} µs`,
  );
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  await run(args).finish(args);
}
