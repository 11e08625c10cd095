/**
 * The progress bar redraws with "\r\x1b[K" (erase the line). A terminal
 * with TERM=dumb (Emacs' shell, some CI consoles) cannot erase: each redraw
 * showed up as escape codes. Colour already stayed off there; the bar must
 * too, while a capable terminal keeps it.
 */
import { memoryIo } from "../src/cli/io.ts";
import { Output } from "../src/cli/output.ts";
import { assert, assertEquals } from "./assert.ts";

function drawn(env: Record<string, string>): string {
  const io = memoryIo({ env, stderrIsTerminal: true });
  const bar = new Output(io).progress("download /a.bin");
  bar.onBytes({ bytes: 10, total: 100 });
  bar.done();
  return io.stderr();
}

Deno.test("progress: no bar on a dumb terminal", () => {
  assertEquals(drawn({ TERM: "dumb" }), "");
});

Deno.test("progress: a bar on a capable terminal (NO_COLOR included: it is not colour)", () => {
  assert(drawn({ TERM: "xterm-256color" }).includes("10%"));
  assert(drawn({ TERM: "xterm", NO_COLOR: "1" }).includes("10%"));
  assert(drawn({}).includes("10%"));
});
