/**
 * `vc cache rm PATH --json` and `vc cache invalidate PATH --json`, given a
 * cached copy's own path (what `vc cache get` printed), reported that path
 * as `"uri"` and never the URI it was a copy of: a script could not tell
 * which object's copy went. `"uri"` stays the argument as given (scripts
 * match results to their arguments by it); a path's result adds
 * `"resolvedUri"`, the URI of its entry (`null` for a path that is no copy
 * of this cache), and the text line names it too.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc cache rm/invalidate PATH --json: the URI the path resolved to", async () => {
  await using ws = await CliWorkspace.create();
  const dir = ws.dir;
  const run = (...args: string[]) => ws.run(args);
  await Deno.writeTextFile(`${dir}/a.txt`, "a");
  const uri = `file://${dir}/a.txt`;
  const got = await run("cache", "get", uri);
  assertEquals(got.code, 0, got.stderr);
  const path = got.stdout.trim();

  const inv = await run("cache", "invalidate", path, "--json");
  assertEquals(inv.code, 0, inv.stderr);
  assertEquals(JSON.parse(inv.stdout), { uri: path, resolvedUri: uri, invalidated: true });
  assertStringIncludes((await run("cache", "invalidate", path)).stdout, uri);

  // Several: each result as for one.
  const several = await run("cache", "rm", path, `${dir}/a.txt`, "--json");
  assertEquals(several.code, 0, several.stderr);
  assertEquals(JSON.parse(several.stdout), [
    { uri: path, resolvedUri: uri, removed: true },
    { uri: `${dir}/a.txt`, resolvedUri: null, removed: false },
  ]);

  assertEquals((await run("cache", "get", uri)).code, 0);
  const text = await run("cache", "rm", path);
  assertEquals(text.stdout, `removed ${path} (the copy of ${uri})\n`);
  // A URI keeps its shape.
  const byUri = await run("cache", "rm", uri, "--json");
  assertEquals(JSON.parse(byUri.stdout), { uri, removed: false });
});
