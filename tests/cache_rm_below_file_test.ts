/**
 * S3 has keys `a` and `a/b` in one bucket; a filesystem cannot hold both.
 * With `a` cached, `rm` and `invalidate` of `a/b` (or of `a/..`, which
 * encodes to a name below `a`) find nothing cached there, and say so, and
 * leave `a` as it was, instead of failing with "Not a directory".
 */
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { pruneEntries, verifyEntries } from "../src/cache/maintenance.ts";
import { MemoryStore } from "../src/store/memory.ts";

Deno.test("rm and invalidate of a key below a cached file's name: not cached, the file kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-rm-below-" });
  const store = new MemoryStore();
  await store.put("a", new TextEncoder().encode("a's bytes"));
  const cache = new AssetCache({
    cacheDir: `${dir}/cache`,
    configPath: false,
    env: {},
    openStore: () => Promise.resolve(store),
    warn: () => {},
  });
  try {
    const path = await cache.cache("s3://b/a");
    for (const uri of ["s3://b/a/b", "s3://b/a/..", "s3://b/a/x/y"]) {
      assertEquals(await cache.delete(uri), false, uri);
      assertEquals(await cache.invalidate(uri), false, uri);
    }
    assertEquals(await Deno.readTextFile(path), "a's bytes");
    assertEquals((await cache.ls()).map((e) => e.uri), ["s3://b/a"]);
    // A record for `a/b` (left from before `a` was cached): dead, dropped by
    // verify and prune, `a` kept.
    const below = recordPathsOf(cache.dir, `${path}/b`);
    for (
      const run of [
        () => verifyEntries(cache.dir),
        () => pruneEntries(cache.dir, { olderThan: 9e9 }),
      ]
    ) {
      writeEntryRecord(below, { uri: "s3://b/a/b", etag: "e", size: 1, validatedAt: 0 });
      assertEquals((await run()).deadRecords, 1);
      assertEquals(await Deno.readTextFile(path), "a's bytes");
    }
  } finally {
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});
