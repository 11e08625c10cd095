/**
 * A `file://` source copied while it was still being written (a file another
 * machine is copying into a shared folder, which the cache cannot tell from a
 * finished one): its copy is not vouched for until the TTL, since the state
 * it was taken from may be half a file. The next use asks the store again,
 * and serves the finished file, not the first megabyte for a day.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { openStore } from "../src/store/open.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";

Deno.test("a file:// source copied while still being written is asked about again at its next use", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_being_written_" });
  try {
    const src = join(await Deno.realPath(dir), "src");
    await Deno.mkdir(src);
    const path = join(src, "growing.bin");
    const uri = pathToFileURL(path).href;
    // The writer's first part, just written (changed within the racy window).
    await Deno.writeTextFile(path, "a".repeat(1000));
    // The default TTL (a day): a copy vouched for would be served as it is.
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    assertEquals((await Deno.readTextFile(await cache.cache(uri))).length, 1000);
    // The writer finishes.
    await Deno.writeTextFile(path, "b".repeat(3000), { append: true });
    assertEquals((await Deno.readTextFile(await cache.cache(uri))).length, 4000);
    // Another process's cache, reading the records the first left.
    await using other = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    assertEquals((await Deno.readTextFile(await other.cache(uri))).length, 4000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file:// source dated in the future (a share's clock ahead) is asked about again only until two looks agree", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_future_mtime_" });
  try {
    const src = join(await Deno.realPath(dir), "src");
    await Deno.mkdir(src);
    const path = join(src, "ahead.bin");
    const uri = pathToFileURL(path).href;
    await Deno.writeTextFile(path, "a".repeat(1000));
    // Written by a machine whose clock is an hour ahead: "changed moments
    // ago" for an hour, by the mtime alone.
    const ahead = new Date(Date.now() + 3600_000);
    await Deno.utime(path, ahead, ahead);
    let heads = 0;
    const clock = new ManualClock();
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      clock,
      openStore: async (root) => {
        const store = await openStore(root);
        return new Proxy(store, {
          get(target, name) {
            const value = Reflect.get(target, name);
            if (typeof value !== "function") return value;
            return (...args: unknown[]) => {
              if (name === "head") heads++;
              return value.apply(target, args);
            };
          },
        });
      },
    });
    assertEquals((await Deno.readTextFile(await cache.cache(uri))).length, 1000);
    // Used every half second: asked each time until the bytes have stayed
    // the same for the racy window (2 s) since the first look...
    for (let i = 0; i < 4; i++) {
      await clock.advance(500);
      await cache.cache(uri);
    }
    assertEquals(heads, SETTLE_MS / 500, "asked at each use for the racy window");
    // ...then trusted for the TTL, not asked (each ask hashes the whole file
    // again) at every use for the hour.
    for (let i = 0; i < 4; i++) {
      await clock.advance(500);
      await cache.cache(uri);
    }
    assertEquals(heads, SETTLE_MS / 500, "settled once two looks 2 s apart agreed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file:// source dated in the future, rewritten at the same size and date between two looks, is not settled on the old bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_future_rewrite_" });
  try {
    const src = join(await Deno.realPath(dir), "src");
    await Deno.mkdir(src);
    const path = join(src, "ahead.bin");
    const uri = pathToFileURL(path).href;
    const ahead = new Date(Date.now() + 3600_000);
    await Deno.writeTextFile(path, "a".repeat(1000));
    await Deno.utime(path, ahead, ahead);
    const clock = new ManualClock();
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false, clock });
    assertEquals(await Deno.readTextFile(await cache.cache(uri)), "a".repeat(1000));
    // Rewritten within the racy window: same size, its date put back.
    await clock.advance(500);
    await Deno.writeTextFile(path, "b".repeat(1000));
    await Deno.utime(path, ahead, ahead);
    // A look 2 s after the first finds other bytes: those are served, not
    // the first ones settled.
    await clock.advance(SETTLE_MS);
    assertEquals(await Deno.readTextFile(await cache.cache(uri)), "b".repeat(1000));
    // And trusted only once two looks 2 s apart found them.
    await Deno.writeTextFile(path, "c".repeat(1000));
    await Deno.utime(path, ahead, ahead);
    await clock.advance(500);
    assertEquals(await Deno.readTextFile(await cache.cache(uri)), "c".repeat(1000));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
