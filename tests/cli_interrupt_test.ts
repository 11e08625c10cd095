/**
 * A Ctrl-C (the CLI's abort signal) stops `vc sync`, `vc cache verify` and
 * `vc verify`: exit 130, nothing copied, no cache entry dropped, no entry
 * reported as bad for having been stopped.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

function interrupted(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new DOMException("interrupted", "AbortError"));
  return controller.signal;
}

Deno.test("interrupt: vc sync exits 130 and copies nothing", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0", "/b.csv": "1.0.0"}');
  await ws.write("bucket/a.1.0.0.csv", "a");
  await ws.write("bucket/b.1.0.0.csv", "b");
  const io = memoryIo({ env: ws.env, cwd: ws.dir, signal: interrupted() });
  const code = await runCli(["sync", "out", "--bucket", ws.bucket], io);
  assertEquals(code, 130, io.stderr());
  assertEquals(
    io.stderr(),
    `vc: sync interrupted after 0 of 2 manifest entries: 0 copied to ${ws.path("out")}, ` +
      "0 failed; the rest was not copied: run it again to finish\n",
  );
  assertEquals(await Deno.stat(ws.path("out/a.csv")).then(() => true, () => false), false);
});

Deno.test("interrupt: vc cache verify exits 130, the cache keeps its entries", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.csv", "a");
  assertEquals((await ws.run(["cache", "get", `${ws.bucket}/a.csv`])).code, 0);
  const io = memoryIo({ env: ws.env, cwd: ws.dir, signal: interrupted() });
  assertEquals(await runCli(["cache", "verify"], io), 130, io.stdout());
  assertEquals(
    io.stderr(),
    "vc: cache verify interrupted: checked 0 of 1 cached file before it stopped, 0 corrupt " +
      "(removed: 0); vc cache verify run again checks them all\n",
  );
  assertStringIncludes((await ws.run(["cache", "verify"])).stdout, "1 ok, 0 corrupt");
});

Deno.test("interrupt: vc verify exits 130 and reports no entry as bad", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0", "/b.csv": "1.0.0"}');
  await ws.write("bucket/a.1.0.0.csv", "a");
  await ws.write("bucket/b.1.0.0.csv", "b");
  const io = memoryIo({ env: ws.env, cwd: ws.dir, signal: interrupted() });
  assertEquals(await runCli(["verify", "--bucket", ws.bucket], io), 130, io.stdout());
  assertEquals(io.stderr(), "vc: verify interrupted\n");
  assertEquals(io.stdout(), "");
  // Not interrupted, the same check passes.
  assertEquals((await ws.run(["verify", "--bucket", ws.bucket])).code, 0);
});

Deno.test("interrupt: vc versions, vc ls-remote and vc cache ls --check-remote exit 130", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  await ws.write("bucket/a.1.0.0.csv", "a");
  assertEquals((await ws.run(["cache", "get", `${ws.bucket}/a.1.0.0.csv`])).code, 0);
  for (
    const [name, args] of [
      ["versions", ["versions", "/a.csv", "--bucket", ws.bucket]],
      ["ls-remote", ["ls-remote", "--bucket", ws.bucket]],
      ["cache ls", ["cache", "ls", "--check-remote"]],
    ] as const
  ) {
    const io = memoryIo({ env: ws.env, cwd: ws.dir, signal: interrupted() });
    assertEquals(await runCli(args, io), 130, `${args.join(" ")}: ${io.stderr()}`);
    // Named, as `vc prefill interrupted …` is: a log of several says which one stopped.
    assertEquals(io.stderr(), `vc: ${name} interrupted\n`, args.join(" "));
  }
});
