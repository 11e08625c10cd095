/**
 * `vc cache-client get ID` to stdout drew nothing while a large file came
 * down (a GB into a pipe or `> file` took minutes with a blank stderr), where
 * `vc cache-client get ID DEST` draws its bytes. Now the download to stdout
 * is drawn on stderr when stderr is a terminal, as `vc cat` draws its copy
 * (src/cli/write_out.ts): never into stdout's bytes, never when stdout is the
 * terminal (the content shows it moving there), nothing in a CI log for a
 * quick one. Against a real `vc serve` on 127.0.0.1.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const SIZE = 3 * 1024 * 1024;

Deno.test("cache-client get to stdout draws the download on stderr, never into the content", async () => {
  await using service = await startService();
  const token = service.tokens.alice;
  const { doc } = await newCacheId(service.url, token, { big: 1 });
  const id = doc.cache_id as string;
  // Text (printable ASCII): binary content is not written to a terminal at all.
  const bytes = new Uint8Array(SIZE).map((_, i) => 32 + (i % 95));
  assertEquals((await upload(service.url, token, id, bytes, "big.bin")).status, 200);
  const env = {
    HOME: service.dir,
    VC_CACHE_URL: service.url,
    VC_CACHE_TOKEN: token,
    TERM: "xterm",
  };

  // Piped into a file or a slow reader, with stderr on a terminal: a bar.
  const piped = memoryIo({ cwd: service.dir, env, stderrIsTerminal: true });
  assertEquals(await runCli(["cache-client", "get", id], piped), 0, piped.stderr());
  assertEquals(piped.stdoutBytes(), bytes, "stdout holds the content only");
  const stderr = piped.stderr();
  assertStringIncludes(stderr, `download ${id.slice(0, 12)}`);
  assertStringIncludes(stderr, "100%");
  assert(stderr.endsWith("\r\x1b[K"), `the bar is erased at the end: ${JSON.stringify(stderr)}`);

  // `-` is stdout too.
  const dash = memoryIo({ cwd: service.dir, env, stderrIsTerminal: true });
  assertEquals(await runCli(["cache-client", "get", id, "-"], dash), 0, dash.stderr());
  assertEquals(dash.stdoutBytes(), bytes);
  assertStringIncludes(dash.stderr(), "100%");

  // Stdout on the terminal: no bar cutting into the content.
  const screen = memoryIo({
    cwd: service.dir,
    env,
    stderrIsTerminal: true,
    stdoutIsTerminal: true,
  });
  assertEquals(await runCli(["cache-client", "get", id], screen), 0, screen.stderr());
  assertEquals(screen.stdoutBytes(), bytes);
  assertEquals(screen.stderr(), "");

  // Stderr not a terminal (a CI log), or --quiet: nothing for a quick download.
  const log = memoryIo({ cwd: service.dir, env });
  assertEquals(await runCli(["cache-client", "get", id], log), 0, log.stderr());
  assertEquals(log.stdoutBytes(), bytes);
  assertEquals(log.stderr(), "");
  const quiet = memoryIo({ cwd: service.dir, env, stderrIsTerminal: true });
  assertEquals(await runCli(["cache-client", "get", id, "--quiet"], quiet), 0, quiet.stderr());
  assertEquals(quiet.stdoutBytes(), bytes);
  assertEquals(quiet.stderr(), "");
});
