import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { pathToFileURL } from "node:url";

/**
 * Caches `root`'s a.csv, b.csv and c.csv (10 bytes each), used in that
 * order (a least recently): their URIs and cached paths.
 */
async function cacheThree(
  cache: AssetCache,
  root: string,
): Promise<{ uris: string[]; paths: string[] }> {
  const uris: string[] = [];
  const paths: string[] = [];
  for (const name of ["a", "b", "c"]) {
    await Deno.writeTextFile(`${root}/${name}.csv`, name.repeat(10));
    const uri = pathToFileURL(`${root}/${name}.csv`).href;
    uris.push(uri);
    paths.push(await cache.cache(uri));
    await new Promise((r) => setTimeout(r, 20)); // a used before b before c
  }
  return { uris, paths };
}

// Two `vc cache prune --max-size` at once: the second found the entry the
// first was removing locked, took it for in use ("kept"), and removed the
// next least recently used entry in its place, so together they emptied
// the cache below the size asked for, and the second reported as kept an
// entry that was gone.
Deno.test("cache prune: an entry another prune is removing is not kept nor replaced", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-prune-beside-prune-" });
  try {
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, env: {} });
    const { uris, paths } = await cacheThree(cache, root);
    // What another prune holds while it removes `a`, the least recently used.
    const lock = await acquireEntryLock(paths[0]!);
    const pruned = cache.prune({ maxBytes: 20 });
    await new Promise((r) => setTimeout(r, 100));
    await Deno.remove(paths[0]!);
    lock.release();
    const r = await pruned;
    assertEquals(r.kept ?? [], []);
    assertEquals(r.removed, []);
    assertEquals(r.remainingBytes, undefined);
    assertEquals((await cache.ls()).map((e) => e.uri).sort(), [uris[1], uris[2]]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cache prune: an entry still busy after the pass is kept, the next goes instead", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-prune-beside-prune-" });
  try {
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, env: {} });
    const { uris, paths } = await cacheThree(cache, root);
    const lock = await acquireEntryLock(paths[0]!); // a download in progress
    try {
      const started = Date.now();
      const r = await cache.prune({ maxBytes: 20 });
      assert(Date.now() - started < 5000, `prune waited ${Date.now() - started} ms`);
      assertEquals(r.kept?.map((e) => e.uri), [uris[0]]);
      assertEquals(r.removed.map((e) => e.uri), [uris[1]]);
      assertEquals(r.freedBytes, 10);
      assertEquals(r.remainingBytes, undefined);
    } finally {
      lock.release();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
