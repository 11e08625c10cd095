/**
 * The bar read the terminal's width once, when it was made: a terminal made
 * narrower during a long operation (a window resized, a tmux pane split
 * beside `vc mirror --watch`) got lines wider than itself, each wrapping,
 * and every `\r` redraw left the wrapped part behind as a garbage line. It
 * now reads the width at each redraw.
 */
import { ProgressBar } from "../src/progress.ts";
import { displayWidth } from "../src/display_width.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("progress: a terminal made narrower mid-run gets lines cut to its new width", () => {
  const realSize = Deno.consoleSize;
  let columns = 100;
  Deno.consoleSize = () => ({ columns, rows: 24 });
  try {
    let screen = "";
    let t = 0;
    const bar = new ProgressBar({
      label: "mirror",
      enabled: true,
      write: (s) => (screen += s),
      now: () => t,
    });
    const item = "data/some/rather/long/directory/name/file_0042.bin";
    bar.update({ done: 1, total: 300, bytes: 200_000, totalBytes: 60_000_000, current: item });
    const wide = screen.split("\r\x1b[K").at(-1)!;
    assert(displayWidth(wide) > 40 && displayWidth(wide) < 100, wide);
    columns = 30;
    t = 1_000;
    screen = "";
    bar.update({ done: 2, bytes: 400_000, current: item });
    const narrow = screen.split("\r\x1b[K").at(-1)!;
    assert(narrow !== "" && displayWidth(narrow) <= 29, narrow);
    // Made wider again, the line uses the room again.
    columns = 100;
    t = 2_000;
    screen = "";
    bar.update({ done: 3, bytes: 600_000, current: item });
    assertEquals(screen.split("\r\x1b[K").at(-1)!.includes("file_0042.bin"), true, screen);
    bar.done();
  } finally {
    Deno.consoleSize = realSize;
  }
});

Deno.test("progress: a width given to the bar stays that width", () => {
  const realSize = Deno.consoleSize;
  Deno.consoleSize = () => ({ columns: 20, rows: 24 });
  try {
    const bar = new ProgressBar({ enabled: true, write: () => {}, columns: 100 });
    bar.update({ done: 1, total: 2, current: "a/long/enough/name/of/a/file.bin" });
    assert(displayWidth(bar.line()) > 40, bar.line());
  } finally {
    Deno.consoleSize = realSize;
  }
});
