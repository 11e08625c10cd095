/**
 * One very long name in a listing (a 1,000-character key) is not the width
 * every row of its column is padded to: the other rows stay as short as
 * they were, not a screenful of blanks each on a terminal.
 */
import { assert, assertEquals } from "./assert.ts";
import { table } from "../src/cli/output.ts";
import { displayWidth } from "../src/display_width.ts";

Deno.test("a very long cell does not widen the other rows of its column", () => {
  const long = `/long/${"a".repeat(1000)}.csv`;
  const lines = table([["/case/README.csv", "1.0.0"], [long, "1.0.0"], ["/ok.csv", "2.0.0"]]);
  assertEquals(lines[0], "/case/README.csv  1.0.0");
  assertEquals(lines[2], "/ok.csv           2.0.0");
  // The long row itself: whole, then its next column after the usual gap.
  assertEquals(lines[1], `${long}  1.0.0`);
  assert(lines.every((l, i) => i === 1 || displayWidth(l) < 40), JSON.stringify(lines));
});

Deno.test("cells of ordinary lengths still line up", () => {
  const uri = `s3://bucket/${"d/".repeat(30)}x.csv`;
  const lines = table([[uri, "1 KiB"], ["s3://b/k", "2 B"]]);
  assertEquals(lines[1], `${"s3://b/k".padEnd(uri.length)}  2 B`);
});
