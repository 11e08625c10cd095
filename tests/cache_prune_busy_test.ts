import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { pathToFileURL } from "node:url";

Deno.test("cache prune: an entry another process is downloading is kept, without waiting", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-cache-prune-busy-" });
  try {
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, env: {} });
    await Deno.writeTextFile(`${root}/a.csv`, "a");
    await Deno.writeTextFile(`${root}/b.csv`, "bb");
    const a = pathToFileURL(`${root}/a.csv`).href;
    const b = pathToFileURL(`${root}/b.csv`).href;
    const busy = await cache.cache(a);
    await cache.cache(b);
    // What a download (a revalidation replacing the copy) holds while it runs.
    const lock = await acquireEntryLock(busy);
    try {
      const started = Date.now();
      const r = await cache.prune({ maxBytes: 0 });
      assert(Date.now() - started < 5000, `prune waited ${Date.now() - started} ms`);
      assertEquals(r.removed.map((e) => e.uri), [b]);
      assertEquals(r.freedBytes, 2);
      assertEquals(await Deno.readTextFile(busy), "a");
    } finally {
      lock.release();
    }
    assertEquals((await cache.ls()).map((e) => e.uri), [a]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
