/**
 * A cache() call aborted while its download waits for a slot (all
 * `maxDownloads` taken by slow downloads) rejects at once, and its download
 * leaves the queue then: it never runs. Before, the abandoned download kept
 * its place until a slot came to it, and a cache() of the same URI asked
 * right after the abort waited for that (a new flight of a key starts once
 * its abandoned one has settled): it went to the back of the queue only
 * then, behind every call made meanwhile.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { filesUnder } from "./files_under.ts";
import { testS3Options } from "./versioned_helpers.ts";

Deno.test("cache() aborted while queued for a download slot gives its place up at once", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const k of ["slow", "x", "c"]) await s3.putObject("b", `${k}.bin`, k.repeat(100));
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_abort_queued_" });
  // The first GET (of slow.bin) is held until the end: it takes the one slot.
  let release!: () => void;
  const hold = new Promise<void>((r) => release = r);
  let sent!: () => void;
  const slowSent = new Promise<void>((r) => sent = r);
  s3.setFaults({
    hold,
    match: (t) => {
      if (t.op === "GetObject" && t.key === "slow.bin") sent();
      return t.op === "GetObject" && t.key === "slow.bin";
    },
  });
  const cache = new AssetCache({
    cacheDir: dir,
    configPath: false,
    env: {},
    store: testS3Options(s3, { maxAttempts: 1 }),
    warn: () => {},
    maxDownloads: 1,
  });
  const done: string[] = [];
  try {
    const slow = cache.cache("s3://b/slow.bin").then(() => done.push("slow"));
    await slowSent;
    const stop = new AbortController();
    const queued = cache.cache("s3://b/x.bin", { signal: stop.signal });
    // A few turns for the call to reach the queue (it fails the same if not yet there).
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    const reason = new Error("stopped by the user");
    stop.abort(reason);
    assertEquals(await assertRejects(() => queued), reason);
    // Asked again right away, then another URI: the retry comes first.
    const again = cache.cache("s3://b/x.bin").then(() => done.push("x"));
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    const other = cache.cache("s3://b/c.bin").then(() => done.push("c"));
    release();
    await Promise.all([slow, again, other]);
    assertEquals(done, ["slow", "x", "c"]);
    await cache.close();
    assertEquals(filesUnder(dir, { relative: true }).filter((f) => f.includes(".vc-tmp-")), []);
  } finally {
    release();
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});
