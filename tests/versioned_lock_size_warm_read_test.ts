/**
 * A lock entry pins size and SHA-256. A cold download checks both; a warm
 * read of a cached copy whose recorded SHA-256 matched the lock served it even
 * when the lock entry's size did not match (a lock file edited by hand or
 * merged wrong): `vc sync` copied it and `vc path` printed it, while
 * `vc verify` and a fresh cache refused the same entry. Every read path now
 * compares the size too.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { warmLookup } from "../src/cache/warm_lookup.ts";
import { IntegrityError } from "../src/errors.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

async function setup(dir: string) {
  const bucket = join(dir, "bucket");
  const cacheDir = join(dir, "cache");
  const manifest = join(dir, "versioned_assets.json");
  const lockFile = join(dir, "versioned_assets.lock.json");
  const src = join(dir, "t.csv");
  await Deno.writeTextFile(src, "good\n");
  const cache = () => new AssetCache({ cacheDir, configPath: false, env: {} });
  const reader = () => new VersionedCache({ manifest, bucket, cache: cache(), frozen: false });
  {
    await using publisher = reader();
    await publisher.add("/t.csv", src);
    // Cached and checked against the lock: its SHA-256 is recorded.
    assertEquals(await Deno.readTextFile(await publisher.path("/t.csv")), "good\n");
  }
  const lock = JSON.parse(await Deno.readTextFile(lockFile));
  const entry = lock["/t.csv@1.0.0"];
  assertEquals(entry.size, 5);
  // The size edited, the SHA-256 left as it was.
  lock["/t.csv@1.0.0"] = { size: 6, sha256: entry.sha256 };
  await Deno.writeTextFile(lockFile, JSON.stringify(lock));
  return { bucket, cacheDir, reader, sha256: entry.sha256 as string };
}

Deno.test("locked warm read: a cached copy is not served when the lock entry's size differs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { reader } = await setup(dir);
    await using assets = reader();
    await assertRejects(() => assets.path("/t.csv"), IntegrityError, "size 6 is pinned");
    const out = join(dir, "out");
    const result = await assets.syncSettled(out);
    assertEquals(result.copied, []);
    assertEquals(result.failed.length, 1);
    assert(result.failed[0]!.error instanceof IntegrityError, String(result.failed[0]!.error));
    await assertRejects(() => Deno.stat(join(out, "t.csv")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("locked warm read: the CLI's warm lookup misses when the lock entry's size differs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { bucket, cacheDir, sha256 } = await setup(dir);
    const uri = "file://" + join(bucket, "t.1.0.0.csv");
    assert(await warmLookup(uri, { cacheDir, integrity: { size: 5, sha256 } }) !== undefined);
    assertEquals(await warmLookup(uri, { cacheDir, integrity: { size: 6, sha256 } }), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
