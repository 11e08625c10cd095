/**
 * A revalidation whose HEAD announces a new version, the object then
 * deleted before its GET (a lifecycle rule expiring it, a delete and put
 * that lost its put): the GET's 404 is the store's last word. The copy is
 * recorded as gone, as after a HEAD's confirmed 404, so no later process
 * serves it, offline included, and the error says the copy is kept, not the
 * cold miss's "it would be cached at PATH" for a path that holds a copy.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../src/errors.ts";
import type { ObjectInfo } from "../src/store/types.ts";
import { FaultStore, randomBytes } from "./fixtures/fault_store.ts";
import { join } from "node:path";

/** Deletes `key` right after answering a HEAD of it, while told to. */
class DeletingAfterHead extends FaultStore {
  deleteAfterHead = false;
  override async head(key: string, options: { signal?: AbortSignal } = {}) {
    const info: ObjectInfo | undefined = await super.head(key, options);
    if (this.deleteAfterHead) this.objects.delete(key);
    return info;
  }
}

Deno.test("cache: an object deleted between a revalidation's HEAD and GET is recorded as gone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-refresh-deleted-before-get-" });
  const store = new DeletingAfterHead("s3://bucket");
  const open = (offline = false) =>
    new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      timeout: 0,
      offline,
      openStore: () => Promise.resolve(store),
      warn: () => {},
    });
  try {
    store.set("d/x.bin", randomBytes(1000));
    let dataPath: string;
    {
      await using cache = open();
      dataPath = await cache.cache("s3://bucket/d/x.bin");
    }
    store.set("d/x.bin", randomBytes(1200));
    store.deleteAfterHead = true;
    {
      await using cache = open();
      const e = await assertRejects(() => cache.cache("s3://bucket/d/x.bin"), NotFoundError);
      assertStringIncludes(e.message, "no longer exists in the store");
      assertStringIncludes(e.message, `the cached copy at ${dataPath} is kept`);
      assert(!e.message.includes("would be cached"), e.message);
      const [entry] = await cache.ls();
      assertEquals(entry?.gone, true);
    }
    // Another process, offline: the store said it is deleted, so not served.
    await using offline = open(true);
    await assertRejects(() => offline.cache("s3://bucket/d/x.bin"), NotFoundError);
    assertEquals((await Deno.readFile(dataPath)).length, 1000); // the copy stays on disk
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
