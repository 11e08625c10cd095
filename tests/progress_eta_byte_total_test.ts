/**
 * A bar with both a byte total and an item count (`vc cache verify`: the
 * bytes of the copies it reads, and the copies) draws its percentage from
 * the bytes, but took its ETA from the items while the rate was not yet
 * measurable: reading one 60 MB copy of 101, it said `27% … ETA 0:10` and
 * then `69% … ETA 0:21`, a time growing as the bar filled, for a run that
 * ended a third of a second later. With a byte total, the ETA is that of
 * the bytes (none until their rate is known), as the percentage is.
 */
import { ProgressBar } from "../src/progress.ts";
import { assert, assertStringIncludes } from "./assert.ts";

function etaSeconds(line: string): number | undefined {
  const m = /ETA (?:(\d+):)?(\d+):(\d+)/.exec(line);
  if (m === null) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

Deno.test("progress: with a byte total, the ETA follows the bytes, not the items", () => {
  let t = 0;
  const bar = new ProgressBar({ enabled: false, now: () => t, columns: 200 });
  bar.update({ done: 0, total: 101, bytes: 0, totalBytes: 60_000_000 });
  // The first copy, 60 MB of the 60 MB, read at 200 MB/s: 27% at 80 ms, 69% at 200 ms.
  for (const [ms, bytes] of [[80, 16_800_000], [200, 41_900_000]] as const) {
    t = ms;
    bar.update({ done: 1, bytes });
    const eta = etaSeconds(bar.line());
    assert(eta === undefined || eta <= 1, `${ms} ms: ${bar.line()}`);
  }
  // Once the rate is measured, the ETA is the bytes left at that rate.
  t = 1_000;
  bar.update({ done: 1, bytes: 50_000_000 });
  assertStringIncludes(bar.line(), "ETA 0:00");
});

Deno.test("progress: without a byte total, the ETA still comes from the items", () => {
  let t = 0;
  const bar = new ProgressBar({ enabled: false, now: () => t, columns: 200 });
  bar.update({ done: 0, total: 4, bytes: 0 });
  t = 10_000;
  bar.update({ done: 1, bytes: 100 });
  assertStringIncludes(bar.line(), "ETA 0:30");
});
