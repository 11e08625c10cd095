/**
 * Caches over a fresh fake S3 server with bucket `b`, for tests: `make`
 * opens another `AssetCache` on the same cache dir (as another process
 * would), and every one is closed and the dir removed afterwards.
 */
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { type RawServer, silentServer } from "./raw_server.ts";

/** Runs `fn` with the server, a cache maker and the cache dir; `maxAttempts` per request (default 4). */
export async function withS3Cache(
  fn: (s3: FakeS3, make: (o?: AssetCacheOptions) => AssetCache, dir: string) => Promise<void>,
  options: { maxAttempts?: number } = {},
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-s3-" });
  const caches: AssetCache[] = [];
  try {
    await fn(s3, (o = {}) => {
      const c = new AssetCache({
        cacheDir: dir,
        configPath: false,
        env: {},
        store: testS3Options(s3, { maxAttempts: options.maxAttempts ?? 4 }),
        warn: () => {},
        ...o,
      });
      caches.push(c);
      return c;
    }, dir);
  } finally {
    for (const c of caches) await c.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * An `AssetCache` in a fresh temp dir (prefix `prefix`) whose `s3://`
 * store is a server that accepts connections and never answers, with one
 * attempt and a 20 s request timeout: no item of it ends during a test (no
 * failure frees a slot). Disposing closes the cache, removes the dir and
 * stops the server.
 */
export async function silentStoreCache(prefix: string): Promise<
  { server: RawServer; dir: string; cache: AssetCache } & AsyncDisposable
> {
  const server = silentServer();
  const dir = await Deno.makeTempDir({ prefix });
  const cache = new AssetCache({
    cacheDir: `${dir}/cache`,
    configPath: false,
    env: {},
    store: testS3Options(server, { maxAttempts: 1, requestTimeoutMs: 20_000 }),
    warn: () => {},
  });
  return {
    server,
    dir,
    cache,
    async [Symbol.asyncDispose]() {
      try {
        await cache.close();
        await Deno.remove(dir, { recursive: true });
      } finally {
        await server[Symbol.asyncDispose]();
      }
    },
  };
}

/**
 * Caches `a`, `b`, `c` (10 bytes each, bucket `b`), `a` least recently used,
 * then `b`, then `c` (last use is the access time; the modification time
 * stays the recorded one). Returns their local paths by name.
 */
export async function cacheThree(
  s3: { putObject(bucket: string, key: string, body: string): Promise<unknown> },
  cache: AssetCache,
): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const [i, k] of ["a", "b", "c"].entries()) {
    await s3.putObject("b", `${k}.txt`, k.repeat(10));
    const path = await cache.cache(`s3://b/${k}.txt`);
    const { mtime } = await Deno.lstat(path);
    await Deno.utime(path, new Date(Date.UTC(2026, 0, 1 + i)), mtime!);
    paths[k] = path;
  }
  return paths;
}
