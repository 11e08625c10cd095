/**
 * A Ctrl-C while `vc get PATH DEST` or `vc sync` copies a cached copy out
 * (seconds a GB) was not heard: the copy ran to its end, `vc get` exited 0
 * and `vc sync` listed the entry as copied. Now the copy stops at once:
 * exit 130, the file at DEST is left as it was, no temp file beside it.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

// Large enough that the check and copy outlast a redraw interval of the bar (100 ms).
const SIZE = 48 * 1024 * 1024;

/** An io whose signal is aborted the first time its progress bar matches `marker`. */
function interruptedAt(ws: CliWorkspace, marker: RegExp) {
  const controller = new AbortController();
  const io = memoryIo({
    env: ws.env,
    cwd: ws.dir,
    stderrIsTerminal: true,
    signal: controller.signal,
  });
  const write = io.writeStderr;
  io.writeStderr = (text: string) => {
    write(text);
    if (marker.test(text)) controller.abort(new DOMException("interrupted", "AbortError"));
  };
  return io;
}

async function bigAsset(ws: CliWorkspace): Promise<void> {
  await ws.write("versioned_assets.json", '{"/big.bin": "1.0.0"}');
  await Deno.writeFile(ws.path("bucket/big.1.0.0.bin"), new Uint8Array(SIZE).fill(9));
  // Cached first: what is left to do is the copy out.
  const cached = await ws.vc("path", "/big.bin");
  assertEquals(cached.code, 0, cached.stderr);
  await Deno.mkdir(ws.path("out"));
  await ws.write("out/big.bin", "before\n");
}

Deno.test("interrupt: vc get PATH DEST stops its copy, DEST as it was", async () => {
  await using ws = await CliWorkspace.create();
  await bigAsset(ws);
  const io = interruptedAt(ws, /copy \/big\.bin/);
  const code = await runCli(["get", "/big.bin", "out/big.bin", "--bucket", ws.bucket], io);
  assertEquals(code, 130, io.stderr().slice(-300));
  assertStringIncludes(io.stderr(), "interrupted");
  assertEquals(await Deno.readTextFile(ws.path("out/big.bin")), "before\n");
  assertEquals([...Deno.readDirSync(ws.path("out"))].map((e) => e.name), ["big.bin"]);
});

Deno.test("interrupt: vc sync stops the copy of an entry, which it does not list as copied", async () => {
  await using ws = await CliWorkspace.create();
  await bigAsset(ws);
  // Stopped while checking or copying: neither used to hear it.
  const io = interruptedAt(ws, /big\.bin: (checking|copying)/);
  // out/big.bin is no copy of vc's (no record): replaced only with --force.
  const code = await runCli(["sync", "out", "--force", "--bucket", ws.bucket], io);
  assertEquals(code, 130, io.stderr().slice(-300));
  assertStringIncludes(io.stderr(), "sync interrupted after 0 of 1 manifest entry: 0 copied");
  assertEquals(await Deno.readTextFile(ws.path("out/big.bin")), "before\n");
  assertEquals(
    [...Deno.readDirSync(ws.path("out"))].map((e) => e.name).filter((n) =>
      !n.startsWith(".vc-sync")
    ),
    ["big.bin"],
  );
});
