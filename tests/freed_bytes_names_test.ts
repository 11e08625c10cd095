/**
 * The bytes a removal frees are one idea with one name: `AssetCache.prune`
 * (its result and progress, `vc cache prune --json`) says `freedBytes`, and
 * `Entries.sweep` (`vc serve expire`) said `bytesRemoved`, so a script
 * reporting both read two names. The sweep now says `freedBytes` too, in
 * its result and progress, and keeps `bytesRemoved` beside it (its
 * documented first name) with the same value.
 */
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../mod.ts";
import { Entries } from "../src/server/mod.ts";
import { MemoryStore } from "../src/store/mod.ts";

/** A store holding one expired entry of `size` bytes. */
async function expiredEntry(size: number): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.put(
    `meta/${"1".repeat(128)}.json`,
    new TextEncoder().encode(JSON.stringify({
      owner: "token-file:alice",
      filename: "placeholder",
      expiresAt: Date.now() - 1000,
      size,
    })),
  );
  return store;
}

Deno.test("Entries.sweep(): freedBytes in the result and the progress, bytesRemoved kept equal", async () => {
  await using store = await expiredEntry(7);
  const seen: { freedBytes?: number; bytesRemoved?: number }[] = [];
  const result = await new Entries(store).sweep({ onProgress: (p) => seen.push({ ...p }) });
  assertEquals([result.removed, result.freedBytes, result.bytesRemoved], [1, 7, 7]);
  assertEquals(seen.at(-1)?.freedBytes, 7);
  for (const p of seen) assertEquals(p.bytesRemoved, p.freedBytes);
});

Deno.test("AssetCache.prune and Entries.sweep name the freed bytes alike", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_freed_bytes_" });
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "abc");
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    await cache.cache(`file://${dir}/a.txt`);
    const pruned = await cache.prune({ maxBytes: 0 });
    await using store = await expiredEntry(3);
    const swept = await new Entries(store).sweep();
    assertEquals(pruned.freedBytes, 3);
    assertEquals(swept.freedBytes, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
