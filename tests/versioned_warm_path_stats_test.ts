/**
 * A warm `VersionedCache.path()` (the manifest and lock file unchanged, the
 * copy cached) looked at the manifest and the lock file with two async
 * `Deno.stat`s: each a trip to Deno's thread pool, ~35 µs of the call's
 * ~80 µs apiece in a hot loop (`scripts/bench/versioned_warm_path.ts`),
 * where the asset cache's own warm hit costs under 1 µs. They are
 * synchronous stats now, as the asset cache's warm checks are; every call
 * still looks, so another writer's change to either file is seen by the
 * next call.
 */
import { join } from "node:path";
import { assertEquals, assertRejects } from "./assert.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { FrozenError } from "../src/versioned/mod.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

/** Runs `fn` counting the async `Deno.stat` calls made meanwhile (in this process). */
async function countingAsyncStats(fn: () => Promise<void>): Promise<number> {
  const stat = Deno.stat;
  let count = 0;
  Deno.stat = (path) => (count++, stat(path));
  try {
    await fn();
  } finally {
    Deno.stat = stat;
  }
  return count;
}

Deno.test("a warm path() makes no async stat, and still sees the manifest and lock file change", async () => {
  await using ws = await workspace();
  const { dir, manifest } = ws;
  await ws.vc.add("/a.csv", await writeFile(dir, "a.csv", "a1\n"));
  await using vc = new VersionedCache({
    manifest,
    bucket: ws.bucket,
    cache: ws.cache,
    frozen: true,
  });
  const local = await vc.path("/a.csv");
  const stats = await countingAsyncStats(async () => {
    for (let i = 0; i < 10; i++) assertEquals(await vc.path("/a.csv"), local);
    assertEquals(await vc.pathOf(await vc.resolve("/a.csv")), local);
  });
  assertEquals(stats, 0);

  // Another writer's manifest: the next call reads it (its new, unlocked
  // entry is refused as such, not as missing from the manifest).
  await Deno.writeTextFile(manifest, JSON.stringify({ "/a.csv": "1.0.0", "/b.csv": "1.0.0" }));
  await assertRejects(() => vc.path("/b.csv"), FrozenError, "/b.csv@1.0.0 has no entry");
  assertEquals(await vc.path("/a.csv"), local);
  // Another writer's lock file without the entry: the next call (frozen) refuses it.
  const lockFile = vc.lockFile!;
  await Deno.writeTextFile(join(dir, "lock.tmp"), "{}\n");
  await Deno.rename(join(dir, "lock.tmp"), lockFile);
  await assertRejects(() => vc.path("/a.csv"), FrozenError, "no entry in lock file");
});
