/**
 * `VersionedCache.close()` closed its stores (and the asset cache it made)
 * at once, while an `add()`, `update()`, `sync()`, `verify()` or `path()`
 * was still running: the call went on after `close()` resolved, uploading
 * and writing the manifest (or DEST) after the user was told the instance
 * was closed. `close()` now waits for the calls in progress (they finish or
 * fail as they would), as `AssetCache.close()` does, then closes.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { testS3Options } from "./versioned_helpers.ts";

// A VersionedCache over a fake S3 bucket `b` that owns its stores, with
// `/a.csv` 1.0.0 published; every request then slowed.
async function withSlowBucket(
  fn: (vc: VersionedCache, dir: string, s3: FakeS3) => Promise<void>,
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-versioned-close-" });
  try {
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "a2.csv"), "a2\n");
    const store = testS3Options(s3);
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      store,
    });
    const vc = new VersionedCache({
      manifest: join(dir, "m.json"),
      bucket: "s3://b",
      cache,
      store,
      lock: false,
    });
    try {
      await vc.add("/a.csv", join(dir, "a.csv"));
      s3.setFaults({ latencyMs: 150 });
      await fn(vc, dir, s3);
    } finally {
      await vc.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Starts `op`, closes `vc` at once, and says whether `op` had settled when
// close() resolved, with how it settled.
async function settledAtClose<T>(
  vc: VersionedCache,
  op: () => Promise<T>,
): Promise<{ settled: boolean; result: PromiseSettledResult<T> }> {
  let settled = false;
  const running = op().finally(() => settled = true);
  running.catch(() => {}); // settled below
  await vc.close();
  const when = settled;
  const [result] = await Promise.allSettled([running]);
  return { settled: when, result: result! };
}

Deno.test("VersionedCache.close() waits for an update() still publishing", async () => {
  await withSlowBucket(async (vc, dir) => {
    const { settled, result } = await settledAtClose(
      vc,
      () => vc.update("/a.csv", join(dir, "a2.csv"), { minor: true }),
    );
    assert(settled, "close() resolved while update() was still publishing");
    assertEquals(result.status, "fulfilled");
    assertEquals(JSON.parse(await Deno.readTextFile(join(dir, "m.json"))), { "/a.csv": "1.1.0" });
  });
});

Deno.test("VersionedCache.close() waits for a sync() still copying", async () => {
  await withSlowBucket(async (vc, dir) => {
    const out = join(dir, "out");
    const { settled, result } = await settledAtClose(vc, () => vc.sync(out));
    assert(settled, "close() resolved while sync() was still copying");
    assertEquals(result.status, "fulfilled");
    assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a\n");
  });
});

Deno.test("VersionedCache.close() waits for a verify() or versions() still asking the bucket", async () => {
  await withSlowBucket(async (vc) => {
    const verified = await settledAtClose(vc, () => vc.verify());
    assert(verified.settled, "close() resolved while verify() was still asking the bucket");
    assertEquals(verified.result.status, "fulfilled");
    const listed = await settledAtClose(vc, () => vc.versions("/a.csv"));
    assert(listed.settled, "close() resolved while versions() was still listing");
    assertEquals(listed.result.status === "fulfilled" && listed.result.value, ["1.0.0"]);
  });
});

Deno.test("VersionedCache.close() waits for a path() still downloading", async () => {
  await withSlowBucket(async (vc) => {
    const { settled, result } = await settledAtClose(vc, () => vc.path("/a.csv"));
    assert(settled, "close() resolved while path() was still downloading");
    assertEquals(result.status === "fulfilled" && await Deno.readTextFile(result.value), "a\n");
  });
});
