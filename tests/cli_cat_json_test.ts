/**
 * `--json` on a command whose stdout is a file's bytes (`vc cat`, `vc get
 * PATH -`, `vc cache-client get ID`): every other command's `--json` prints
 * one JSON document, so these printed raw content that `| jq` choked on,
 * with exit 0. They are now a usage error (exit 2) before any download,
 * pointing at `vc path --json` / a DEST, with the JSON error document.
 */
import { assert, assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("vc cat / get - with --json: usage error before any download, JSON error on stdout", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a,b\n1,2\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  for (
    const args of [
      ["cat", "/a.csv", "--json"],
      ["cat", "/a.csv", "1.0.0", "--json"],
      ["get", "/a.csv", "-", "--json"],
    ]
  ) {
    const r = await ws.vc(...args);
    assertFailure(r, 2, `${args[0]} writes the file's bytes to stdout`, "--json");
    assert(r.stderr.includes("vc path PATH --json"), r.stderr);
    const doc = r.json<{ error: { exitCode: number } }>();
    assertEquals(doc.error.exitCode, 2);
  }
  // Nothing was downloaded: the refusal comes before the cache is filled.
  const cached = await Array.fromAsync(Deno.readDir(ws.cacheDir)).catch(() => []);
  assertEquals(cached.length, 0);
  // Without --json the content is written as before; --quiet does not change it.
  assertEquals((await ws.vc("cat", "/a.csv")).stdout, "a,b\n1,2\n");
  assertEquals((await ws.vc("cat", "/a.csv", "--quiet")).stdout, "a,b\n1,2\n");
  // Where JSON has something to say, it still works.
  const path = await ws.vc("path", "/a.csv", "--json");
  assertEquals(path.code, 0);
  assertEquals(await Deno.readTextFile(path.json<{ local: string }>().local), "a,b\n1,2\n");
});

Deno.test("vc cache-client get ID --json without DEST: usage error before any request", async () => {
  await using ws = await CliWorkspace.create();
  // No service listens here: a request would fail with exit 1, not 2.
  const r = await ws.run(["cache-client", "get", "0123abcd".repeat(16), "--json"], {
    VC_CACHE_URL: "http://127.0.0.1:9",
    VC_CACHE_TOKEN: "t",
  });
  assertFailure(r, 2, "cache-client get writes the file's bytes to stdout");
  assert(r.stderr.includes("give a DEST file"), r.stderr);
});
