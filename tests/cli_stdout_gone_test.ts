/**
 * A reader of stdout that goes away (`vc verify | head -1`, a log reader
 * that died) is no verdict on the command: it finishes and exits with its
 * own code, quietly, and a `--watch` with `--json` goes on watching instead
 * of dying of an unhandled rejection.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type CliIo, memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";

/** An in-memory io whose stdout reader is gone: every write fails with EPIPE. */
function goneStdout(options: Parameters<typeof memoryIo>[0]): CliIo & { stderr(): string } {
  const io = memoryIo(options);
  const gone = () => Promise.reject(new Deno.errors.BrokenPipe("Broken pipe (os error 32)"));
  return { ...io, writeStdout: gone, writeStderr: io.writeStderr, stderr: io.stderr };
}

Deno.test("stdout gone: a failing command still exits 1, quietly", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_stdout_gone_" }));
  try {
    const env = { HOME: join(dir, "home"), VC_REPO: pathToFileURL(join(dir, "repo")).href };
    assertEquals(await runCli(["repo", "init"], memoryIo({ cwd: dir, env })), 0);
    for (const mode of ["--json", "--quiet"]) {
      const io = goneStdout({ cwd: dir, env });
      const code = await runCli(["repo", "current", "/raw/none.csv", mode], io);
      assertEquals(code, 1, `${mode}: ${io.stderr()}`);
      assert(!io.stderr().includes("Broken pipe"), io.stderr());
    }
    // A success stays 0, and says nothing about the pipe.
    const ok = goneStdout({ cwd: dir, env });
    assertEquals(await runCli(["repo", "ls", "--json"], ok), 0);
    assertEquals(ok.stderr(), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stdout gone: mirror --watch --json keeps watching, no unhandled rejection", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_stdout_gone_" }));
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "a"), "a");
    const stop = new AbortController();
    const io = goneStdout({ cwd: dir, env: { HOME: join(dir, "home") }, signal: stop.signal });
    const target = pathToFileURL(join(dir, "dst")).href;
    const running = runCli(
      ["mirror", "src", target, "--watch", "--json", "--debounce", "0.1s"],
      io,
    );
    // Bounded: 100 looks, 50 ms apart, until the first pass has written.
    for (let i = 0; i < 100; i++) {
      if (await Deno.stat(join(dir, "dst", "a")).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200)); // the pass's JSON line is written after it
    stop.abort();
    await running;
    assert(!io.stderr().includes("Broken pipe"), io.stderr());
    assertEquals(await Deno.readTextFile(join(dir, "dst", "a")), "a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
