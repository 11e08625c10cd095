/**
 * vc before 30 November's shared temp files (`.<name>.vc-tmp-<pid>-<random>`
 * only) reads `.<name>.vc-tmp-0-shared` as a temp file of pid 0, a dead
 * process, and its debris sweep (run by each download into a directory)
 * removes it, even while a current vc downloads into it. An old and a new
 * vc on one cache dir: the new one's download must still land, intact, and
 * never put another writer's file at the data path.
 */
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { md5Hex } from "../src/hash.ts";
import { FaultStore, randomBytes } from "./fixtures/fault_store.ts";
import { join } from "node:path";

async function withSlowObject(
  fn: (cache: AssetCache, temp: string, data: Uint8Array) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-shared-temp-" });
  const store = new FaultStore("s3://bucket");
  const data = randomBytes(256 * 1024);
  store.set("d/slow.bin", data);
  store.chunkSize = 16 * 1024;
  store.chunkDelayMs = 20;
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    openStore: () => Promise.resolve(store),
    warn: () => {},
  });
  try {
    await fn(cache, join(dir, "cache", "s3", "bucket", "d", ".slow.bin.vc-tmp-0-shared"), data);
  } finally {
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function untilExists(path: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await Deno.lstat(path).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${path} never appeared`);
}

Deno.test("cache: a shared temp file an older vc's sweep removed mid-download still ends in place", async () => {
  await withSlowObject(async (cache, temp, data) => {
    const got = cache.cache("s3://bucket/d/slow.bin");
    await untilExists(temp);
    await Deno.remove(temp); // what vc before the shared temp files does to it
    const path = await got;
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
    const entries = await cache.ls();
    assertEquals(entries.map((e) => e.size), [data.length]);
    assertEquals((await cache.verify()).corrupt, []);
  });
});

Deno.test("cache: a file another writer put at the shared temp path is never linked into place", async () => {
  await withSlowObject(async (cache, temp, data) => {
    const got = cache.cache("s3://bucket/d/slow.bin");
    await untilExists(temp);
    await Deno.remove(temp);
    // Another (unlocked) writer's partial file at the freed name.
    await Deno.writeTextFile(temp, "partial");
    const path = await got;
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
    assertEquals(await Deno.readTextFile(temp), "partial", "the other writer's file is its own");
    assertEquals((await cache.verify()).corrupt, []);
  });
});
