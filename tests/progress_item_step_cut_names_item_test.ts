/**
 * On an 80-column terminal, `vc prefill`'s line beside a rate and an ETA has
 * about 12 columns for the item: too few for the name and `downloading 45%`,
 * or for the step alone, so the item and its step were cut as one text from
 * the left, `…oading 45%`: a cut word, and no item named, on every redraw of
 * a run of S3 objects. Such a line kept the end of the item's name and the
 * step's figure (`…big.bin 45%`); now the bar's drawing gives way first, and
 * the item and its step are both shown whole.
 */
import { ProgressBar } from "../src/progress.ts";
import { withStep } from "../src/cli/upload_progress.ts";
import { assert } from "./assert.ts";

Deno.test("progress: an item step too wide beside the rate keeps the name's end, not a cut word", () => {
  for (const current of ["/demo/big.bin", "s3://b/k70.txt"]) {
    let t = 0;
    const bar = new ProgressBar({ label: "prefill", enabled: false, columns: 80, now: () => t });
    bar.onItems({ done: 0, total: 302, bytes: 0 });
    t = 1_000;
    bar.onItems({ done: 60, total: 302, bytes: 4_000_000 });
    t = 2_800;
    bar.onItems(withStep({
      done: 70,
      total: 302,
      bytes: 14_000_000,
      current,
      step: { name: "downloading", bytes: 100, total: 100 },
    }));
    const line = bar.line();
    assert(line.length <= 79, `too long: ${JSON.stringify(line)}`);
    assert(line.includes("ETA"), `no ETA: ${JSON.stringify(line)}`);
    // The bar's drawing gives way to the item and its step, so both are
    // whole (`tests/progress_item_step_short_name_test.ts`).
    assert(
      line.endsWith(`  ${current}: downloading 100%`),
      `no item named: ${JSON.stringify(line)}`,
    );
  }
});
