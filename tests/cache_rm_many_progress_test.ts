/**
 * `vc cache rm` and `vc cache invalidate` of many URIs (`vc cache rm $(cat
 * list)`: a thousand take seconds) show a bar of the URIs done on a
 * terminal, and a Ctrl-C says what was done: the results so far on stdout,
 * the URIs not attempted marked so in `--json`, and a last line counting
 * both; exit 130.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

async function cacheThree(ws: CliWorkspace): Promise<string[]> {
  const uris: string[] = [];
  for (const name of ["a", "b", "c"]) {
    await ws.write(`bucket/${name}.txt`, name.repeat(10));
    const uri = `${ws.bucket}/${name}.txt`;
    const r = await ws.run(["cache", "get", uri]);
    assertEquals(r.code, 0, r.stderr);
    uris.push(uri);
  }
  return uris;
}

async function cachedUris(ws: CliWorkspace): Promise<string[]> {
  const r = await ws.run(["cache", "ls", "--json"]);
  assertEquals(r.code, 0, r.stderr);
  return r.json<{ uri: string }[]>().map((e) => e.uri).sort();
}

Deno.test("cache rm of several URIs: a bar of the URIs done on a terminal, erased at the end", async () => {
  await using ws = await CliWorkspace.create();
  const uris = await cacheThree(ws);
  const r = await ws.runOnTerminal(["cache", "rm", ...uris]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "rm");
  assertStringIncludes(r.stderr, "3/3");
  assert(
    r.stderr.endsWith("\r\x1b[K"),
    `the bar is erased at the end: ${JSON.stringify(r.stderr)}`,
  );
  assertEquals(await cachedUris(ws), []);
  // Not a terminal (a log): nothing but the results.
  const uris2 = await cacheThree(ws);
  const piped = await ws.run(["cache", "invalidate", ...uris2]);
  assertEquals([piped.code, piped.stderr], [0, ""]);
});

Deno.test("cache rm interrupted: says what it removed and what it did not attempt, exit 130", async () => {
  await using ws = await CliWorkspace.create();
  const uris = await cacheThree(ws);
  // Ctrl-C while the first URI is being removed: it finishes, the others are not touched.
  const r = await ws.runOnTerminal(["cache", "rm", ...uris], "0/3");
  assertEquals(r.code, 130, r.stderr);
  assertEquals(r.stdout, `removed ${uris[0]}\n`);
  const last = r.stderr.slice(r.stderr.lastIndexOf("\x1b[K") + 3).trimEnd();
  assertEquals(
    last,
    "vc: cache rm interrupted: removed 1 of 3 URIs before it stopped; " +
      "the other 2 were not attempted",
  );
  assertEquals(await cachedUris(ws), [uris[1], uris[2]].sort());
});

Deno.test("cache invalidate interrupted --json: the attempted results, the rest marked interrupted", async () => {
  await using ws = await CliWorkspace.create();
  const uris = await cacheThree(ws);
  const r = await ws.runOnTerminal(["cache", "invalidate", "--json", ...uris], "0/3");
  assertEquals(r.code, 130, r.stderr);
  assertEquals(JSON.parse(r.stdout), [
    { uri: uris[0], invalidated: true },
    { uri: uris[1], invalidated: false, interrupted: true },
    { uri: uris[2], invalidated: false, interrupted: true },
  ]);
  assertStringIncludes(
    r.stderr,
    "vc: cache invalidate interrupted: invalidated 1 of 3 URIs before it stopped; " +
      "the other 2 were not attempted",
  );
});
