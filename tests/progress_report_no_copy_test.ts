/**
 * The CLI's item progress (`vc prefill`, `vc sync`, `vc lock`) goes through
 * `withStep` on every report, several an item: a report without a step
 * was copied each time (an object rest spread), a few hundred bytes of
 * garbage per report on the cold path of a thousand small objects. It is
 * handed on as it is now; one with a step still gets its line, and the
 * caller's object is never changed.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withStep } from "../src/cli/upload_progress.ts";
import { ProgressBar } from "../src/progress.ts";

Deno.test("withStep hands on a report without a step as it is", () => {
  const report = { done: 3, total: 10, failed: 0, bytes: 12_288, current: "s3://b/k3" };
  assert(withStep(report) === report, "the report was copied");
  assertEquals(report, { done: 3, total: 10, failed: 0, bytes: 12_288, current: "s3://b/k3" });
});

Deno.test("withStep still names the step of a report that has one, leaving the report as it was", () => {
  const report = {
    done: 3,
    total: 10,
    current: "s3://b/big",
    step: { name: "downloading", bytes: 50, total: 200 },
  };
  assertEquals(withStep(report), { done: 3, total: 10, current: "s3://b/big: downloading 25%" });
  assertEquals(report.current, "s3://b/big");
});

Deno.test("the bar's rate follows byte reports that come closer together than its sample spacing", () => {
  let now = 0;
  const bar = new ProgressBar({ enabled: false, now: () => now, write: () => {} });
  // A thousand reports 1 ms apart, 1 KB each: 1 MB/s throughout.
  for (let i = 1; i <= 1000; i++) {
    now = i;
    bar.onItems({ done: i, total: 1000, bytes: i * 1000 });
  }
  assertStringIncludes(bar.line(), "1.0 MB/s");
});
