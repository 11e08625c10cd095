/**
 * Listening for an abort while many callers wait on one signal (a
 * `Promise.all` of a thousand `cache()` calls with one `signal`, or the
 * command line's interrupt): `addEventListener` + `removeEventListener` vs
 * vc's `onAbort` (`src/abort_hub.ts`), with 1 and with 1000 other callers
 * waiting on the signal, in the same process. The ratio printed is the
 * native pair's time over `onAbort`'s.
 *
 *     deno run -A scripts/bench/abort_listeners.ts [--quick]
 *
 * @module
 */
import { onAbort } from "../../src/abort_hub.ts";
import { fmtNum, parseBenchArgs, Report } from "./lib.ts";

/** Runs the benchmark; returns the report. */
export function run(args: { quick: boolean }): Report {
  const report = new Report("abort_listeners");
  const n = args.quick ? 20_000 : 200_000;
  const time = (fn: () => void): number => {
    for (let i = 0; i < n / 10; i++) fn(); // warm-up: compiled first
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    return (performance.now() - t) / n * 1000;
  };
  for (const waiting of [1, 1000]) {
    const signal = new AbortController().signal;
    for (let i = 0; i < waiting; i++) signal.addEventListener("abort", () => {});
    for (let i = 0; i < waiting; i++) onAbort(signal, () => {});
    const native = time(() => {
      const f = () => {};
      signal.addEventListener("abort", f, { once: true });
      signal.removeEventListener("abort", f);
    });
    const hub = time(() => onAbort(signal, () => {})());
    report.info(
      `${waiting} waiting: addEventListener + removeEventListener ${fmtNum(native)} µs, ` +
        `onAbort + stop ${fmtNum(hub)} µs (${fmtNum(native / hub)}×)`,
    );
  }
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  await run(args).finish(args);
}
