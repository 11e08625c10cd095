/**
 * Every long operation reports progress: a bar on a terminal, and in a CI log
 * (stderr not a terminal) a plain line every 30 s, also with --json, none
 * with --quiet. `vc mirror` gave its bar no progress off a terminal, so its
 * log line said only `mirror`; `vc mirror --watch` and `vc repo gc` showed
 * no progress at all.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** Runs `vc args` in-process while each reading of the clock is 31 s after the last. */
async function runLong(
  ws: CliWorkspace,
  args: string[],
  terminal = false,
): Promise<{ code: number; stderr: string; stdout: string }> {
  const realNow = performance.now;
  let t = 0;
  performance.now = () => (t += 31_000);
  try {
    const io = memoryIo({
      env: { ...ws.env, TERM: "xterm" },
      cwd: ws.dir,
      stderrIsTerminal: terminal,
    });
    const code = await runCli(args, io);
    return { code, stderr: io.stderr(), stdout: io.stdout() };
  } finally {
    performance.now = realNow;
  }
}

function plainLines(stderr: string, label: string): string[] {
  assert(!stderr.includes("\x1b") && !stderr.includes("\r"), JSON.stringify(stderr));
  return stderr.split("\n").filter((l) => l.startsWith(`${label}  `));
}

Deno.test("mirror off a terminal: the 30 s log line counts the files, with --json too; --quiet none", async () => {
  await using ws = await CliWorkspace.create();
  for (let i = 0; i < 5; i++) await ws.write(`data/f${i}.txt`, String(i).repeat(100));
  for (const [i, mode] of [[], ["--json"], ["--quiet"]].entries()) {
    const r = await runLong(ws, [
      "mirror",
      "data",
      `${ws.bucket}/m${i}`,
      "--concurrency",
      "1",
      ...mode,
    ]);
    assertEquals(r.code, 0, r.stderr);
    const lines = plainLines(r.stderr, "mirror");
    if (mode[0] === "--quiet") {
      assertEquals(r.stderr, "");
      continue;
    }
    assert(lines.length > 0, `${mode}: ${JSON.stringify(r.stderr)}`);
    assert(lines.some((l) => /^mirror {2}\d+ {2}\d+ B/.test(l) && /f\d\.txt$/.test(l)), r.stderr);
  }
});

Deno.test("mirror --watch: a bar during a pass on a terminal, erased before its summary", async () => {
  await using ws = await CliWorkspace.create();
  for (let i = 0; i < 3; i++) await ws.write(`data/f${i}.txt`, String(i));
  const stop = new AbortController();
  const io = memoryIo({
    env: { ...ws.env, TERM: "xterm" },
    cwd: ws.dir,
    stderrIsTerminal: true,
    signal: stop.signal,
  });
  const running = runCli(["mirror", "data", `${ws.bucket}/w`, "--watch"], io);
  // Bounded: 10 s at most for the initial pass.
  for (let i = 0; i < 200 && !io.stderr().includes("initial:"); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  stop.abort();
  assertEquals(await running, 0, io.stderr());
  const stderr = io.stderr();
  assertStringIncludes(stderr, "\r\x1b[Kmirror --watch  ");
  assertStringIncludes(stderr, "\r\x1b[Kinitial: ");
});

Deno.test("repo gc: its counts on a bar on a terminal, the 30 s log line off one (--json too)", async () => {
  await using ws = await CliWorkspace.create();
  const repo = pathToFileURL(join(ws.dir, "repo")).href;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  const json = await runLong(ws, ["repo", "gc", "--repo", repo, "--json"]);
  assertEquals(json.code, 0, json.stderr);
  JSON.parse(json.stdout);
  const lines = plainLines(json.stderr, "gc");
  // (With the time so far: a count with no total has no ETA.)
  assert(
    lines.some((l) => /^gc {2}\d+ {2}elapsed \d+:\d\d {2}listing objects$/.test(l)),
    json.stderr,
  );
  const quiet = await runLong(ws, ["repo", "gc", "--repo", repo, "--quiet"]);
  assertEquals([quiet.code, quiet.stderr], [0, ""]);
  const shown = await runLong(ws, ["repo", "gc", "--repo", repo, "--dry-run"], true);
  assertEquals(shown.code, 0, shown.stderr);
  assertStringIncludes(shown.stderr, "\r\x1b[Kgc (dry run)  ");
  assertStringIncludes(shown.stderr, "  listing objects\r");
  assert(shown.stderr.endsWith("\r\x1b[K"), "the bar is erased at the end");
});
