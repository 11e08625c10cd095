/**
 * `vc cache prune` stopped by Ctrl-C says what it removed before it stopped
 * (how many files, how many bytes freed), not only `cache prune
 * interrupted`: a prune of thousands of entries stopped half-way had freed
 * gigabytes nobody was told of. With `--json`, that report is the document
 * on stdout (`interrupted: true`). The library reports the running count in
 * `onProgress` (`removed`, `freedBytes`).
 */
import { AssetCache, type PruneProgress } from "../src/cache/asset_cache.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

async function cacheThree(ws: CliWorkspace): Promise<void> {
  for (const name of ["a", "b", "c"]) {
    await ws.write(`bucket/${name}.txt`, name.repeat(10));
    const r = await ws.run(["cache", "get", `${ws.bucket}/${name}.txt`]);
    assertEquals(r.code, 0, r.stderr);
  }
}

/** What stderr ends on once the bar is erased. */
function afterBar(stderr: string): string {
  return stderr.slice(stderr.lastIndexOf("\x1b[K") + 3).trimEnd();
}

Deno.test("cache prune interrupted: the last line says how many files it removed and what it freed", async () => {
  await using ws = await CliWorkspace.create();
  await cacheThree(ws);
  const r = await ws.runOnTerminal(["cache", "prune", "--max-size", "0"], "1/3");
  assertEquals(r.code, 130, r.stderr);
  assertEquals(
    afterBar(r.stderr),
    "vc: cache prune interrupted: removed 1 file, freed 10 B before it stopped; the rest " +
      "stays cached (vc cache prune run again goes on)",
  );
  const left = await ws.run(["cache", "ls", "--json"]);
  assertEquals(left.json<unknown[]>().length, 2);
});

Deno.test("cache prune --json interrupted: the document says what it removed", async () => {
  await using ws = await CliWorkspace.create();
  await cacheThree(ws);
  const r = await ws.runOnTerminal(["cache", "prune", "--max-size", "0", "--json"], "1/3");
  assertEquals(r.code, 130, r.stderr);
  assertEquals(JSON.parse(r.stdout), {
    interrupted: true,
    dryRun: false,
    removedCount: 1,
    freedBytes: 10,
  });
});

Deno.test("cache prune --dry-run interrupted: says nothing was removed", async () => {
  await using ws = await CliWorkspace.create();
  await cacheThree(ws);
  const r = await ws.runOnTerminal(["cache", "prune", "--max-size", "0", "--dry-run"], "1/3");
  assertEquals(r.code, 130, r.stderr);
  assertStringIncludes(
    afterBar(r.stderr),
    "cache prune interrupted (dry run: nothing was removed)",
  );
  const left = await ws.run(["cache", "ls", "--json"]);
  assertEquals(left.json<unknown[]>().length, 3);
});

Deno.test("prune(): onProgress counts the entries removed and the bytes freed so far", async () => {
  await using ws = await CliWorkspace.create();
  await cacheThree(ws);
  await using cache = new AssetCache({ cacheDir: ws.cacheDir, configPath: false });
  const seen: PruneProgress[] = [];
  const stop = new AbortController();
  await assertRejects(() =>
    cache.prune({
      maxBytes: 0,
      signal: stop.signal,
      onProgress: (p) => {
        seen.push({ ...p });
        if (p.done === 2) stop.abort(new Error("stopped by the test"));
      },
    })
  );
  assertEquals(seen, [
    { done: 1, total: 3, removed: 1, freedBytes: 10 },
    { done: 2, total: 3, removed: 2, freedBytes: 20 },
  ]);
});
