/**
 * A manifest's versioned entries reach an `AssetCache` through its per-item
 * entry (src/cache/item_hook.ts), as a list's plain URIs do: not through
 * `cache()`, which checks the options prefill built itself, parses the URI
 * again and takes prefill's own progress hook for a caller's callback (a
 * `CallbackGuard` per item: its controller, an `AbortSignal.any` and the
 * flight join's `abort` listener on that fresh signal). What they fetch and
 * how they fail is unchanged: the `/` key when the canonical one is missing,
 * the lock file's pin, the missing version said as `vc path` says it.
 */
import { assert, assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { CacheGetOptions } from "../src/cache/cache_options.ts";
import { sha256HexOfString } from "../src/sha256_js.ts";
import { testS3Options } from "./versioned_helpers.ts";

/** Runs `fn`, counting the `abort` listeners added and the `AbortSignal.any` calls meanwhile. */
async function signalWork(fn: () => Promise<unknown>): Promise<{ listeners: number; any: number }> {
  const add = AbortSignal.prototype.addEventListener;
  const any = AbortSignal.any;
  const counts = { listeners: 0, any: 0 };
  AbortSignal.prototype.addEventListener = function (
    this: AbortSignal,
    ...args: Parameters<typeof add>
  ) {
    if (args[0] === "abort") counts.listeners++;
    return add.apply(this, args);
  } as typeof add;
  AbortSignal.any = (signals: AbortSignal[]) => {
    counts.any++;
    return any.call(AbortSignal, signals);
  };
  try {
    await fn();
  } finally {
    AbortSignal.prototype.addEventListener = add;
    AbortSignal.any = any;
  }
  return counts;
}

const N = 12;
const name = (i: number) => `k${String(i).padStart(2, "0")}`;

Deno.test("a cold prefill of a manifest's versions makes no abort signal or listener per entry", async () => {
  await withS3Cache(async (s3, make, dir) => {
    for (let i = 0; i < N; i++) await s3.putObject("b", `${name(i)}.1.0.0.txt`, name(i));
    await s3.putObject("b", "first.txt", "1");
    const manifest = `${dir}/m.json`;
    const entries = Array.from({ length: N }, (_, i) => [`/${name(i)}.txt`, "1.0.0"]);
    await Deno.writeTextFile(manifest, JSON.stringify(Object.fromEntries(entries)));
    const cache = make();
    // The first download opens the store (and loads the modules).
    await cache.cache("s3://b/first.txt");
    await using vc = new VersionedCache({ manifest, bucket: "s3://b", cache });
    const counts = await signalWork(async () => {
      const summary = await prefill({ cache, versioned: [vc], onProgress: () => {} });
      assertEquals([summary.fetched, summary.failed], [N, []]);
    });
    for (let i = 0; i < N; i++) {
      assertEquals(await Deno.readTextFile(await vc.path(`/${name(i)}.txt`)), name(i));
    }
    assertEquals(counts.any, 0, `${counts.any} AbortSignal.any for ${N} entries`);
    assert(counts.listeners <= 2, `${counts.listeners} abort listeners for ${N} entries`);
  });
});

Deno.test("a manifest's entries through the per-item entry: the / key, the lock's pin, a missing version", async () => {
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "a.1.0.0.txt", "canonical");
    // Only under the `/` key (a bucket written by baiji-pod).
    await s3.putObject("b", "/s.1.0.0.txt", "slashed");
    await s3.putObject("b", "p.1.0.0.txt", "pinned");
    await s3.putObject("b", "w.1.0.0.txt", "not what the lock says");
    const manifest = `${dir}/m.json`;
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        "/a.txt": "1.0.0",
        "/s.txt": "1.0.0",
        "/p.txt": "1.0.0",
        "/w.txt": "1.0.0",
        "/gone.txt": "1.0.0",
      }),
    );
    const lock = `${dir}/m.lock.json`;
    const pin = (text: string) => ({ size: text.length, sha256: sha256HexOfString(text) });
    await Deno.writeTextFile(
      lock,
      JSON.stringify({ "/p.txt@1.0.0": pin("pinned"), "/w.txt@1.0.0": pin("what the lock says") }),
    );
    const cache = make();
    await using vc = new VersionedCache({ manifest, bucket: "s3://b", cache, lock });
    const summary = await prefill({ cache, versioned: [vc] });
    assertEquals(summary.fetched, 3);
    const failed = new Map(summary.failed.map((f) => [f.item, f]));
    assertEquals([...failed.keys()].sort(), ["/gone.txt", "/w.txt"]);
    assertEquals(failed.get("/w.txt")?.errorName, "IntegrityError");
    assertEquals(failed.get("/gone.txt")?.errorName, "NotFoundError");
    assert(/1\.0\.0/.test(failed.get("/gone.txt")?.error ?? ""), failed.get("/gone.txt")?.error);
    assertEquals(await Deno.readTextFile(await vc.path("/a.txt")), "canonical");
    assertEquals(await Deno.readTextFile(await vc.path("/s.txt")), "slashed");
    assertEquals(await Deno.readTextFile(await vc.path("/p.txt")), "pinned");
  });
});

Deno.test("prefill calls the cache() of an AssetCache subclass for a manifest's entries", async () => {
  await withS3Cache(async (s3, _make, dir) => {
    await s3.putObject("b", "a.1.0.0.txt", "a");
    await s3.putObject("b", "/s.1.0.0.txt", "s");
    const manifest = `${dir}/m.json`;
    await Deno.writeTextFile(manifest, JSON.stringify({ "/a.txt": "1.0.0", "/s.txt": "1.0.0" }));
    const asked: string[] = [];
    class Logged extends AssetCache {
      override cache(uri: string, options?: CacheGetOptions): Promise<string> {
        asked.push(uri);
        return super.cache(uri, options);
      }
    }
    await using cache = new Logged({
      cacheDir: `${dir}/logged`,
      configPath: false,
      env: {},
      store: testS3Options(s3),
      warn: () => {},
    });
    await using vc = new VersionedCache({ manifest, bucket: "s3://b", cache });
    const summary = await prefill({ cache, versioned: [vc] });
    assertEquals([summary.fetched, summary.failed], [2, []]);
    // Each canonical key, then the `/` key of the one missing there.
    assertEquals(asked.sort(), ["s3://b//s.1.0.0.txt", "s3://b/a.1.0.0.txt", "s3://b/s.1.0.0.txt"]);
  });
});
