import { formatBytes, formatDuration, ProgressBar } from "../src/progress.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { errorMessage } from "../src/cli/errors.ts";
import { NotFoundError } from "../src/errors.ts";
import { Output } from "../src/cli/output.ts";
import { memoryIo } from "../src/cli/io.ts";

/** A bar drawing into a string with a hand-driven clock. */
function fakeBar(options: { enabled?: boolean; columns?: number; intervalMs?: number } = {}) {
  const screen = { text: "", writes: 0, t: 0 };
  const bar = new ProgressBar({
    label: "get",
    enabled: options.enabled ?? true,
    write: (s) => {
      screen.text += s;
      screen.writes++;
    },
    now: () => screen.t,
    columns: options.columns ?? 120,
    intervalMs: options.intervalMs ?? 100,
  });
  return { bar, screen };
}

Deno.test("progress: draws bytes, percentage, rate and ETA", () => {
  const { bar, screen } = fakeBar();
  bar.onBytes({ bytes: 0, total: 10_000_000 });
  screen.t = 1_000;
  bar.onBytes({ bytes: 2_000_000, total: 10_000_000 });
  const line = bar.line();
  assertStringIncludes(line, "get");
  assertStringIncludes(line, "20%");
  assertStringIncludes(line, "2.0 MB/10.0 MB");
  assertStringIncludes(line, "2.0 MB/s");
  // 8 MB left at 2 MB/s.
  assertStringIncludes(line, "ETA 0:04");
  assertStringIncludes(screen.text, "\r\x1b[K");
});

Deno.test("progress: redraws are throttled, completion always drawn", () => {
  const { bar, screen } = fakeBar({ intervalMs: 100 });
  for (let i = 0; i < 50; i++) {
    screen.t = i; // 50 updates within 50 ms
    bar.onItems({ done: i, total: 100 });
  }
  assertEquals(screen.writes, 1, "only the first update within the interval draws");
  screen.t = 60;
  bar.onItems({ done: 100, total: 100 });
  assertEquals(screen.writes, 2, "the final state is drawn even inside the interval");
  assertStringIncludes(bar.line(), "100/100");
  assert(!bar.line().includes("ETA"), "no ETA once complete");
});

Deno.test("progress: done() erases the line once and ignores later updates", () => {
  const { bar, screen } = fakeBar();
  bar.update({ done: 1, total: 3, current: "/foo/bar.csv" });
  bar.done();
  const after = screen.text;
  assert(after.endsWith("\r\x1b[K"));
  bar.update({ done: 2, total: 3 });
  bar.done();
  assertEquals(screen.text, after);
});

Deno.test("progress: disabled bar writes nothing but still tracks state", () => {
  const { bar, screen } = fakeBar({ enabled: false });
  bar.onItems({ done: 3, total: 4, bytes: 1500 });
  bar.done();
  assertEquals(screen.text, "");
  assertStringIncludes(bar.line(), "3/4");
  assertStringIncludes(bar.line(), "1.5 kB");
});

Deno.test("progress: the default follows whether stderr is a terminal", () => {
  const bar = new ProgressBar();
  assertEquals(bar.enabled, Deno.stderr.isTerminal());
});

