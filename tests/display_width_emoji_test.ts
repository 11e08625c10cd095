/**
 * The emoji that stand alone outside the emoji blocks (⭐ ✨ ⚡ ❗ ⏳ ♈ ➕,
 * East Asian Wide since Unicode 9, two columns in glibc's wcwidth and on
 * terminals) were counted one column: a file named `⭐✨ release ✨⭐.csv`
 * made the progress line wider than the terminal, which wrapped it, and each
 * redraw left a line of garbage; the rows of a table after such a name were
 * shifted.
 */
import { displayWidth } from "../src/display_width.ts";
import { table } from "../src/cli/output.ts";
import { ProgressBar } from "../src/progress.ts";
import { assert, assertEquals } from "./assert.ts";

const EMOJI = "⏰⏳♈♓♿⚓⚡⛎⛔⛪⛲⛵⛺⛽✨❎❗➕➗➰➿⭐⭕🃏🟰";

// What a terminal draws: these emoji two columns, the ellipsis and ASCII one.
function columnsDrawn(text: string): number {
  return [...text].reduce((n, c) => n + (EMOJI.includes(c) ? 2 : 1), 0);
}

Deno.test("displayWidth: standalone emoji take two columns", () => {
  for (const c of EMOJI) assertEquals(displayWidth(c), 2, `U+${c.codePointAt(0)!.toString(16)}`);
  assertEquals(displayWidth("⭐✨ release ✨⭐.csv"), 21);
});

Deno.test("progress: a name of standalone emoji never makes the line wider than the terminal", () => {
  const name = `data/${EMOJI}/⭐✨ release notes ✨⭐ ${"⚡".repeat(30)}.csv`;
  for (let columns = 20; columns <= 120; columns++) {
    const bar = new ProgressBar({ label: "sync", enabled: true, write: () => {}, columns });
    bar.update({ done: 3, total: 10, bytes: 1_000_000, totalBytes: 9_000_000, current: name });
    const line = bar.line();
    assert(columnsDrawn(line) <= columns - 1, `${columnsDrawn(line)} of ${columns}: ${line}`);
    bar.done();
  }
});

Deno.test("table: a row with standalone emoji keeps the next column aligned", () => {
  const lines = table([["PATH", "VERSION"], ["/⭐✨.csv", "1.0.0"], ["/abcdef.csv", "2.0.0"]]);
  const at = lines.map((l) => columnsDrawn(l.slice(0, l.search(/VERSION|\d\.0\.0/))));
  assertEquals(new Set(at).size, 1, lines.join("\n"));
});
