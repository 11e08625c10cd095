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

Deno.test("mirror progress: a first pass before its first file is done shows what it will send", () => {
  const line = lineOf({ done: 0, bytes: 0, total: 20000, totalBytes: 268_900 });
  assert(line.includes("0 B/268.9 kB"), line);
});
