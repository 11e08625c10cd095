/**
 * An upload of a local file (`vc add`, `vc update`, `vc repo add`) hashes the
 * whole file before its first byte goes up (seconds a GB): on a terminal the
 * bar says `hashing` from the start, and then counts the upload's bytes,
 * instead of staying blank until the upload starts.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** Runs `vc args` in-process with stderr a terminal; returns the code and stderr. */
async function runOnTerminal(
  ws: CliWorkspace,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const io = memoryIo({ env: { ...ws.env, TERM: "xterm" }, cwd: ws.dir, stderrIsTerminal: true });
  const code = await runCli(args, io);
  return { code, stderr: io.stderr() };
}

/** `hashing` drawn first, then the upload's bytes, and the bar erased at the end. */
function assertHashingThenUpload(stderr: string): void {
  const hashing = stderr.indexOf("hashing");
  const uploading = stderr.indexOf("uploading");
  assert(hashing >= 0, `hashing is shown: ${JSON.stringify(stderr)}`);
  assert(uploading > hashing, `then the upload: ${JSON.stringify(stderr)}`);
  assert(stderr.includes("100%"), `the upload reaches 100%: ${JSON.stringify(stderr)}`);
  assert(stderr.endsWith("\r\x1b[K"), `the bar is erased at the end: ${JSON.stringify(stderr)}`);
}

Deno.test("vc add and vc update: the bar says hashing before the upload's bytes", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data.bin", "x".repeat(100_000));
  const add = await runOnTerminal(ws, ["add", "/data.bin", "data.bin", "--bucket", ws.bucket]);
  assertEquals(add.code, 0, add.stderr);
  assertHashingThenUpload(add.stderr);
  await ws.write("data.bin", "y".repeat(100_000));
  const update = await runOnTerminal(ws, [
    "update",
    "/data.bin",
    "data.bin",
    "--minor",
    "--bucket",
    ws.bucket,
  ]);
  assertEquals(update.code, 0, update.stderr);
  assertHashingThenUpload(update.stderr);
});

Deno.test("vc repo add: the bar says hashing before the upload's bytes", async () => {
  await using ws = await CliWorkspace.create();
  const repo = pathToFileURL(join(ws.dir, "repo")).href;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  await ws.write("data.bin", "x".repeat(100_000));
  const add = await runOnTerminal(ws, ["repo", "add", "/data.bin", "data.bin", "--repo", repo]);
  assertEquals(add.code, 0, add.stderr);
  assertHashingThenUpload(add.stderr);
});
