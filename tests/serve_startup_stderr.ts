/**
 * What `vc serve` says at start (its warnings), run in this process: for the
 * tests of the warnings it gives about the store it is started on.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertStringIncludes } from "./assert.ts";

/**
 * Runs `vc serve --store file://DIR/store FLAGS` (on a free port, no sweep)
 * in `dir` with HOME in `dir/home` until it listens (bounded: 200 looks,
 * 50 ms apart; failing the test when it does not), stops it, and returns
 * what it wrote to stderr.
 */
export async function serveStartupStderr(dir: string, flags: readonly string[]): Promise<string> {
  const stop = new AbortController();
  const io = memoryIo({ cwd: dir, env: { HOME: join(dir, "home") }, signal: stop.signal });
  const args = ["serve", "--store", `file://${dir}/store`, ...flags];
  const running = runCli([...args, "--port", "0", "--sweep-interval", "0"], io);
  for (let i = 0; i < 200 && !io.stdout().includes("listening"); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    assertStringIncludes(io.stdout(), "listening");
  } finally {
    stop.abort();
    await running;
  }
  return io.stderr();
}
