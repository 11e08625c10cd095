/**
 * `vc cache verify` stopped by Ctrl-C says how far it got and how many
 * corrupt copies it found (and removed) before the stop, not only `cache
 * verify interrupted`: the copies it removed are downloaded again by their
 * next use, which a user should hear of. The library tells the running
 * counts in `onProgress` (`corrupt`, `removed`).
 */
import { AssetCache, type VerifyProgress } from "../src/cache/asset_cache.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** Three cached copies, each changed on disk after its download (corrupt). */
async function threeCorrupt(ws: CliWorkspace): Promise<void> {
  for (const name of ["a", "b", "c"]) {
    await ws.write(`bucket/${name}.txt`, name.repeat(10));
    const r = await ws.run(["cache", "get", `${ws.bucket}/${name}.txt`]);
    assertEquals(r.code, 0, r.stderr);
    await Deno.writeTextFile(r.stdout.trim(), "X".repeat(10));
  }
}

Deno.test("cache.verify(): onProgress counts the corrupt copies found and removed so far", async () => {
  await using ws = await CliWorkspace.create();
  await threeCorrupt(ws);
  await using cache = new AssetCache({ cacheDir: ws.cacheDir, configPath: false });
  const seen: VerifyProgress[] = [];
  const stop = new AbortController();
  await assertRejects(
    () =>
      cache.verify({
        signal: stop.signal,
        onProgress: (p) => {
          // Once per copy checked (its bytes are told as they are read, too).
          if (p.done === (seen.at(-1)?.done ?? 0)) return;
          seen.push({ done: p.done, total: p.total, corrupt: p.corrupt!, removed: p.removed! });
          if (p.done === 2) stop.abort(new Error("stopped by the test"));
        },
      }),
    Error,
    "stopped by the test",
  );
  // Two at a time: the one in flight at the stop may be told too.
  assertEquals(seen.slice(0, 2), [
    { done: 1, total: 3, corrupt: 1, removed: 1 },
    { done: 2, total: 3, corrupt: 2, removed: 2 },
  ]);
});

Deno.test("cache verify interrupted: the last line says how far it got and what it found", async () => {
  await using ws = await CliWorkspace.create();
  await threeCorrupt(ws);
  // Ctrl-C as the checks begin: none is made.
  const { code, stderr } = await ws.runOnTerminal(["cache", "verify"], "checking");
  assertEquals(code, 130, stderr);
  assertEquals(
    stderr.slice(stderr.lastIndexOf("\x1b[K") + 3).trimEnd(),
    "vc: cache verify interrupted: checked 0 of 3 cached files before it stopped, 0 corrupt " +
      "(removed: 0); vc cache verify run again checks them all",
  );
});
