/**
 * A long-running process (a server calling `cache()`) whose cache dir is
 * removed under it (a cleanup job's `rm -rf ~/.cache/vc`) or replaced by a
 * file: the next download made the dir again with the umask's mode (0755,
 * readable by every user, where the README promises it private, 0700), and a
 * file in its place was blamed on two keys colliding (`the path is taken by
 * a directory or a file of another key`) instead of naming the cache dir.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import type { AssetCache } from "../src/cache/asset_cache.ts";
import type { FakeS3 } from "../src/testing/mod.ts";

/** `one.txt` and `two.txt` in bucket `b`, and a cache that has `one.txt`: its cache dir made. */
async function oneCachedOfTwo(s3: FakeS3, make: () => AssetCache): Promise<AssetCache> {
  await s3.putObject("b", "one.txt", "1");
  await s3.putObject("b", "two.txt", "2");
  const cache = make();
  await cache.cache("s3://b/one.txt");
  return cache;
}

Deno.test("a cache dir removed under a running process is made again private (0700)", {
  // No POSIX modes on Windows.
  ignore: Deno.build.os === "windows",
}, async () => {
  await withS3Cache(async (s3, make, dir) => {
    const cache = await oneCachedOfTwo(s3, make);
    assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700);
    await Deno.remove(dir, { recursive: true });
    const two = await cache.cache("s3://b/two.txt");
    assertEquals(await Deno.readTextFile(two), "2");
    assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700);
  });
});

Deno.test("a cache dir removed during a download is made again private (0700)", {
  // No POSIX modes on Windows.
  ignore: Deno.build.os === "windows",
}, async () => {
  await withS3Cache(async (s3, make, dir) => {
    const cache = await oneCachedOfTwo(s3, make);
    // Removed once the download holds its locked temp file, as its GET arrives.
    let removed = false;
    s3.faults = {
      // Some fault setting makes the server consult `match` at all.
      latencyMs: 1,
      match: (t) => {
        if (t.op === "GetObject" && t.key === "two.txt" && !removed) {
          removed = true;
          Deno.removeSync(dir, { recursive: true });
        }
        return false;
      },
    };
    const two = await cache.cache("s3://b/two.txt");
    assertEquals(removed, true);
    assertEquals(await Deno.readTextFile(two), "2");
    assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700);
  });
});

Deno.test("a cache dir replaced by a file under a running process is named as such", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const cache = await oneCachedOfTwo(s3, make);
    await Deno.remove(dir, { recursive: true });
    await Deno.writeTextFile(dir, "not a cache");
    try {
      const e = await assertRejects(() => cache.cache("s3://b/two.txt"), InvalidInputError);
      assertStringIncludes(e.message, `the cache dir ${dir} is not a directory`);
      assertEquals(e.message.includes("another key"), false, e.message);
      assertEquals(await Deno.readTextFile(dir), "not a cache");
    } finally {
      // withS3Cache removes the dir recursively: a file is removed as well.
      await Deno.remove(dir);
      await Deno.mkdir(dir);
    }
  });
});
