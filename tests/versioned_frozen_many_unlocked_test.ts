/**
 * Under `--frozen`, `vc lock` and `vc sync` of a manifest whose entries are
 * not locked (a large manifest whose lock file was never made) named every
 * entry in one error: 150,000 entries made one line of 3.4 MB (`lock`) and
 * 30 MB (`sync`) on stderr. They name the first 20 and how many more.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { fillLock } from "../src/versioned/lock_ops.ts";
import { FrozenError, VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

const ENTRIES = 300;

Deno.test("frozen lock and sync of many unlocked entries name 20 and count the rest", async () => {
  await using dir = await tempDir("vc_frozen_many_unlocked_");
  const manifest: Record<string, string> = {};
  for (let i = 0; i < ENTRIES; i++) manifest[`/d/f${String(i).padStart(3, "0")}.csv`] = "1.0.0";
  manifest["/o.csv"] = "./o.csv";
  for (let i = 0; i < ENTRIES; i++) manifest[`/o/x${String(i).padStart(3, "0")}.csv`] = "./o.csv";
  await Deno.writeTextFile(join(dir.path, "m.json"), JSON.stringify(manifest, null, 4));
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket: join(dir.path, "bucket"),
    cache: new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false, env: {} }),
    frozen: true,
  });
  const overrides = await assertRejects(() => fillLock(vc), FrozenError);
  assertStringIncludes(overrides.message, "/o/x018.csv (./o.csv), and 281 more are overrides");
  assert(overrides.message.length < 2000, `${overrides.message.length} characters`);

  // Without the overrides: the unlocked entries.
  const versioned = Object.fromEntries(Object.entries(manifest).filter(([, v]) => v === "1.0.0"));
  await Deno.writeTextFile(join(dir.path, "m.json"), JSON.stringify(versioned, null, 4));
  await using again = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket: join(dir.path, "bucket"),
    cache: new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false, env: {} }),
    frozen: true,
  });
  const lock = await assertRejects(() => fillLock(again), FrozenError);
  assertStringIncludes(lock.message, "`fillLock()` would add /d/f000.csv@1.0.0, ");
  assertStringIncludes(lock.message, "/d/f019.csv@1.0.0, and 280 more to the lock file");
  assert(lock.message.length < 2000, `${lock.message.length} characters`);

  const sync = await assertRejects(() => again.syncSettled(join(dir.path, "out")), FrozenError);
  assertStringIncludes(sync.message, "/d/f000.csv@1.0.0 has no entry in lock file");
  assertStringIncludes(sync.message, "; and 280 more");
  assert(!sync.message.includes("/d/f020.csv"), "the 21st is not named");
  assert(sync.message.length < 10_000, `${sync.message.length} characters`);
});
