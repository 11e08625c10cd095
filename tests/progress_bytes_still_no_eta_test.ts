/**
 * `vc mirror ./data s3://b/data` of three small files and a 300 MB one
 * uploads the small ones at once (285 B), then hashes the large one for
 * seconds before its upload: the bar's bytes stood still while its line
 * moved (`big.bin: hashing 33%`), and the rate of those 285 B gave the run's
 * ETA, `0%  3/4  285 B/300.0 MB  375 B/s  ETA 221:56:48` for a run that
 * ended 4 s later. Bytes that stand still while the bar's other figures
 * move (longer than they moved in the rate's window) give no rate and no
 * ETA; a transfer that stalls (no report at all) still falls to 0 B/s.
 */
import { ProgressBar } from "../src/progress.ts";
import { assert, assertStringIncludes } from "./assert.ts";

Deno.test("progress: bytes standing still while an item hashes give no rate or ETA", () => {
  let t = 0;
  const bar = new ProgressBar({ label: "mirror", enabled: false, now: () => t, columns: 200 });
  bar.update({ done: 0, total: 4, bytes: 0, totalBytes: 300_000_000 });
  t = 100;
  bar.update({ done: 3, bytes: 285 });
  // The large file hashed for 4 s, its step reported every 100 ms.
  for (let ms = 200; ms <= 4_000; ms += 100) {
    t = ms;
    bar.update({ current: `big.bin: hashing ${Math.floor((ms / 4_000) * 100)}%` });
    const line = bar.line();
    assert(!line.includes("ETA") && !line.includes("B/s"), `${ms} ms: ${line}`);
  }
  assertStringIncludes(bar.line(), "big.bin: hashing 100%");
  // Then the upload moves the bytes again: a rate and an ETA once measured.
  for (let ms = 4_100; ms <= 5_000; ms += 100) {
    t = ms;
    bar.update({ bytes: 285 + (ms - 4_000) * 100_000, current: "big.bin: uploading" });
  }
  assert(bar.line().includes("B/s") && bar.line().includes("ETA"), bar.line());
  bar.done();
});

Deno.test("progress: a download whose chunks come between other reports keeps its rate", () => {
  let t = 0;
  const bar = new ProgressBar({ label: "prefill", enabled: false, now: () => t, columns: 200 });
  bar.onItems({ done: 0, total: 100, bytes: 0 });
  // 1 MB every 500 ms, and an already cached item done every 50 ms between.
  let done = 0;
  for (let ms = 50; ms <= 4_000; ms += 50) {
    t = ms;
    if (ms % 500 === 0) bar.onItems({ done, bytes: (ms / 500) * 1_000_000 });
    else bar.onItems({ done: Math.min(++done, 99) });
    if (ms >= 1_000) assert(bar.line().includes("MB/s"), `${ms} ms: ${bar.line()}`);
  }
  bar.done();
});
