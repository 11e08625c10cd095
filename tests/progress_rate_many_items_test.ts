/**
 * The rate is measured over the last 5 s, from at most 64 samples. A run of
 * many small items (`vc sync`, `vc lock`, `vc prefill` of a manifest with a
 * large file among small ones) updates the bar hundreds of times a second:
 * the 64 samples then spanned a third of a second, and the rate shown swung
 * between the run's average (`87.6 MB/s`) and the bytes of the last few
 * small files (`87 B/s`) from one redraw to the next. The samples are now
 * spaced to cover the whole window, however often the updates come.
 */
import { ProgressBar } from "../src/progress.ts";
import { assert } from "./assert.ts";

function rateOf(line: string): number | undefined {
  const m = /([\d.]+) (B|kB|MB|GB)\/s/.exec(line);
  if (m === null) return undefined;
  const unit = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as "B" | "kB" | "MB" | "GB"];
  return Number(m[1]) * unit;
}

Deno.test("progress: many small items after a large one keep the rate of the last seconds", () => {
  let t = 0;
  const bar = new ProgressBar({ enabled: false, now: () => t, columns: 200 });
  const total = 1 + 500;
  bar.onItems({ done: 0, total, bytes: 0 });
  // One large item: 60 MB in the first second.
  for (let i = 1; i <= 10; i++) {
    t = i * 100;
    bar.onItems({ done: 0, total, bytes: i * 6_000_000, current: "/big.bin" });
  }
  // Then small ones, 3 bytes each, one every 5 ms, for 2.5 s: the last 5 s
  // moved 60 MB in 3.5 s, about 17 MB/s, at every point of it.
  let bytes = 60_000_000;
  const rates: number[] = [];
  for (let i = 1; i <= 500; i++) {
    t = 1_000 + i * 5;
    bytes += 3;
    bar.onItems({ done: i, total, bytes, current: `/f${i}.txt` });
    const rate = rateOf(bar.line());
    if (rate !== undefined) rates.push(rate);
  }
  assert(rates.length > 0, "a rate is shown");
  const low = rates.filter((r) => r < 10_000_000);
  assert(low.length === 0, `rates below 10 MB/s: ${low.slice(0, 5).join(", ")} of ${rates.length}`);
});

Deno.test("progress: a run that slows down for longer than the window shows the slow rate", () => {
  let t = 0;
  const bar = new ProgressBar({ enabled: false, now: () => t, columns: 200 });
  bar.onItems({ done: 0, bytes: 0 });
  for (let i = 1; i <= 10; i++) {
    t = i * 100;
    bar.onItems({ done: 0, bytes: i * 6_000_000 });
  }
  // Then 3 bytes every 5 ms for 8 s: 600 B/s.
  let bytes = 60_000_000;
  for (let i = 1; i <= 1_600; i++) {
    t = 1_000 + i * 5;
    bytes += 3;
    bar.onItems({ done: i, bytes });
  }
  const rate = rateOf(bar.line());
  assert(rate !== undefined && rate < 1_000, bar.line());
});
