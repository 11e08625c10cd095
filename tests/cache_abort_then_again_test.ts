// AssetCache.cache() aborted while its download flows rejects at once; the
// abandoned download removes its shared temp file a moment later. A cache()
// of the same URI made right after the abort waits for that and downloads
// afresh, and close() leaves no temp file behind (as the JSDoc of
// CacheGetOptions.signal says).
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions, GetResult, ObjectStore } from "../src/store/types.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { filesUnder } from "./files_under.ts";
import { overriding } from "./overriding.ts";

/** `store`, whose first get sends 1000 bytes and then waits for its signal. */
function stallFirstGet(store: MemoryStore): ObjectStore {
  let first = true;
  const get = async (key: string, options: GetOptions = {}): Promise<GetResult> => {
    const result = await store.get(key, options);
    if (!first) return result;
    first = false;
    const signal = options.signal!;
    const whole = new Uint8Array(await new Response(result.body).arrayBuffer());
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(whole.slice(0, 1000));
          return;
        }
        if (!signal.aborted) {
          await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        }
        controller.error(signal.reason);
      },
    });
    return { ...result, body };
  };
  return overriding(store, { get });
}

Deno.test("cache(): aborted mid-download, the same URI again downloads, and close() leaves no temp file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_abort_again_" });
  try {
    await using memory = new MemoryStore();
    const data = new Uint8Array(1 << 20).fill(7);
    await memory.put("k/big.bin", data);
    const store = stallFirstGet(memory);
    const cacheDir = join(dir, "cache");
    const cache = new AssetCache({
      cacheDir,
      configPath: false,
      openStore: () => Promise.resolve(store),
    });
    try {
      const stop = new AbortController();
      const reason = new Error("stopped by the user");
      const error = await assertRejects(() =>
        cache.cache("s3://bkt/k/big.bin", {
          signal: stop.signal,
          onProgress: (p) => {
            if (p.bytes > 0) stop.abort(reason);
          },
        })
      );
      assertEquals(error, reason);
      const path = await cache.cache("s3://bkt/k/big.bin");
      assertEquals(await Deno.readFile(path), data);
    } finally {
      await cache.close();
    }
    assertEquals(
      filesUnder(cacheDir, { relative: true }).filter((f) => f.includes(".vc-tmp-")),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
