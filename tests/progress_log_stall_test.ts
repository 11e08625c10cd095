// In a CI log (no terminal) the bar prints a plain line every log interval of
// a long operation, so a job stopped on silence keeps going. The line used to
// be written only by an update: a run whose progress stood still (one item
// waiting on a store that does not answer, retries backing off for minutes)
// printed nothing at all until it moved again.
import { ProgressBar } from "../src/progress.ts";
import { assertEquals } from "./assert.ts";

Deno.test("progress: no terminal, the log line comes every interval also while nothing moves", async () => {
  let out = "";
  const bar = new ProgressBar({
    label: "prefill",
    enabled: false,
    write: (s) => (out += s),
    columns: 100,
    logIntervalMs: 150,
  });
  try {
    bar.update({ done: 0, total: 1 });
    // Nothing moves for four intervals.
    await new Promise((r) => setTimeout(r, 700));
    const lines = out.split("\n").filter((l) => l !== "");
    assertEquals(lines.length >= 3, true, out);
    assertEquals(lines.every((l) => l.startsWith("prefill") && l.includes("0/1")), true, out);
    assertEquals(out.includes("\x1b"), false, out);
  } finally {
    bar.done();
  }
  // Done: no more lines (and no timer left behind: the test's sanitizer).
  const after = out;
  await new Promise((r) => setTimeout(r, 400));
  assertEquals(out, after);
});

Deno.test("progress: a complete operation prints no stalled line, and a bar drawn on a terminal none", async () => {
  let out = "";
  const bar = new ProgressBar({
    enabled: false,
    write: (s) => (out += s),
    logIntervalMs: 100,
  });
  bar.update({ done: 1, total: 1 });
  await new Promise((r) => setTimeout(r, 300));
  bar.done();
  assertEquals(out, "");
  let drawn = "";
  const shown = new ProgressBar({ enabled: true, write: (s) => (drawn += s), logIntervalMs: 100 });
  shown.update({ done: 0, total: 1 });
  await new Promise((r) => setTimeout(r, 300));
  shown.done();
  assertEquals(drawn.includes("\n"), false, drawn);
});

Deno.test("progress: a download stalled for a whole rate window says 0 B/s, not its last rate", () => {
  // A CI log line every 30 s of a download whose connection hung (waiting
  // out its timeout, then retrying) kept saying the rate and ETA measured
  // before the stall: `1.0 MB/s  ETA 0:09` for minutes, as if bytes came.
  let t = 0;
  const bar = new ProgressBar({ label: "get", enabled: false, now: () => t });
  bar.onBytes({ bytes: 0, total: 10_000_000 });
  t = 1000;
  bar.onBytes({ bytes: 1_000_000, total: 10_000_000 });
  assertEquals(bar.line().includes("ETA"), true, bar.line());
  t = 61_000;
  const line = bar.line();
  assertEquals(line.includes(" 0 B/s"), true, line);
  assertEquals(line.includes("ETA"), false, line);
  bar.done();
});
