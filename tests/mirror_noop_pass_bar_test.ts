/**
 * A `vc mirror` pass that finds its files unchanged sends no byte: its bar,
 * a percentage of the bytes sent, stood at 0% while the count of files
 * compared ran to 16001/20000, then jumped to 100%. Until a byte moves, the
 * bar is of the files compared; once bytes move, of the bytes.
 */
import { progressSnapshot } from "../src/cli/mirror_command.ts";
import { ProgressBar } from "../src/progress.ts";
import { assert } from "./assert.ts";

const lineOf = (p: Parameters<typeof progressSnapshot>[0]) => {
  const bar = new ProgressBar({ enabled: false, columns: 120 });
  bar.update(progressSnapshot(p));
  return bar.line();
};

Deno.test("mirror progress: a pass that has sent nothing yet shows the share of files compared", () => {
  // 16001 of 20000 compared, all unchanged; 53.8 kB of files not compared yet.
  const line = lineOf({ done: 16001, bytes: 0, total: 20000, totalBytes: 53_800 });
  assert(line.includes(" 80%"), line);
  assert(line.includes("16001/20000"), line);
});

Deno.test("mirror progress: once bytes move the bar is of the bytes", () => {
  const line = lineOf({ done: 16001, bytes: 26_900, total: 20000, totalBytes: 53_800 });
  assert(line.includes(" 50%") && line.includes("26.9 kB/53.8 kB"), line);
});

Deno.test("mirror progress: a bar told the totals before its first file still shows the share of files compared", () => {
  // The bar keeps what it was last told: a byte total given before the first
  // file was compared kept the line at 0% through a pass that sent nothing.
  const bar = new ProgressBar({ enabled: false, columns: 120 });
  bar.update(progressSnapshot({ done: 0, bytes: 0, total: 20000, totalBytes: 53_800 }));
  assert(bar.line().includes("  0%  0/20000"), bar.line());
  bar.update(progressSnapshot({ done: 16001, bytes: 0, total: 20000, totalBytes: 53_800 }));
  assert(bar.line().includes(" 80%  16001/20000"), bar.line());
  bar.update(progressSnapshot({ done: 16002, bytes: 26_900, total: 20000, totalBytes: 53_800 }));
  assert(bar.line().includes(" 50%") && bar.line().includes("26.9 kB/53.8 kB"), bar.line());
});
