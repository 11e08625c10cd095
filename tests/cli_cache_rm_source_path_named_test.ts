/**
 * `vc cache get file:///…/x.csv` caches a copy of a local file; `vc cache rm
 * ./x.csv` (that same file, given as a path) said `./x.csv was not cached`,
 * exit 0, while the cache held its copy: a user took it for done. A local
 * path that is no copy is still never acted on, but the line now names the
 * URI its file is cached as, to give instead (as a URI cached from another
 * endpoint names that endpoint).
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cache rm/invalidate of a cached file's own path names the URI it is cached as", async () => {
  await using ws = await CliWorkspace.create();
  const source = await ws.write("x.csv", "a\n");
  const uri = new URL(`file://${source}`).href;
  const got = await ws.run(["cache", "get", uri]);
  assertEquals(got.code, 0, got.stderr);
  const copy = got.stdout.trim();

  for (const [cmd, arg] of [["rm", "./x.csv"], ["invalidate", "x.csv"], ["rm", source]]) {
    const r = await ws.run(["cache", cmd!, arg!]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, `its file is cached as ${uri}: give that URI`, `${cmd} ${arg}`);
    // The source and the copy are both untouched.
    assertEquals(await ws.read("x.csv"), "a\n");
    assertEquals(await Deno.readTextFile(copy), "a\n");
  }
  // A path that is no cached file says no more than before.
  const other = await ws.run(["cache", "rm", "./nope.csv"]);
  assertEquals(other.stdout, "./nope.csv was not cached\n");
  // Given as the URI, it goes.
  const gone = await ws.run(["cache", "rm", uri]);
  assertEquals(gone.stdout, `removed ${uri}\n`);
  assert(!(await ws.run(["cache", "rm", "./x.csv"])).stdout.includes("cached as"));
});
