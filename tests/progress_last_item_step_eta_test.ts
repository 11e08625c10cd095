/**
 * `vc sync` (and `vc prefill`) of one large entry counts entries, not bytes:
 * the bar read `sync  0%  0/1  1.0 MB  927.0 kB/s  /big/one.bin:
 * downloading 0%` for the whole download, with no ETA (the items' ETA needs
 * one item done), and then, through a copy that took longer than the
 * download, `1.6 GB  0 B/s  /big/one.bin: copying 45%`: the sync's bytes
 * count what it downloaded, which the copy does not move. With one item
 * left, its step is all that remains of the run: the rate and ETA are the
 * step's.
 */
import { ProgressBar } from "../src/progress.ts";
import { assert, assertStringIncludes } from "./assert.ts";

function etaSeconds(line: string): number | undefined {
  const m = /ETA (?:(\d+):)?(\d+):(\d+)/.exec(line);
  if (m === null) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

const SIZE = 1_000_000_000;

/** A sync's bar at time 0 (the test moves `clock.t`) with `total` items to do. */
function syncBar(total: number) {
  const clock = { t: 0 };
  const bar = new ProgressBar({ label: "sync", enabled: false, now: () => clock.t, columns: 200 });
  bar.onItems({ done: 0, total, bytes: 0 });
  /** Reports /big.bin's step at `stepBytes` (the sync's bytes: `bytes`, else the same). */
  const step = (name: string, stepBytes: number, bytes = stepBytes) =>
    bar.onItems({
      done: 0,
      total,
      bytes,
      current: "/big.bin",
      step: { name, bytes: stepBytes, total: SIZE },
    });
  return { clock, bar, step };
}

Deno.test("progress: the last item's download gives the bar its rate and ETA", () => {
  const { clock, bar, step } = syncBar(1);
  // 100 MB/s for 4 s: 400 MB of 1 GB, 6 s left.
  for (let s = 1; s <= 4; s++) {
    clock.t = s * 1000;
    step("downloading", s * 100_000_000);
  }
  const line = bar.line();
  assertStringIncludes(line, "/big.bin: downloading 40%");
  assertStringIncludes(line, "100.0 MB/s");
  assert(etaSeconds(line) === 6, line);
});

Deno.test("progress: the last item's copy has its own rate and ETA, not the download's 0 B/s", () => {
  const { clock, bar, step } = syncBar(1);
  clock.t = 1000;
  step("downloading", SIZE);
  // Then copied at 50 MB/s, the sync's bytes (what it downloaded) standing still.
  const start = 2000;
  for (let s = 0; s <= 8; s++) {
    clock.t = start + s * 1000;
    step("copying", s * 50_000_000, SIZE);
  }
  const line = bar.line();
  assertStringIncludes(line, "/big.bin: copying 40%");
  assert(!line.includes(" 0 B/s"), line);
  assertStringIncludes(line, "50.0 MB/s");
  // 600 MB left at 50 MB/s.
  assert(etaSeconds(line) === 12, line);
});

Deno.test("progress: with items still to come, an item's step gives no ETA of its own", () => {
  const { clock, bar, step } = syncBar(3);
  for (let s = 1; s <= 4; s++) {
    clock.t = s * 1000;
    step("downloading", s * 100_000_000);
  }
  // The step's ETA would be of one entry of three: none until an item is done.
  assert(etaSeconds(bar.line()) === undefined, bar.line());
});

Deno.test("progress: a stalled last step shows 0 B/s and no ETA", () => {
  const { clock, bar, step } = syncBar(1);
  for (let s = 1; s <= 2; s++) {
    clock.t = s * 1000;
    step("downloading", s * 1_000_000);
  }
  clock.t = 60_000;
  const line = bar.line();
  assertStringIncludes(line, " 0 B/s");
  assert(etaSeconds(line) === undefined, line);
});

Deno.test("progress: a last step that starts over (a download restarted) keeps its ETA", () => {
  const { clock, bar, step } = syncBar(1);
  // 800 MB at 100 MB/s, then the object is found replaced: the download starts over.
  for (let s = 1; s <= 8; s++) {
    clock.t = s * 1000;
    step("downloading", s * 100_000_000);
  }
  for (let i = 1; i <= 4; i++) {
    clock.t = 8000 + i * 500;
    step("downloading", i * 50_000_000);
  }
  // 200 MB of 1 GB again, at 100 MB/s: 8 s left, not the 800 MB of before.
  const line = bar.line();
  assertStringIncludes(line, "/big.bin: downloading 20%");
  assertStringIncludes(line, "100.0 MB/s");
  assert(etaSeconds(line) === 8, line);
});
