/**
 * `vc sync DIR --json > report.json` on a terminal: stdout holds the
 * document, stderr is the terminal the user watches. The bar was never
 * drawn in JSON mode, so a long run showed nothing at all for its whole
 * length on the terminal, while the same run in a CI log printed a plain
 * progress line every 30 s. With stdout redirected (a file, `| jq`) the bar
 * is drawn on stderr as in human mode; nothing of it reaches stdout. With
 * stdout the terminal too (one stream: `docker exec -t`, a pty a program
 * reads), it stays off, so the JSON read there is not mixed with redraws.
 */
import { memoryIo } from "../src/cli/io.ts";
import { Output } from "../src/cli/output.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("output: --json draws the bar on a terminal stderr when stdout is not the terminal", () => {
  const drawn = (stdoutIsTerminal: boolean) => {
    const io = memoryIo({ stderrIsTerminal: true, stdoutIsTerminal, env: { TERM: "xterm" } });
    const bar = new Output(io, { mode: "json" }).progress("sync");
    bar.onItems({ done: 1, total: 4 });
    bar.done();
    return { stderr: io.stderr(), stdout: io.stdout() };
  };
  const redirected = drawn(false);
  assertStringIncludes(redirected.stderr, "sync");
  assertStringIncludes(redirected.stderr, "1/4");
  assert(redirected.stderr.endsWith("\r\x1b[K"), JSON.stringify(redirected.stderr));
  assertEquals(redirected.stdout, "");
  assertEquals(drawn(true), { stderr: "", stdout: "" });
});

Deno.test("vc sync --json > file on a terminal: a bar on stderr, the document alone on stdout", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.bin", "a".repeat(1000));
  await ws.write("bucket/b.1.0.0.bin", "b".repeat(2000));
  await ws.write("versioned_assets.json", JSON.stringify({ "/a.bin": "1.0.0", "/b.bin": "1.0.0" }));
  const run = async (stdoutIsTerminal: boolean, out: string) => {
    const io = memoryIo({
      env: { ...ws.env, VC_BUCKET: ws.bucket, TERM: "xterm" },
      cwd: ws.dir,
      stderrIsTerminal: true,
      stdoutIsTerminal,
    });
    const code = await runCli(["sync", out, "--json"], io);
    return { code, stderr: io.stderr(), stdout: io.stdout() };
  };
  const redirected = await run(false, "out1");
  assertEquals(redirected.code, 0, redirected.stderr);
  assertStringIncludes(redirected.stderr, "sync");
  assertStringIncludes(redirected.stderr, "2/2");
  assert(redirected.stderr.endsWith("\r\x1b[K"), JSON.stringify(redirected.stderr));
  assert(
    !redirected.stdout.includes("\r") && !redirected.stdout.includes("\x1b"),
    redirected.stdout,
  );
  JSON.parse(redirected.stdout);

  const shared = await run(true, "out2");
  assertEquals(shared.code, 0, shared.stderr);
  assertEquals(shared.stderr, "");
  JSON.parse(shared.stdout);
});
