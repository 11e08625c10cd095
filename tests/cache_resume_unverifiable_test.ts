/**
 * A partial kept for resumption is only resumed when the finished file can
 * be checked: an object whose ETag is no content hash (SSE-KMS, SSE-C, a
 * store's own opaque ETag) and that carries no `vc-md5` has nothing to
 * check kept bytes against, so bytes that changed on the disk meanwhile (a
 * crash before they were flushed, an edit) would be cached as the object's.
 * Such a download starts over from byte 0 instead.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { md5Hex } from "../src/hash.ts";
import { StoreError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions } from "../src/store/types.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { WrappingStore } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;

/** A store whose GETs fail (as a 503 would) from the `failFrom`-th on, while it is set. */
class StoppingStore extends WrappingStore {
  failFrom = Infinity;
  starts: number[] = [];
  override get(key: string, options?: GetOptions) {
    this.starts.push(options?.range?.start ?? 0);
    if (this.starts.length >= this.failFrom) {
      return Promise.reject(new StoreError("503 Service Unavailable", { status: 503 }));
    }
    return super.get(key, options);
  }
}

/** A cache in `dir` over `store`, downloading in 1 MiB ranges one at a time, no retries. */
function cacheOver(dir: string, store: StoppingStore): AssetCache {
  return new AssetCache({
    cacheDir: dir,
    configPath: false,
    env: {},
    openStore: () => Promise.resolve(store),
    warn: () => {},
    download: { parallelThreshold: MiB, partSize: MiB, concurrency: 1, attempts: 1 },
  });
}

for (
  const [what, extra] of [
    ["an opaque ETag without vc-md5", { opaqueEtag: true, metadata: {} }],
    ["a store's own ETag (no MD5) without vc-md5", { etag: "v1-opaque-etag", metadata: {} }],
  ] as const
) {
  Deno.test(`a partial of ${what} is not resumed: kept bytes cannot be checked`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-resume-unverifiable-" });
    try {
      const data = randomBytes(SIZE, 11);
      const objects = new Map([["d/big.bin", {
        data,
        etag: md5Hex(data),
        lastModified: new Date(),
        ...extra,
      }]]);
      const store = new StoppingStore(new MemoryStore({ objects }));
      const make = () => cacheOver(dir, store);
      store.failFrom = 5;
      {
        await using first = make();
        await assertRejects(() => first.cache("s3://b/d/big.bin"));
      }
      store.failFrom = Infinity;
      // Bytes of the partial changed on the disk (never flushed before a crash, or edited).
      for (const name of await tempFiles(dir)) {
        if (!name.endsWith("-shared")) continue;
        using f = await Deno.open(name, { write: true });
        await f.write(new Uint8Array(16).fill(0x55));
      }
      store.starts = [];
      await using next = make();
      const path = await next.cache("s3://b/d/big.bin");
      assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
      assertEquals(store.starts[0], 0, "fetched from byte 0");
      assertEquals(await tempFiles(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a partial of an opaque ETag with vc-md5 is resumed: the vc-md5 checks it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-resume-unverifiable-" });
  try {
    const data = randomBytes(SIZE, 12);
    const objects = new Map([["d/big.bin", {
      data,
      etag: "8f1e4b0c2d6a9e7f3b5c1d0a2e4f6b8c",
      lastModified: new Date(),
      metadata: { "vc-md5": md5Hex(data) },
      opaqueEtag: true,
    }]]);
    const store = new StoppingStore(new MemoryStore({ objects }));
    const make = () => cacheOver(dir, store);
    store.failFrom = 5;
    {
      await using first = make();
      await assertRejects(() => first.cache("s3://b/d/big.bin"));
    }
    store.failFrom = Infinity;
    store.starts = [];
    await using next = make();
    const path = await next.cache("s3://b/d/big.bin");
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
    assertEquals(store.starts[0], 4 * MiB, "resumed");
    assertEquals(await tempFiles(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
