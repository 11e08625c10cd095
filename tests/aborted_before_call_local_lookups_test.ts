// AssetCache.ls() and VersionedCache.locate() given a signal that aborted
// before the call: with nothing to ask the store (no checkRemote; a
// directory bucket) they answered as if no signal had been given, where
// cache(), path() and every other call reject with the signal's reason. They
// now reject with it too.
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";

Deno.test("AssetCache.ls: a signal aborted before the call rejects with its reason", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_ls_preaborted_" });
  try {
    await Deno.writeTextFile(join(dir, "x.txt"), "x");
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await cache.cache(`file://${join(dir, "x.txt")}`);
    assertEquals((await cache.ls()).length, 1);
    for (const checkRemote of [false, true]) {
      const reason = new Error(`aborted already (checkRemote: ${checkRemote})`);
      const error = await assertRejects(() =>
        cache.ls({ checkRemote, signal: AbortSignal.abort(reason) })
      );
      assertEquals(error, reason);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VersionedCache.locate: a signal aborted before the call rejects with its reason", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_locate_preaborted_" });
  try {
    await Deno.mkdir(join(dir, "bucket", "a"), { recursive: true });
    await Deno.writeTextFile(join(dir, "bucket", "a", "b.1.0.0.csv"), "b");
    const manifest = join(dir, "manifest.json");
    await Deno.writeTextFile(manifest, JSON.stringify({ "/a/b.csv": "1.0.0" }));
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using vc = new VersionedCache({
      manifest,
      bucket: `file://${join(dir, "bucket")}`,
      cache,
    });
    assertEquals(await vc.locate("/a/b.csv"), `file://${join(dir, "bucket")}/a/b.1.0.0.csv`);
    const reason = new Error("aborted already");
    const error = await assertRejects(() =>
      vc.locate("/a/b.csv", undefined, { signal: AbortSignal.abort(reason) })
    );
    assertEquals(error, reason);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
