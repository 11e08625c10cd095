import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { pathToFileURL } from "node:url";
import { pastChangeSecond } from "./ctime_second.ts";

const DAY = 86_400_000;

async function withFileCache(
  fn: (cache: AssetCache, root: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "vc-cache-verify-keeps-last-use-" });
  try {
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, env: {} });
    await fn(cache, root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("cache verify: hashing a copy is not a use (its last use stays for prune)", async () => {
  await withFileCache(async (cache, root) => {
    await Deno.writeTextFile(`${root}/x.csv`, "x".repeat(4096));
    const uri = pathToFileURL(`${root}/x.csv`).href;
    const path = await cache.cache(uri);
    // Last used three days ago (after its download): `relatime` mounts update
    // an access time older than a day on the next read.
    const used = Date.now() - 3 * DAY;
    const { mtime } = await Deno.lstat(path);
    await Deno.utime(path, new Date(used), mtime!);
    assertEquals((await cache.ls())[0]?.lastUsed.getTime(), used);
    // Verify tells its own read from a use by the file's ctime, to the second.
    await pastChangeSecond(path);
    const r = await cache.verify();
    assertEquals([r.ok, r.corrupt.length], [1, 0]);
    assertEquals((await cache.ls())[0]?.lastUsed.getTime(), used);
    assertEquals((await Deno.lstat(path)).mtime?.getTime(), mtime!.getTime());
    // So an unused entry still goes with --older-than after a verify.
    const pruned = await cache.prune({ olderThan: DAY / 1000 });
    assertEquals(pruned.removed.map((e) => e.uri), [uri]);
  });
});
