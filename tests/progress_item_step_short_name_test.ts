/**
 * `vc sync` of a manifest entry `/big.bin` on an 80-column terminal: after its
 * download gave the line a rate and an ETA, the item had ~12 columns beside
 * the bar's drawing, and a short name was kept whole with the step cut to its
 * figure, so the line read `… ETA 0:03  /big.bin 27%` through the download,
 * the check and the copy alike (the README promises `/big.bin: copying 45%`,
 * or `… copying 45%` where the name gives way). The drawing now gives way to
 * an item with its step (its percentage stays), so the step's word is shown.
 */
import { ProgressBar } from "../src/progress.ts";
import { withStep } from "../src/cli/upload_progress.ts";
import { assert } from "./assert.ts";

for (const current of ["/big.bin", "/a.csv", "/demo/big.bin"]) {
  Deno.test(`progress: the item ${current} keeps its step's word on an 80-column line`, () => {
    let t = 0;
    const bar = new ProgressBar({ label: "sync", enabled: false, columns: 80, now: () => t });
    bar.onItems({ done: 0, total: 2, bytes: 0 });
    t = 1_000;
    bar.onItems(withStep({ done: 1, total: 2, bytes: 24_000_000, current }));
    t = 2_500;
    const lines = ["downloading", "checking", "copying"].map((name) => {
      bar.onItems(withStep({
        done: 1,
        total: 2,
        bytes: 60_000_000,
        current,
        step: { name, bytes: 27, total: 100 },
      }));
      const line = bar.line();
      assert(line.length <= 79, `too long: ${JSON.stringify(line)}`);
      assert(line.endsWith(`  ${current}: ${name} 27%`), `no ${name}: ${JSON.stringify(line)}`);
      // The figures stay; the percentage says what the drawing did.
      assert(/ 50% {2}1\/2 {2}60\.0 MB {2}[\d.]+ MB\/s {2}ETA /.test(line), line);
      return line;
    });
    assert(new Set(lines).size === 3, `the steps read the same: ${lines.join(" | ")}`);
  });
}

Deno.test("progress: a line with room for the drawing and the item's step keeps both", () => {
  let t = 0;
  const bar = new ProgressBar({ label: "sync", enabled: false, columns: 120, now: () => t });
  bar.onItems({ done: 0, total: 2, bytes: 0 });
  t = 1_000;
  bar.onItems({ done: 1, total: 2, bytes: 24_000_000, current: "/big.bin: copying 27%" });
  const line = bar.line();
  assert(line.includes("[##########----------]") && line.endsWith("  /big.bin: copying 27%"), line);
});
