/**
 * Edges of the cache's library API: stores a caller hands to `AssetCache` /
 * `VersionedCache` through `openStore` stay the caller's (closing the cache
 * does not close them, and the cache stays usable after `close()`); a delete
 * that waits for another process's download says so.
 */
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { InvalidInputError } from "../src/errors.ts";

const enc = new TextEncoder();

Deno.test("AssetCache.close leaves a caller's store open, and the cache usable", async () => {
  const dir = await Deno.makeTempDir();
  await using store = new MemoryStore();
  try {
    await store.put("a.csv", enc.encode("a"));
    await store.put("b.csv", enc.encode("b"));
    const assets = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      env: {},
      openStore: () => Promise.resolve(store),
    });
    assertEquals(await Deno.readTextFile(await assets.cache("s3://assets/a.csv")), "a");
    await assets.close();
    // The caller's store is still open...
    assertEquals((await store.head("b.csv"))?.size, 1);
    // ...and the cache still works through it.
    assertEquals(await Deno.readTextFile(await assets.cache("s3://assets/b.csv")), "b");
    await assets.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VersionedCache.close leaves a caller's store open", async () => {
  const dir = await Deno.makeTempDir();
  await using store = new MemoryStore();
  try {
    await Deno.writeTextFile(`${dir}/a.csv`, "a");
    const vc = new VersionedCache({
      manifest: `${dir}/m.json`,
      bucket: "s3://assets",
      cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} }),
      openStore: () => Promise.resolve(store),
    });
    await vc.add("/a.csv", `${dir}/a.csv`);
    await vc.close();
    assertEquals((await store.head("a.1.0.0.csv"))?.size, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AssetCache.delete while another download holds the entry says so, and removes it after the wait", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x.txt`, "x");
    const warnings: string[] = [];
    await using assets = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      env: {},
      lockWait: 1.5,
      warn: (m) => warnings.push(m),
    });
    const uri = `file://${dir}/x.txt`;
    const path = await assets.cache(uri);
    // Another download of the entry in progress: it holds the entry's lock.
    const { acquireEntryLock } = await import("../src/cache/entry_lock.ts");
    const held = await acquireEntryLock(path);
    try {
      assertEquals(await assets.delete(uri), true);
    } finally {
      held.release();
    }
    assertEquals(warnings.length, 2, warnings.join("\n"));
    assert(warnings[0]!.includes("to finish downloading"), warnings[0]);
    assert(warnings[1]!.includes("may cache the entry again"), warnings[1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AssetCache.prune takes no options, and refuses a wrong limit as InvalidInputError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x.txt`, "x");
    await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} });
    await assets.cache(`file://${dir}/x.txt`);
    // No options: nothing is too big or too old, so nothing goes (was a TypeError).
    assertEquals((await assets.prune()).removed.length, 0);
    // Wrong values are the library's usual refusal, not a RangeError.
    for (
      const options of [{ maxBytes: -1 }, { maxBytes: "10GB" }, { olderThan: -1 }, {
        olderThan: NaN,
      }]
    ) {
      const error = await assets.prune(options as never).then(() => undefined, (e: unknown) => e);
      assert(error instanceof InvalidInputError, `${JSON.stringify(options)}: ${error}`);
    }
    assertEquals((await assets.ls()).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VersionedCache without a bucket (an unset variable) is an InvalidInputError, not a TypeError", () => {
  let error: unknown;
  try {
    new VersionedCache({ manifest: "/tmp/vc-never-read.json", bucket: undefined } as never);
  } catch (e) {
    error = e;
  }
  assert(error instanceof InvalidInputError, String(error));
  assert(error.message.includes("the option bucket is required"), error.message);
});