Deno.test("progress: default is silent when stderr is not a terminal (a child with piped stderr)", async () => {
  const progress = new URL("../src/progress.ts", import.meta.url).href;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { ProgressBar } from ${JSON.stringify(progress)};
       const bar = new ProgressBar({ intervalMs: 0 });
       bar.update({ done: 1, total: 2 });
       bar.done();
       console.log(bar.enabled);`,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  assertEquals(new TextDecoder().decode(stdout).trim(), "false");
  assertEquals(new TextDecoder().decode(stderr), "");
});

Deno.test("progress: line never exceeds the terminal width", () => {
  const { bar } = fakeBar({ columns: 40 });
  bar.update({
    done: 5,
    total: 10,
    bytes: 5e9,
    totalBytes: 1e10,
    current: "/a/very/long/path/that/does/not/fit.csv",
  });
  assert(bar.line().length <= 39, `line too long: ${bar.line().length}`);
  // The figures whole (the bar's drawing left out for them), not cut at the
  // width (progress_narrow_stats_test.ts).
  assertStringIncludes(bar.line(), "5.0 GB/10.0 GB");
  // Down to a terminal a few columns wide (a narrow split pane): a wider
  // line would wrap and leave a copy behind at every redraw.
  for (const columns of [12, 10, 8, 3, 2, 1]) {
    const { bar: narrow } = fakeBar({ columns });
    narrow.update({ done: 5, total: 10, current: "/a/b.csv" });
    const line = narrow.line();
    assert(line.length <= Math.max(0, columns - 1), `${columns} columns: ${JSON.stringify(line)}`);
  }
});

Deno.test("progress: print() keeps messages above the bar", () => {
  const { bar, screen } = fakeBar();
  bar.update({ done: 1, total: 2 });
  bar.print("warning: x\n");
  assertStringIncludes(screen.text, "\r\x1b[Kwarning: x\nget  [");
  assertStringIncludes(screen.text.split("warning: x\n")[1] ?? "", "1/2");
});

Deno.test("progress: item ETA without byte totals", () => {
  const { bar, screen } = fakeBar();
  bar.onItems({ done: 0, total: 4 });
  screen.t = 10_000;
  bar.onItems({ done: 1, total: 4 });
  // 1 item per 10 s, 3 left.
  assertStringIncludes(bar.line(), "ETA 0:30");
});

Deno.test("progress: Symbol.dispose erases the line", () => {
  const screen = { text: "" };
  {
    using bar = new ProgressBar({ enabled: true, write: (s) => (screen.text += s) });
    bar.update({ done: 1, total: 2 });
  }
  assert(screen.text.endsWith("\r\x1b[K"));
});

Deno.test("progress: formatBytes and formatDuration", () => {
  assertEquals(formatBytes(0), "0 B");
  assertEquals(formatBytes(999), "999 B");
  assertEquals(formatBytes(1000), "1.0 kB");
  assertEquals(formatBytes(2.5e9), "2.5 GB");
  assertEquals(formatDuration(0), "0:00");
  assertEquals(formatDuration(59.6), "1:00");
  assertEquals(formatDuration(3600), "1:00:00");
  assertEquals(formatDuration(Infinity), "0:00");
});

Deno.test("progress line and error messages show control characters in names as escapes", () => {
  const bar = new ProgressBar({ enabled: false, columns: 200 });
  bar.update({ done: 1, total: 2, current: "s3://b/evil\x1b]0;owned\x07\u202etxt" });
  const line = bar.line();
  // deno-lint-ignore no-control-regex
  assert(!/[\x00-\x1f\x7f\u202e]/.test(line), JSON.stringify(line));
  assertStringIncludes(line, "evil\\x1b]0;owned\\x07\\u202etxt");
  const message = errorMessage(new NotFoundError("s3://b/\x1b[2Jx does not exist"));
  assertEquals(message, "s3://b/\\x1b[2Jx does not exist");
});

Deno.test("progress: no terminal, a plain line every log interval of a long operation, none at the end", () => {
  let out = "";
  let t = 0;
  const bar = new ProgressBar({
    label: "prefill",
    enabled: false,
    write: (s) => (out += s),
    now: () => t,
    columns: 100,
    logIntervalMs: 30_000,
  });
  for (let done = 1; done <= 100; done++) {
    t = done * 1_000; // one item a second: 100 s
    bar.update({ done, total: 100 });
  }
  bar.done();
  const lines = out.split("\n").filter((l) => l !== "");
  // At 30, 60 and 90 s; not at 100/100 (the command's summary says it).
  assertEquals(lines.length, 3, out);
  assertEquals(lines.every((l) => l.startsWith("prefill") && !l.includes("\x1b")), true, out);
  assertEquals(lines[0]!.includes("30/100"), true, lines[0]);
  // Without the interval (a library caller's default), nothing at all.
  let quiet = "";
  const silent = new ProgressBar({ enabled: false, write: (s) => (quiet += s), now: () => t });
  t += 100_000;
  silent.update({ done: 1, total: 2 });
  assertEquals(quiet, "");
});

Deno.test("progress: --json in a CI log gets the plain line every 30 s too, --quiet none", () => {
  // `vc prefill --json > report.json` in CI: stdout holds the document, and a
  // long run that printed nothing on stderr would be stopped as stalled.
  const realNow = performance.now;
  let t = 0;
  performance.now = () => t;
  try {
    for (const mode of ["json", "quiet"] as const) {
      t = 0;
      const io = memoryIo();
      const out = new Output(io, { mode });
      {
        using bar = out.progress("prefill");
        for (let done = 1; done <= 100; done++) {
          t = done * 1_000; // one item a second: 100 s
          bar.onItems({ done, total: 100 });
        }
      }
      const lines = io.stderr().split("\n").filter((l) => l !== "");
      assertEquals(lines.length, mode === "json" ? 3 : 0, `${mode}: ${io.stderr()}`);
      assertEquals(io.stdout(), "");
    }
  } finally {
    performance.now = realNow;
  }
});

Deno.test("progress: a step's ETA and rate are timed from the step's start, not the bar's", () => {
  const { bar, screen } = fakeBar();
  // A first step (restore's download of the snapshot) takes 60 s.
  bar.onStep({ current: "downloading", bytes: 0, totalBytes: 1_000_000 });
  screen.t = 60_000;
  bar.onStep({ current: "downloading", bytes: 1_000_000, totalBytes: 1_000_000 });
  // The next step writes half its rows in 10 s: 10 s to go, not 70.
  bar.onStep({ current: "writing rows", done: 0, total: 1000 });
  screen.t = 70_000;
  bar.onStep({ current: "writing rows", done: 500, total: 1000 });
  assertStringIncludes(bar.line(), "ETA 0:10");
  // Bytes too: 1 MB in the 2 s of a step is 500 kB/s, not 1 MB over 72 s.
  bar.onStep({ current: "uploading", bytes: 0, totalBytes: 2_000_000 });
  screen.t = 72_000;
  bar.onStep({ current: "uploading", bytes: 1_000_000, totalBytes: 2_000_000 });
  assertStringIncludes(bar.line(), "500.0 kB/s");
});

Deno.test("progress: a shortened item keeps its name's end and its step (`…/big.bin: downloading 45%`, or `…/big.bin 45%`)", () => {
  const current = "/datasets/2026/very/deep/folder/of/assets/big.bin: downloading 45%";
  for (const columns of [80, 100]) {
    const { bar } = fakeBar({ columns });
    bar.onItems({ done: 3, total: 10, bytes: 5e9, current });
    const line = bar.line();
    assert(line.length <= columns - 1, `line too long at ${columns}: ${line}`);
    // The step whole where the name keeps 12 columns, else its figure.
    assert(
      line.endsWith("big.bin: downloading 45%") || line.endsWith("big.bin 45%"),
      `at ${columns} columns: ${line}`,
    );
    assert(line.includes("…"), line);
  }
  // Too narrow for the step and some of the name: shortened as one text, as before.
  const { bar } = fakeBar({ columns: 30 });
  bar.onItems({ done: 3, total: 10, current });
  assert(bar.line().length <= 29, bar.line());
  // A name without a step is shortened from its left as ever.
  const plain = fakeBar({ columns: 60 }).bar;
  plain.onItems({ done: 1, total: 2, current: "/a/long/path/that/does/not/fit/at/all.csv" });
  assert(plain.line().endsWith("all.csv"), plain.line());
});
