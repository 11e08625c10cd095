/**
 * On an 80-column terminal, `vc sync` of one large file (`0/1`, bytes and a
 * rate, no ETA yet) drew `sync  …  /big.bin 12%` through its check, copy and
 * hash: the label stayed and the step's name was cut to its figure, so the
 * percentage ran from 0 to 100 three times with nothing saying what it
 * counted. The label gives way first, as the README says.
 */
import { ProgressBar } from "../src/progress.ts";
import { withStep } from "../src/cli/upload_progress.ts";
import { assert } from "./assert.ts";

for (const name of ["checking", "copying", "hashing"]) {
  Deno.test(`progress: sync's ${name} step is named on an 80-column line before the label is`, () => {
    let t = 0;
    const bar = new ProgressBar({ label: "sync", enabled: false, columns: 80, now: () => t });
    bar.onItems({ done: 0, total: 1, bytes: 0 });
    t = 1_000;
    bar.onItems({ done: 0, total: 1, bytes: 209_700_000, current: "/big.bin" });
    t = 1_500;
    bar.onItems(withStep({
      done: 0,
      total: 1,
      bytes: 209_700_000,
      current: "/big.bin",
      step: { name, bytes: 12, total: 100 },
    }));
    const line = bar.line();
    assert(line.length <= 79, `too long: ${JSON.stringify(line)}`);
    assert(line.includes("MB/s"), `no rate: ${line}`);
    assert(line.endsWith(`${name} 12%`), `the ${name} step is not named: ${JSON.stringify(line)}`);
  });
}
