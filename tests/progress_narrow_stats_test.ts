/**
 * On a narrow terminal (a 40-column tmux pane beside `vc sync`), the line's
 * figures were cut at the width like text: `60.0 MB  5…` (a rate of 5x MB/s,
 * or of 5 B/s?), `ETA 0:0…`. Figures that do not fit are now left out
 * whole, the bar's drawing first (its percentage says the same), then the
 * ETA, then the rate; a figure is never cut in the middle.
 */
import { ProgressBar } from "../src/progress.ts";
import { displayWidth } from "../src/display_width.ts";
import { assert, assertStringIncludes } from "./assert.ts";

function lineAt(columns: number, current?: string): string {
  let t = 0;
  const bar = new ProgressBar({ label: "sync", enabled: false, now: () => t, columns });
  bar.update({ done: 0, total: 101, bytes: 0 });
  t = 2_000;
  bar.update({ done: 29, bytes: 60_000_000, ...(current ? { current } : {}) });
  return bar.line();
}

Deno.test("progress: figures that do not fit a narrow line are left out whole, never cut", () => {
  for (const columns of [30, 36, 40, 46, 52, 60]) {
    for (const current of [undefined, "/f29.txt"]) {
      const line = lineAt(columns, current);
      assert(displayWidth(line) <= columns - 1, `${columns}: ${line}`);
      // A figure cut short: a digit or a letter of its unit right before the ellipsis.
      assert(!/[\w%:]…/.test(line), `${columns} columns, a figure cut: ${line}`);
      assertStringIncludes(line, "29/101", `${columns}: ${line}`);
    }
  }
  // Wide enough: every figure, the bar's drawing included.
  const wide = lineAt(100);
  for (const part of ["[", "28%", "29/101", "60.0 MB", "MB/s", "ETA"]) {
    assertStringIncludes(wide, part, wide);
  }
});
