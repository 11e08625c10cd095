/**
 * A store a caller's `openStore` returns stays the caller's, in `mirror` as
 * in `AssetCache`: one opener shared by a cache and a mirror (the README's
 * `openStore: () => Promise.resolve(store)`) used to have the mirror close
 * the store when it ended, and the cache's next read failed with "closed".
 * The stores the default opener opens are still closed with the mirror.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { Mirror, mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { assertEquals } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

const utf8 = new TextEncoder();

Deno.test("mirror: a store from the caller's openStore is not closed; a cache sharing it keeps working", async () => {
  await using w = await tempDir();
  await using store = new MemoryStore();
  await store.put("a.txt", utf8.encode("a"));
  await store.put("b.txt", utf8.encode("b"));
  const openStore = () => Promise.resolve<ObjectStore>(store);
  await using assets = new AssetCache({
    cacheDir: join(w.dir, "cache"),
    configPath: false,
    env: {},
    openStore,
  });
  assertEquals(await Deno.readTextFile(await assets.cache("s3://assets/a.txt")), "a");
  const report = await mirror({
    sources: ["s3://assets"],
    target: join(w.dir, "down"),
    statePath: join(w.dir, "down.db"),
    openStore,
  });
  assertEquals(report.transferred, 2);
  // The mirror is done: the store is still the cache's (and the caller's).
  assertEquals(await Deno.readTextFile(await assets.cache("s3://assets/b.txt")), "b");
  // Upload, and a Mirror closed explicitly: the same.
  await writeTree(join(w.dir, "up"), { "c.txt": "c" });
  {
    await using m = await Mirror.open({
      sources: [join(w.dir, "up")],
      target: "s3://assets",
      statePath: join(w.dir, "up.db"),
      openStore,
    });
    assertEquals((await m.run()).transferred, 1);
  }
  assertEquals(await Deno.readTextFile(await assets.cache("s3://assets/c.txt")), "c");
});

Deno.test("mirror: the stores the default opener opens are closed with the mirror", async () => {
  await using w = await tempDir();
  await writeTree(join(w.dir, "src"), { "a.txt": "a" });
  // Deno's resource sanitizer fails this test if the file:// store stays open.
  const report = await mirror({
    sources: [`file://${join(w.dir, "src")}`],
    target: join(w.dir, "down"),
    statePath: join(w.dir, "s.db"),
  });
  assertEquals(report.transferred, 1);
});
