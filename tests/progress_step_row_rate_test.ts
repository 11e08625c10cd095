/**
 * A step that counts rows (a repository restore's "writing the catalog", a
 * backup's "reading the catalog") says how fast they go, as a download says
 * its bytes per second: before, its line held the count and an ETA only, so
 * a restore of 100,000 records crawling under load looked like one going at
 * full speed.
 */
import { ProgressBar } from "../src/progress.ts";
import { assert, assertStringIncludes } from "./assert.ts";

function stepBar(enabled: boolean) {
  const clock = { t: 0 };
  let text = "";
  const bar = new ProgressBar({
    label: "restore",
    enabled,
    write: (s) => (text += s),
    now: () => clock.t,
    columns: 120,
    ...(enabled ? {} : { logIntervalMs: 30_000 }),
  });
  return { bar, clock, text: () => text };
}

Deno.test("progress: a step's rows come with their rate, timed from the step's start", () => {
  const { bar, clock } = stepBar(true);
  bar.onStep({ current: "checking the snapshot", bytes: 10, totalBytes: 10 });
  clock.t = 60_000; // a long check first: not counted in the rows' rate
  bar.onStep({ current: "writing the catalog", done: 0, total: 151_000 });
  clock.t = 62_000;
  bar.onStep({ current: "writing the catalog", done: 50_000, total: 151_000 });
  const line = bar.line();
  assertStringIncludes(line, "50000/151000");
  assertStringIncludes(line, "25000/s");
  assertStringIncludes(line, "writing the catalog");
});

Deno.test("progress: no rows rate before a quarter second of the step, nor bytes read as rows", () => {
  const { bar, clock } = stepBar(true);
  bar.onStep({ current: "writing the catalog", done: 0, total: 1000 });
  clock.t = 100;
  bar.onStep({ current: "writing the catalog", done: 10, total: 1000 });
  assert(!bar.line().includes("/s"), bar.line());
  bar.onStep({ current: "uploading", bytes: 0, totalBytes: 2_000_000 });
  clock.t = 2_100;
  bar.onStep({ current: "uploading", bytes: 1_000_000, totalBytes: 2_000_000 });
  assertStringIncludes(bar.line(), "500.0 kB/s");
  assert(!bar.line().includes("1000000/s"), bar.line());
});

Deno.test("progress: off a terminal, a step's rows and rate go to the 30 s log line only", () => {
  const { bar, clock, text } = stepBar(false);
  bar.onStep({ current: "writing the catalog", done: 0, total: 300_000 });
  clock.t = 10_000;
  bar.onStep({ current: "writing the catalog", done: 100_000, total: 300_000 });
  assert(text() === "", `printed before 30 s: ${JSON.stringify(text())}`);
  clock.t = 30_000;
  bar.onStep({ current: "writing the catalog", done: 200_000, total: 300_000 });
  bar.done();
  const lines = text().split("\n").filter((l) => l !== "");
  assert(lines.length === 1, JSON.stringify(text()));
  assertStringIncludes(lines[0]!, "200000/300000");
  assertStringIncludes(lines[0]!, "6667/s");
  assert(!text().includes("\x1b") && !text().includes("\r"), JSON.stringify(text()));
});
