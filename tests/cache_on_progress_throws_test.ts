/**
 * `cache()` with an `onProgress` (or `onHashProgress`) that throws: what it
 * threw was thrown into the download itself, which one download serves to
 * every caller of the same URI, so another caller's `cache()` (with no
 * callback at all) rejected with that error too, and neither was a
 * `CallbackError`. One that returns a promise which rejects (an `async`
 * callback) ended the process with an unhandled rejection. Now the call
 * whose callback failed rejects with a `CallbackError` naming it, as if its
 * signal had aborted: a download no one else waits for stops and leaves no
 * temp file, and one that others share goes on for them.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { CallbackError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { walkFiles } from "../src/walk.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const SIZE = 3 * 1024 * 1024 + 17;

async function withCache(
  fn: (cache: AssetCache, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-progress-throws-" });
  try {
    await using store = new MemoryStore();
    await store.put("data/x.bin", new Uint8Array(SIZE).fill(7));
    {
      await using cache = new AssetCache({
        cacheDir: join(dir, "cache"),
        configPath: false,
        env: {},
        openStore: () => Promise.resolve<ObjectStore>(store),
      });
      await fn(cache, dir);
    }
    // Closed (which waits for an abandoned download): no temp file is left.
    for await (const entry of walkFiles(join(dir, "cache"))) {
      assert(!/vc-tmp/.test(entry.key), `left ${entry.key}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const kind of ["throws", "rejects"] as const) {
  Deno.test(`cache(): an onProgress that ${kind} rejects with a CallbackError`, async () => {
    await withCache(async (cache) => {
      const boom = new Error(`progress ${kind}`);
      const error = await assertRejects(
        () =>
          cache.cache("s3://b/data/x.bin", {
            onProgress: kind === "throws"
              ? () => {
                throw boom;
              }
              : () => Promise.reject(boom),
          }),
        CallbackError,
      );
      assertEquals(error.callback, "onProgress");
      assert(error.cause === boom, `cause: ${error.cause}`);
      // A call without it is served.
      const path = await cache.cache("s3://b/data/x.bin");
      assertEquals((await Deno.stat(path)).size, SIZE);
    });
  });
}

Deno.test("cache(): one caller's onProgress that throws does not fail another caller of the same download", async () => {
  await withCache(async (cache) => {
    const boom = new Error("progress boom");
    const plain = cache.cache("s3://b/data/x.bin");
    const failing = cache.cache("s3://b/data/x.bin", {
      onProgress: () => {
        throw boom;
      },
    });
    const [a, b] = await Promise.allSettled([plain, failing]);
    assert(
      a.status === "fulfilled",
      `the caller without a callback failed: ${(a as PromiseRejectedResult).reason}`,
    );
    assertEquals((await Deno.readFile(a.value)).length, SIZE);
    assert(
      b.status === "rejected" && b.reason instanceof CallbackError,
      String((b as PromiseRejectedResult).reason),
    );
  });
});
