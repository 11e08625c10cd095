/**
 * A plain progress line in a CI log (stderr not a terminal) has no terminal
 * width: it is not cut to 80 columns, keeps the command's label and names
 * the whole item. On a terminal the line is cut to the width, and a long
 * item is shortened, not the label.
 */
import { memoryIo } from "../src/cli/io.ts";
import { Output } from "../src/cli/output.ts";
import { ProgressBar } from "../src/progress.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const ITEM = "s3://bucket/" + "slow/".repeat(20) + "k/28.bin";

Deno.test("progress log line: not cut to 80 columns, label and whole item kept", () => {
  const realNow = performance.now;
  let t = 0;
  performance.now = () => t;
  try {
    for (const mode of ["human", "json"] as const) {
      t = 0;
      const io = memoryIo({ stderrIsTerminal: false });
      const out = new Output(io, { mode });
      {
        using bar = out.progress("prefill");
        for (let done = 1; done <= 81; done++) {
          t = done * 1_000;
          bar.onItems({ done, total: 81, bytes: done * 1_000_000, current: ITEM });
        }
      }
      const lines = io.stderr().split("\n").filter((l) => l !== "");
      assertEquals(lines.length, 2, io.stderr());
      for (const line of lines) {
        assert(line.startsWith("prefill  ["), `${mode}: label kept: ${line}`);
        assert(line.endsWith(`  ${ITEM}`), `${mode}: whole item: ${line}`);
        assert(!line.includes("\x1b") && !line.includes("\r"), line);
      }
      assertStringIncludes(lines[0]!, "30/81");
    }
  } finally {
    performance.now = realNow;
  }
});

Deno.test("progress on an 80-column terminal: a long item is shortened, not the label", () => {
  let t = 0;
  for (const columns of [80, 100]) {
    t = 0;
    const bar = new ProgressBar({ label: "prefill", enabled: true, now: () => t, columns });
    t = 10_000;
    bar.update({ done: 28, total: 81, bytes: 28_000_000, current: ITEM });
    const line = bar.line();
    assert(line.length <= columns - 1, `${line.length}: ${line}`);
    assert(line.startsWith("prefill  ["), line);
    // The item gets what is left: its end, the file name, where it fits.
    if (columns === 100) assert(line.includes("  …") && line.endsWith("/slow/k/28.bin"), line);
  }
  // A long label (an upload's path) still leaves the numbers whole.
  const upload = new ProgressBar({
    label: `upload ${"x/".repeat(60)}file.bin`,
    enabled: true,
    now: () => t,
    columns: 80,
  });
  upload.update({ bytes: 5_000_000, totalBytes: 10_000_000 });
  assert(upload.line().length <= 79 && upload.line().includes("50%"), upload.line());
  assertStringIncludes(upload.line(), "file.bin");
});
