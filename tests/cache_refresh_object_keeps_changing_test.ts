/**
 * A revalidation whose HEAD finds a new version, of an object rewritten
 * again and again while its ranged download runs (a file regenerated every
 * few seconds): the downloader starts over once, and gives up when it
 * changes a second time. That refusal failed `cache()` with a good copy at
 * hand, where every other new version that cannot be downloaded (a proxy
 * cutting bodies short, a captive portal's page) serves the cached copy
 * with a warning. Now it is served so too, the copy left as it was, and the
 * warning says why; the next call asks again.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { FaultStore, randomBytes } from "./fixtures/fault_store.ts";
import { join } from "node:path";

const SIZE = 3 * 1024 * 1024;

/** Replaces `key` with new bytes after each GET while `churn` is set. */
class ChurningStore extends FaultStore {
  churn = false;
  #seed = 10;
  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const got = await super.get(key, options);
    if (this.churn) this.set(key, randomBytes(SIZE, this.#seed++));
    return got;
  }
}

Deno.test("cache: a revalidation of an object that keeps changing during its download serves the cached copy with a warning", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-refresh-keeps-changing-" });
  const store = new ChurningStore("s3://bucket");
  const warnings: string[] = [];
  const open = () =>
    new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      timeout: 0,
      openStore: () => Promise.resolve(store),
      warn: (m) => warnings.push(m),
      download: { parallelThreshold: 1024 * 1024, partSize: 1024 * 1024, concurrency: 2 },
    });
  try {
    const first = randomBytes(SIZE, 1);
    store.set("d/x.bin", first);
    let path: string;
    {
      await using cache = open();
      path = await cache.cache("s3://bucket/d/x.bin");
    }
    store.set("d/x.bin", randomBytes(SIZE, 2));
    store.churn = true;
    await using cache = open();
    assertEquals(await cache.cache("s3://bucket/d/x.bin"), path);
    assertEquals(await Deno.readFile(path), first, "the copy is left as it was");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "cannot download the new version the store has of");
    assertStringIncludes(warnings[0]!, "changed twice while downloading it");
    assertStringIncludes(warnings[0]!, `serving the cached copy at ${path}`);
    // Once it holds still, the next call downloads it.
    store.churn = false;
    const now = randomBytes(SIZE, 99);
    store.set("d/x.bin", now);
    await using again = open();
    assertEquals(await again.cache("s3://bucket/d/x.bin"), path);
    assertEquals(await Deno.readFile(path), now);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
