/**
 * `vc sync` of three small entries and a large one read `sync  75%  3/4
 * 119.2 kB  363.3 kB/s  ETA 0:00  /big.bin: downloading 0%` as the large
 * download began: with one item left and its own rate not yet measured, the
 * bar fell back to the items' ETA, which the quick small ones made zero.
 * Until the last item's step has a rate, the bar gives no ETA.
 */
import { ProgressBar } from "../src/progress.ts";
import { assert } from "./assert.ts";

Deno.test("progress: the last item's step gives no ETA before its rate is measured", () => {
  const clock = { t: 0 };
  const bar = new ProgressBar({ label: "sync", enabled: false, now: () => clock.t, columns: 200 });
  bar.onItems({ done: 0, total: 4, bytes: 0 });
  // Three small entries done in 300 ms.
  for (let done = 1; done <= 3; done++) {
    clock.t = done * 100;
    bar.onItems({ done, total: 4, bytes: done * 7, current: `/d/${done}.csv` });
  }
  // The large one's first bytes.
  clock.t = 350;
  bar.onItems({
    done: 3,
    total: 4,
    bytes: 100_000,
    current: "/big.bin",
    step: { name: "downloading", bytes: 100_000, total: 1_000_000_000 },
  });
  const line = bar.line();
  assert(line.includes("/big.bin: downloading 0%"), line);
  assert(!line.includes("ETA"), line);
});
