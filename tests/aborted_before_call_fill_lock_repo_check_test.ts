// fillLock() and Repository.check() given a signal that aborted before the
// call: fillLock made the manifest's lock file (`.NAME.json.lock`, its look at
// whether the lock file may be written) before it noticed, and check() of a
// catalog with no record had nothing to look at the signal for, so it read
// the catalog and resolved. Each now rejects with the signal's reason, having
// made nothing, as the README's abort rules say every call does.
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { fillLock, VersionedCache } from "../src/versioned/mod.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir), (e) => e.name)).sort();
}

Deno.test("fillLock: a signal aborted before the call rejects with its reason, no file made", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_filllock_preaborted_" });
  try {
    await Deno.mkdir(join(dir, "bucket"));
    await Deno.writeTextFile(join(dir, "bucket", "a.1.0.0.csv"), "a");
    const manifest = join(dir, "versioned_assets.json");
    await Deno.writeTextFile(manifest, JSON.stringify({ "/a.csv": "1.0.0" }));
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using vc = new VersionedCache({
      manifest,
      bucket: `file://${join(dir, "bucket")}`,
      cache,
    });
    const before = await names(dir);
    const reason = new Error("aborted already");
    const error = await assertRejects(() => fillLock(vc, { signal: AbortSignal.abort(reason) }));
    assertEquals(error, reason);
    assertEquals(await names(dir), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Repository.check: a signal aborted before the call rejects with its reason, also with no record", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_check_preaborted_" });
  try {
    await using repo = await Repository.init(`file://${join(dir, "store")}`, {
      catalog: `sqlite:${join(dir, "catalog.sqlite")}`,
    });
    const reason = new Error("aborted already");
    const error = await assertRejects(() => repo.check({ signal: AbortSignal.abort(reason) }));
    assertEquals(error, reason);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
