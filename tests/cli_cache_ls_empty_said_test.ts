/**
 * `vc cache ls` of a cache with no entries printed nothing, exit 0: a
 * mistyped `VC_CACHE_DIR` (or `--cache-dir`) looked like an empty cache.
 * It names the directory it read on stderr now, as `vc ls-remote` names the
 * bucket that holds nothing; stdout (and `--json`, `[]`) stays a listing.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc cache ls of an empty cache names the directory it read, on stderr", async () => {
  await using ws = await CliWorkspace.create();
  // An empty cache dir that exists (one that does not is said otherwise:
  // cli_cache_dir_missing_named_test.ts).
  await Deno.mkdir(ws.cacheDir);
  const empty = await ws.run(["cache", "ls"]);
  assertEquals([empty.code, empty.stdout], [0, ""], empty.stderr);
  assertStringIncludes(empty.stderr, `vc: the cache dir ${ws.cacheDir} holds no cached files`);
  const json = await ws.run(["cache", "ls", "--json"]);
  assertEquals([json.code, json.json(), json.stderr], [0, [], ""]);
  const quiet = await ws.run(["cache", "ls", "-q"]);
  assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);

  await ws.write("a.csv", "a\n");
  assertEquals((await ws.run(["cache", "get", ws.path("a.csv")])).code, 0);
  await ws.write("d/a.csv", "a\n");
  const uri = new URL(`file://${ws.path("d/a.csv")}`).href;
  assertEquals((await ws.run(["cache", "get", uri])).code, 0);
  const listed = await ws.run(["cache", "ls"]);
  assertEquals(listed.stderr, "");
  assertStringIncludes(listed.stdout, "URI");
});
