/**
 * An entry's last use is its copy's access time, marked at most once a
 * minute. One in the future (marked by a clock that ran ahead, a cache
 * restored from such a machine, the wall clock stepped back since) was
 * taken for a use within the minute and never marked again, so
 * `vc cache prune --older-than` kept the entry, and `--max-size` took it for
 * the newest, until that date came: however often it was used, `vc cache ls`
 * said it was last used years from now. A use now marks it now.
 */
import type { AssetCache } from "../src/cache/asset_cache.ts";
import { warmLookup } from "../src/cache/warm_lookup.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { assert, assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const FUTURE = new Date("2040-01-01T00:00:00Z");

/** Puts `path`'s access time at `when`, its modification time (the copy's identity) kept. */
async function setUsed(path: string, when: Date): Promise<void> {
  const { mtime } = await Deno.stat(path);
  await Deno.utime(path, when, mtime!);
}

async function lastUsed(cache: AssetCache, uri: string): Promise<number> {
  const [entry] = await cache.ls({ uri });
  return entry!.lastUsed.getTime();
}

Deno.test("a last use in the future is marked now by the next process's use", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "v1");
    const path = await make().cache("s3://b/k.txt");
    await setUsed(path, FUTURE);
    const before = Date.now();
    const again = make();
    assertEquals(await again.cache("s3://b/k.txt"), path);
    const used = await lastUsed(again, "s3://b/k.txt");
    assert(used >= before - 1000 && used <= Date.now(), `lastUsed ${new Date(used).toISOString()}`);
  });
});

Deno.test("a last use in the future is marked now by a revalidating use", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "v1");
    const path = await make().cache("s3://b/k.txt");
    await setUsed(path, FUTURE);
    const before = Date.now();
    const always = make({ timeout: 0 });
    assertEquals(await always.cache("s3://b/k.txt"), path);
    const used = await lastUsed(always, "s3://b/k.txt");
    assert(used >= before - 1000 && used <= Date.now(), `lastUsed ${new Date(used).toISOString()}`);
  });
});

Deno.test("in a running process, a use after the wall clock stepped back marks the entry", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "v1");
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const cache = make({ clock, immutableBuckets: ["b"] });
    await cache.cache("s3://b/k.txt");
    clock.jump(-3_600_000); // the wall clock steps back an hour
    await clock.advance(120_000); // past the recheck interval, and the minute between marks
    await cache.cache("s3://b/k.txt");
    assertEquals(await lastUsed(cache, "s3://b/k.txt"), clock.now());
  });
});

Deno.test("the lean warm lookup (vc path) marks a last use in the future now", async () => {
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "k.txt", "v1");
    const cache = make();
    const path = await cache.cache("s3://b/k.txt", { immutable: true });
    await setUsed(path, FUTURE);
    const now = Date.now();
    const endpoint = s3.url;
    assertEquals(await warmLookup("s3://b/k.txt", { cacheDir: dir, endpoint, now }), path);
    assertEquals((await Deno.stat(path)).atime?.getTime(), now);
  });
});

// A revalidation recorded the use in memory only, never on the copy: with
// `timeout: 0` (or `VC_CACHE_TIMEOUT=0`) an entry used on every call kept the
// last use of its download, and `prune --older-than` removed it.
Deno.test("a use that revalidates the copy marks it used", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "v1");
    const path = await make().cache("s3://b/k.txt");
    await setUsed(path, new Date(Date.now() - 2 * 86_400_000));
    const before = Date.now();
    const always = make({ timeout: 0 });
    assertEquals(await always.cache("s3://b/k.txt"), path);
    const used = await lastUsed(always, "s3://b/k.txt");
    assert(used >= before - 1000 && used <= Date.now(), `lastUsed ${new Date(used).toISOString()}`);
  });
});
