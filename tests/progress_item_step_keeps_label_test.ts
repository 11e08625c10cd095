/**
 * On an 80-column terminal, `vc verify` and `vc sync` of one large file
 * drew `[--------------------]    0%  0/1  elapsed 0:01  /big/big.bin:
 * checking 13%`: the bar's drawing (its percentage says the same) was kept
 * and the label dropped, so nothing on the line said which command ran,
 * where without the drawing the label, the figures and the item's step all
 * fit. The drawing gives way to the label too, as it does to the figures
 * and to the item.
 */
import { ProgressBar } from "../src/progress.ts";
import { withStep } from "../src/cli/upload_progress.ts";
import { assert } from "./assert.ts";

const CASES = [
  { label: "verify", bytes: undefined, step: "checking", percent: 13, t: 1_200 },
  { label: "sync", bytes: 60_000_000, step: "copying", percent: 0, t: 4_400 },
];

for (const c of CASES) {
  Deno.test(`progress: ${c.label}'s one-item line keeps its label and step, not the drawing`, () => {
    let t = 0;
    const bar = new ProgressBar({ label: c.label, enabled: false, columns: 80, now: () => t });
    bar.onItems({ done: 0, total: 1, ...(c.bytes === undefined ? {} : { bytes: 0 }) });
    t = c.t;
    bar.onItems(withStep({
      done: 0,
      total: 1,
      ...(c.bytes === undefined ? {} : { bytes: c.bytes }),
      current: "/big/big.bin",
      step: { name: c.step, bytes: c.percent, total: 100 },
    }));
    const line = bar.line();
    assert(line.length <= 79, `too long: ${JSON.stringify(line)}`);
    assert(line.startsWith(`${c.label}  `), `the label is dropped: ${JSON.stringify(line)}`);
    assert(
      line.endsWith(`/big/big.bin: ${c.step} ${c.percent}%`),
      `item cut: ${JSON.stringify(line)}`,
    );
    assert(line.includes(" 0%  0/1"), `the figures are dropped: ${JSON.stringify(line)}`);
  });
}
