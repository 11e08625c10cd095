// prefill fetches a plain URI of an AssetCache through the cache's own
// per-item entry (src/cache/item_hook.ts), not through `cache()`: one parse
// of the URI, no options checked again, no callback guard per item. A
// subclass that overrides `cache()` (to log, to redirect) must still be
// called for every item, and an object that only has a `cache()` too.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { CacheGetOptions } from "../src/cache/cache_options.ts";

async function files(dir: string, n: number): Promise<string[]> {
  await Deno.mkdir(join(dir, "bucket"), { recursive: true });
  const uris: string[] = [];
  for (let i = 0; i < n; i++) {
    const path = join(dir, "bucket", `f${i}.txt`);
    await Deno.writeTextFile(path, `${i}`);
    uris.push(pathToFileURL(path).href);
  }
  return uris;
}

/** A temp dir for one test, removed when the test's `await using` ends. */
async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "prefill_cache_subclass_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Prefills `n` new files through `cache`, and asserts `asked` heard each item once. */
async function assertAskedPerItem(
  cache: AssetCache,
  asked: string[],
  dir: string,
  n: number,
): Promise<void> {
  const uris = await files(dir, n);
  const summary = await prefill({ cache, uris });
  assertEquals(summary.fetched, n);
  assertEquals(asked.sort(), [...uris].sort());
}

Deno.test("prefill calls the cache() of an AssetCache subclass that overrides it, once per item", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  const asked: string[] = [];
  class Logged extends AssetCache {
    override cache(uri: string, options?: CacheGetOptions): Promise<string> {
      asked.push(uri);
      return super.cache(uri, options);
    }
  }
  await using cache = new Logged({ cacheDir: join(dir, "cache"), configPath: false });
  await assertAskedPerItem(cache, asked, dir, 5);
});

Deno.test("prefill of a plain AssetCache fetches each item once, as cache() would", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
  const uris = await files(dir, 5);
  const first = await prefill({ cache, uris });
  assertEquals([first.fetched, first.alreadyCached, first.failed], [5, 0, []]);
  // Each copy where cache() puts it, with the object's bytes.
  for (const [i, uri] of uris.entries()) {
    assertEquals(await Deno.readTextFile(cache.localPath(uri)), `${i}`);
  }
  const again = await prefill({ cache, uris });
  assertEquals([again.fetched, again.alreadyCached, again.failed], [0, 5, []]);
});

// A `cache()` put on the instance after it was made (a test's stub or spy,
// a wrapper that logs or adds options) is the cache's `cache()` as much as a
// subclass's: prefill calls it for every item, as a loop of `cache()` would.
Deno.test("prefill calls a cache() replaced on an AssetCache instance, once per item", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
  const asked: string[] = [];
  const own = cache.cache.bind(cache);
  cache.cache = (uri, options) => {
    asked.push(uri);
    return own(uri, options);
  };
  await assertAskedPerItem(cache, asked, dir, 3);
});

Deno.test("prefill calls a cache() a subclass sets as an instance field, once per item", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  const asked: string[] = [];
  // What a JavaScript subclass writes (`cache = (uri, options) => …`): the
  // field is set after AssetCache's constructor has run.
  class Fielded extends AssetCache {
    constructor(options: ConstructorParameters<typeof AssetCache>[0]) {
      super(options);
      const own = AssetCache.prototype.cache.bind(this);
      Object.defineProperty(this, "cache", {
        value: (uri: string, o?: CacheGetOptions) => {
          asked.push(uri);
          return own(uri, o);
        },
      });
    }
  }
  await using cache = new Fielded({ cacheDir: join(dir, "cache"), configPath: false });
  await assertAskedPerItem(cache, asked, dir, 3);
});
