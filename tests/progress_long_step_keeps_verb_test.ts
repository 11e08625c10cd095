/**
 * A step's name too long for its room beside the figures was cut from its
 * left, as a path is: `vc repo restore` on a 60-column terminal (a split
 * pane; on 80 columns the bar's drawing now gives way first) drew
 * ` 38%  774/2000  ETA 0:00  …ng the content of purged records` through its
 * check of the content of purged records, the step's verb (`checking`) and
 * the command's label both gone. A step is a phrase that says first what
 * it does: it keeps that first word with the end of the rest (`checking …of
 * purged records`), as `reading …/catalog-….jsonl.gz` keeps the snapshot's name.
 */
import { assert, assertStringIncludes } from "./assert.ts";
import { ProgressBar } from "../src/progress.ts";

Deno.test("progress: a long step's name keeps its verb when cut to the terminal", () => {
  let t = 0;
  const bar = new ProgressBar({ enabled: false, label: "restore", columns: 60, now: () => t });
  const step = "checking the content of purged records";
  bar.onStep({ current: step, done: 0, total: 2000 });
  t = 200;
  bar.onStep({ current: step, done: 774, total: 2000 });
  const line = bar.line();
  assert(line.length <= 59, line);
  assertStringIncludes(line, "774/2000");
  assertStringIncludes(line, "checking …");
  assert(line.endsWith("…of purged records") || line.endsWith("…purged records"), line);
});

Deno.test("progress: a long step naming a URI keeps its verb and the URI's end", () => {
  const bar = new ProgressBar({ enabled: false, label: "restore", columns: 60, now: () => 0 });
  bar.onStep({
    current: "reading file:///srv/repo/backups/catalog-2026-12-06T16-52-37-276Z.jsonl.gz",
  });
  const line = bar.line();
  assert(line.length <= 59, line);
  assert(line.includes("reading …") && line.endsWith("-276Z.jsonl.gz"), line);
});
