/**
 * An item's step (`/demo/big.bin: checking 45%`, as `vc sync`, `vc prefill`
 * and `vc lock` report the check and copy of a cached copy) stays on an
 * 80-column line after a download gave the line a rate and an ETA: it was
 * dropped there, beside the label, and the line sat at the download's last
 * figures through seconds a GB of checking and copying.
 */
import { ProgressBar } from "../src/progress.ts";
import { withStep } from "../src/cli/upload_progress.ts";
import { assert } from "./assert.ts";

for (const label of ["sync", "prefill", "lock"]) {
  Deno.test(`progress: ${label}'s item step stays on an 80-column line beside a rate and ETA`, () => {
    let t = 0;
    const bar = new ProgressBar({ label, enabled: false, columns: 80, now: () => t });
    bar.onItems({ done: 0, total: 3, bytes: 0 });
    // A 60 MB download at 24 MB/s: the line has a rate and an ETA.
    t = 1_000;
    bar.onItems(withStep({ done: 2, total: 3, bytes: 24_000_000, current: "/demo/big.bin" }));
    t = 2_500;
    // The bar's drawing gives way, so the step and the name's end fit
    // (before, `… checking 45%`, and `downloading 45%` cut to its figure).
    for (const name of ["checking", "copying", "hashing", "downloading"]) {
      bar.onItems(withStep({
        done: 2,
        total: 3,
        bytes: 60_000_000,
        current: "/demo/big.bin",
        step: { name, bytes: 45, total: 100 },
      }));
      const line = bar.line();
      assert(line.length <= 79, `too long: ${JSON.stringify(line)}`);
      assert(line.includes("MB/s") && line.includes("ETA"), `no rate or ETA: ${line}`);
      const shown = `big.bin: ${name} 45%`;
      assert(line.endsWith(shown), `the ${name} step is not shown: ${JSON.stringify(line)}`);
    }
  });
}

Deno.test("progress: a wide line keeps the label, the item's name and its step", () => {
  let t = 0;
  const bar = new ProgressBar({ label: "sync", enabled: false, columns: 120, now: () => t });
  bar.onItems({ done: 0, total: 3, bytes: 0 });
  t = 1_000;
  bar.onItems({ done: 2, total: 3, bytes: 24_000_000, current: "/demo/big.bin: checking 45%" });
  const line = bar.line();
  assert(line.startsWith("sync  ") && line.endsWith("  /demo/big.bin: checking 45%"), line);
});

Deno.test("progress: an item name with no step is shortened or dropped as before", () => {
  let t = 0;
  const bar = new ProgressBar({ label: "sync", enabled: false, columns: 80, now: () => t });
  bar.onItems({ done: 0, total: 3, bytes: 0 });
  t = 1_000;
  bar.onItems({ done: 2, total: 3, bytes: 24_000_000, current: "/demo/big.bin" });
  const line = bar.line();
  assert(line.startsWith("sync  ") && line.length <= 79, line);
});
