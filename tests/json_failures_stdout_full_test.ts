/**
 * A command's --json report that cannot be written (stdout on a full disk)
 * lost what it would have reported: `vc prefill --list L --json >/dev/full`
 * printed only "cannot write to standard output", not which items failed.
 * The failures now reach stderr either way, before that error.
 */
import { pathToFileURL } from "node:url";
import { memoryIo, stdoutFailed } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** `vc ARGS` in `ws` with a stdout every write to which fails as a full disk does. */
async function stdoutFull(ws: CliWorkspace, ...args: string[]) {
  const io = memoryIo({ env: { ...ws.env, VC_BUCKET: ws.bucket }, cwd: ws.dir });
  // As the real stdout says it (`denoIo`).
  io.writeStdout = () =>
    Promise.reject(stdoutFailed(new Error("No space left on device (os error 28)")));
  const code = await runCli(args, io);
  return { code, stderr: io.stderr() };
}

Deno.test("prefill --json, stdout full: the failed items are still named on stderr", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.txt", "a");
  await ws.write("l.txt", `${ws.bucket}/a.txt\n${ws.bucket}/gone.txt\n`);
  for (const mode of [["--json"], []]) {
    const r = await stdoutFull(ws, "prefill", "--list", "l.txt", ...mode);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(
      r.stderr,
      `vc: prefill failed: ${ws.path("l.txt")}:2: ${ws.bucket}/gone.txt`,
    );
    assertStringIncludes(r.stderr, "vc: 1 of 2 items failed");
    assertStringIncludes(r.stderr, "cannot write to standard output");
  }
});

Deno.test("sync and verify --json, stdout full: the failed entries are still named on stderr", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.csv", "a");
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0", "/b.csv": "1.0.0"}');
  const sync = await stdoutFull(ws, "sync", "out", "--json");
  assertEquals(sync.code, 1, sync.stderr);
  assertStringIncludes(sync.stderr, "vc: sync failed: /b.csv");
  assertStringIncludes(sync.stderr, "cannot write to standard output");
  const verify = await stdoutFull(ws, "verify", "--json");
  assertEquals(verify.code, 1, verify.stderr);
  assertStringIncludes(verify.stderr, "vc: verify failed: /b.csv@1.0.0");
  assertStringIncludes(verify.stderr, "vc: 1 of 2 manifest entries failed verification");
  assert(!verify.stderr.includes("/a.csv"), verify.stderr);
});

Deno.test("mirror --json, stdout full: the failures are still named on stderr", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.txt", "a");
  await ws.write("src/b.txt", "b");
  // The target's key b.txt is taken by a directory: that file fails.
  await Deno.mkdir(ws.path("dst/b.txt"), { recursive: true });
  await ws.write("dst/b.txt/x", "x");
  const r = await stdoutFull(
    ws,
    "mirror",
    ws.path("src"),
    pathToFileURL(ws.path("dst")).href,
    "--json",
  );
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `vc: mirror: ${ws.path("src/b.txt")}: cannot store b.txt`);
  assertStringIncludes(r.stderr, "cannot write to standard output");
});
