/**
 * `vc cat /model.bin` typed on a terminal wrote the file's bytes to it: a
 * screen of garbage for a 2 kB file, minutes of it for a large one, and the
 * escape sequences among them left the terminal in another mode. Content
 * with a NUL byte in its first 8000 bytes (git's test for binary) is not
 * written to a terminal: a usage error (exit 2) says to redirect it or name
 * a file. Text still shows, and binary content still goes to a pipe or a
 * file, as before.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const BINARY = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0,
  0,
  0,
  0x0d,
  0x1b,
]);

async function onTerminal(ws: CliWorkspace, args: string[], stdoutIsTerminal = true) {
  const io = memoryIo({ env: ws.env, cwd: ws.dir, stdoutIsTerminal });
  const code = await runCli([...args, "--bucket", ws.bucket], io);
  return { code, stdout: io.stdoutBytes(), stderr: io.stderr() };
}

Deno.test("vc cat and vc get PATH - write no binary content to a terminal", async () => {
  await using ws = await CliWorkspace.create();
  await Deno.writeFile(ws.path("logo.png"), BINARY);
  await ws.write("notes.txt", "hello\n");
  assertEquals((await ws.vc("add", "/logo.png", "logo.png")).code, 0);
  assertEquals((await ws.vc("add", "/notes.txt", "notes.txt")).code, 0);

  for (const args of [["cat", "/logo.png"], ["get", "/logo.png", "-"]]) {
    const shown = await onTerminal(ws, args);
    assertEquals(shown.code, 2, shown.stderr);
    assertEquals(shown.stdout.length, 0, "nothing written to the terminal");
    assertStringIncludes(shown.stderr, "/logo.png is binary");
    assertStringIncludes(shown.stderr, "vc get /logo.png FILE");
  }
  // To a pipe or a file: the bytes, as they are.
  const piped = await onTerminal(ws, ["cat", "/logo.png"], false);
  assertEquals(piped.code, 0, piped.stderr);
  assertEquals(piped.stdout, BINARY);
  // Text on the terminal: shown.
  const text = await onTerminal(ws, ["cat", "/notes.txt"]);
  assertEquals(text.code, 0, text.stderr);
  assertEquals(new TextDecoder().decode(text.stdout), "hello\n");
});

Deno.test("vc cache-client get writes no binary file to a terminal, and does to a pipe", async () => {
  await using service = await startService();
  const token = service.tokens.alice;
  const { doc } = await newCacheId(service.url, token, { tool: "png" });
  const id = doc.cache_id as string;
  assertEquals((await upload(service.url, token, id, BINARY, "logo.png")).status, 200);
  const env = { HOME: service.dir, VC_CACHE_URL: service.url, VC_CACHE_TOKEN: token };
  const screen = memoryIo({ cwd: service.dir, env, stdoutIsTerminal: true });
  assertEquals(await runCli(["cache-client", "get", id], screen), 2, screen.stderr());
  assertEquals(screen.stdoutBytes().length, 0);
  assertStringIncludes(screen.stderr(), `vc cache-client get ${id} FILE`);
  const piped = memoryIo({ cwd: service.dir, env });
  assertEquals(await runCli(["cache-client", "get", id], piped), 0, piped.stderr());
  assertEquals(piped.stdoutBytes(), BINARY);
});
