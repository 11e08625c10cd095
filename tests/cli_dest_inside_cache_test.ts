/**
 * `vc get` / `vc sync` with a DEST inside the cache dir: files the cache does
 * not know, or a cached copy replaced in place (`vc get /a "$(vc path /b)"`).
 * Refused as a usage error; the cached copy stays.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc get and vc sync refuse a DEST inside the cache dir (it would replace a cached copy in place)", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.write("b.csv", "b\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  assertEquals((await ws.vc("add", "/b.csv", "b.csv")).code, 0);
  const cached = (await ws.vc("path", "/b.csv")).stdout.trim();
  const get = await ws.vc("get", "/a.csv", cached);
  assertEquals(get.code, 2, get.stderr);
  assertStringIncludes(get.stderr, "inside the cache dir");
  assertEquals(await Deno.readTextFile(cached), "b\n");
  const sync = await ws.vc("sync", ws.cacheDir);
  assertEquals(sync.code, 2, sync.stderr);
});
