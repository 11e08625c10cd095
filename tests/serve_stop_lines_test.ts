/**
 * `vc serve` stopped by Ctrl-C (or SIGTERM) said nothing: the terminal kept
 * the `^C` it echoed and the shell's prompt came after it on the same line,
 * and while requests in flight finished (an upload to a slow store, up to
 * the 5 s grace of a Ctrl-C) nothing said why it had not exited yet. Now,
 * as `vc mirror --watch` does, it says that it is stopping and what it
 * waits for, on a terminal from the line's start (over the `^C`), and its
 * last line, once drained, says it stopped (exit 0). Off a terminal stderr
 * stays the request log (a JSON line a request) that a log reader parses.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

async function serveThenStop(
  terminal: boolean,
  quiet = false,
): Promise<{ code: number; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_stop_lines_" });
  try {
    await Deno.mkdir(join(dir, "store"));
    await Deno.writeTextFile(join(dir, "tokens.json"), "{}");
    const stop = new AbortController();
    const io = memoryIo({
      cwd: dir,
      env: { HOME: dir, TERM: "xterm", NO_COLOR: "1" },
      stderrIsTerminal: terminal,
      signal: stop.signal,
    });
    const args = [
      "serve",
      "--store",
      pathToFileURL(join(dir, "store")).href,
      "--token-file",
      "tokens.json",
      "--port",
      "0",
      ...(quiet ? ["--quiet"] : []),
    ];
    const run = runCli(args, io);
    let settled = false;
    run.finally(() => (settled = true));
    // Bounded: listening within seconds.
    for (let i = 0; i < 300 && !settled && !io.stdout().includes("listening on"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertStringIncludes(io.stdout(), "listening on");
    stop.abort(new DOMException("interrupted", "AbortError"));
    const code = await run;
    return { code, stderr: io.stderr() };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("vc serve stopped on a terminal: a stopping line from the line's start, then 'serve stopped'", async () => {
  const { code, stderr } = await serveThenStop(true);
  assertEquals(code, 0, stderr);
  assertEquals(
    stderr,
    "\r\x1b[Kstopping: letting the requests in flight finish, new ones get 503 " +
      "(Ctrl-C again aborts the uploads)\nserve stopped\n",
  );
});

Deno.test("vc serve stopped off a terminal: stderr stays the request log, nothing added", async () => {
  const { code, stderr } = await serveThenStop(false);
  assertEquals([code, stderr], [0, ""]);
});

Deno.test("vc serve --quiet stopped: nothing said", async () => {
  const { code, stderr } = await serveThenStop(true, true);
  assertEquals([code, stderr], [0, ""]);
});
