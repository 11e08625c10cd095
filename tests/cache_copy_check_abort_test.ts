/**
 * Before it serves a cached copy, cache() may read the whole copy: one
 * changed in place (its modification time moved) is hashed against its
 * record, and one served to a read with pinned content (`integrity`) that
 * was cached without that check has its SHA-256 taken. Seconds a GB, and the
 * caller's abort did not stop either: the call rejected, but close() (and
 * so `vc prefill` or `vc cache get` stopped by Ctrl-C) waited for the whole
 * copy to be read. Now the read stops at the abort, and a check stopped so
 * is no finding: the copy stays, its record too.
 */
import { join, toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

// Eight of the 8 MiB reads a file is hashed in.
const SIZE = 64 * 1024 * 1024;

/**
 * Runs `body` with `stop` aborted at its first read of a file in large
 * chunks (a hash's); returns how many file reads followed the abort.
 */
async function readsAfterAbort(
  stop: AbortController,
  body: () => Promise<void>,
): Promise<number> {
  const proto = Deno.FsFile.prototype;
  const original = proto.read;
  let after = 0;
  proto.read = function (this: Deno.FsFile, p: Uint8Array) {
    if (stop.signal.aborted) after++;
    else if (p.length >= 1024 * 1024) stop.abort(new Error("stopped by the user"));
    return original.call(this, p);
  };
  try {
    await body();
  } finally {
    proto.read = original;
  }
  return after;
}

/** A cache holding a 64 MiB `file://` object, and that object's URI and cached path. */
async function cachedBig(dir: string) {
  const src = join(dir, "src");
  await Deno.mkdir(src);
  const file = join(src, "big.bin");
  await Deno.writeFile(file, new Uint8Array(0));
  await Deno.truncate(file, SIZE);
  const warnings: string[] = [];
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    warn: (m) => warnings.push(m),
  });
  const uri = toFileUrl(file).href;
  const path = await cache.cache(uri);
  await cache.close();
  return { cache, uri, path, warnings };
}

Deno.test("cache() aborted while it checks a copy changed in place stops reading it, and keeps it", async () => {
  await using dir = await tempDir();
  const { cache, uri, path, warnings } = await cachedBig(dir.path);
  // Touched (as a copy restored without its times is): its bytes decide.
  const later = new Date(Date.now() + 60_000);
  await Deno.utime(path, later, later);
  // A fresh cache: the first one remembers the copy as it was.
  const again = new AssetCache({
    cacheDir: cache.dir,
    configPath: false,
    env: {},
    warn: (m) => warnings.push(m),
  });
  const stop = new AbortController();
  const after = await readsAfterAbort(stop, async () => {
    try {
      const e = await assertRejects(() => again.cache(uri, { signal: stop.signal }));
      assertEquals(e.message, "stopped by the user");
    } finally {
      await again.close();
    }
  });
  assert(stop.signal.aborted, "the copy was read");
  assert(after <= 1, `${after} reads of the copy after the abort`);
  assertEquals(warnings, []);
  assertEquals((await Deno.stat(path)).size, SIZE);
  // Not taken for changed: served as it is once checked, by the same cache
  // (which reads the whole copy for it now) and by another.
  const watch = new AbortController();
  const read = await readsAfterAbort(watch, async () => {
    try {
      assertEquals(await again.cache(uri), path);
    } finally {
      await again.close();
    }
  });
  assert(read >= SIZE / (8 * 1024 * 1024) - 1, `the copy was not read again (${read} reads)`);
  await using last = new AssetCache({ cacheDir: cache.dir, configPath: false, env: {} });
  assertEquals(await last.cache(uri), path);
  assertEquals(warnings, []);
});

Deno.test("cache() with pinned content aborted while it hashes the cached copy stops reading it", async () => {
  await using dir = await tempDir();
  const { cache, uri, path } = await cachedBig(dir.path);
  const again = new AssetCache({ cacheDir: cache.dir, configPath: false, env: {} });
  const stop = new AbortController();
  const after = await readsAfterAbort(stop, async () => {
    try {
      const e = await assertRejects(() =>
        again.cache(uri, {
          signal: stop.signal,
          integrity: { size: SIZE, sha256: "0".repeat(64) },
        })
      );
      assertEquals(e.message, "stopped by the user");
    } finally {
      await again.close();
    }
  });
  assert(stop.signal.aborted, "the copy was read");
  assert(after <= 1, `${after} reads of the copy after the abort`);
  assertEquals((await Deno.stat(path)).size, SIZE);
});
