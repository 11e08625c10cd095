/**
 * `vc path /big.bin`, `vc cache-client put ID big.bin` on an 80-column
 * terminal: beside the bar's drawing, the bytes, a rate and an ETA, the label
 * (`download /big.bin`, `upload big.bin`) had no room and was cut from the
 * left, its verb read `…oad /big.bin`, then `…ad`, `…d`, as the rate's width
 * changed from one redraw to the next. The bar's drawing now gives way to the
 * label, as it does to the figures on a narrow terminal (its percentage stays).
 */
import { ProgressBar } from "../src/progress.ts";
import { assert } from "./assert.ts";

for (const label of ["download /big.bin", "upload big2.bin", "download record 2"]) {
  Deno.test(`progress: the label ${label} stays whole beside a rate and an ETA`, () => {
    let t = 0;
    const bar = new ProgressBar({ label, enabled: false, columns: 80, now: () => t });
    bar.update({ bytes: 0, totalBytes: 60_000_000 });
    for (let i = 1; i <= 5; i++) {
      t = i * 700;
      bar.update({ bytes: i * 9_300_000, totalBytes: 60_000_000 });
      const line = bar.line();
      assert(line.length <= 79, `too long: ${JSON.stringify(line)}`);
      assert(line.startsWith(`${label}  `), `label cut: ${JSON.stringify(line)}`);
      assert(/\d+% {2}[\d.]+ MB\/60\.0 MB {2}[\d.]+ MB\/s {2}ETA /.test(line), line);
    }
  });
}

Deno.test("progress: a label beside its step's name stays whole too", () => {
  let t = 0;
  const bar = new ProgressBar({
    label: "upload /big.bin",
    enabled: false,
    columns: 80,
    now: () => t,
  });
  bar.onStep({ current: "hashing", bytes: 0, totalBytes: 60_000_000 });
  t = 1_000;
  bar.onStep({ current: "hashing", bytes: 20_000_000, totalBytes: 60_000_000 });
  const line = bar.line();
  assert(line.length <= 79 && line.startsWith("upload /big.bin  "), JSON.stringify(line));
  assert(line.endsWith("  hashing"), JSON.stringify(line));
});

Deno.test("progress: a label that fits keeps the bar's drawing", () => {
  let t = 0;
  const bar = new ProgressBar({
    label: "download /big.bin",
    enabled: false,
    columns: 120,
    now: () => t,
  });
  bar.update({ bytes: 0, totalBytes: 60_000_000 });
  t = 1_000;
  bar.update({ bytes: 30_000_000, totalBytes: 60_000_000 });
  const line = bar.line();
  assert(line.startsWith("download /big.bin  [##########----------]"), JSON.stringify(line));
});
