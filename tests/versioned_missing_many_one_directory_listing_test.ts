/**
 * `vc sync`, `vc verify` and `vc lock` against a bucket that lacks the
 * manifest's versions (a mistyped prefix, `s3://b/tema` for `s3://b/team`)
 * explained each missing entry alone: beside its own versions' LISTs, the
 * letter-case hint listed the entry's directory again for every entry, 30
 * LISTs of `tema/data/` for 30 entries there. A directory's read is now
 * shared by the entries of one call; a later call reads it afresh.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { MISSING_ENTRIES, missingEntriesBucket } from "./missing_entries_bucket.ts";

Deno.test("sync, verify: many missing entries of one directory list it once per call", async () => {
  await using fixture = await missingEntriesBucket("vc_missing_many_one_directory_");
  const { proxied, lists } = fixture;
  // Its own cache, not the user's ~/.cache/vc.
  await using cache = new AssetCache({
    cacheDir: join(fixture.dir, "cache"),
    configPath: false,
    env: {},
    store: fixture.store,
  });
  await using vc = new VersionedCache({
    cache,
    manifest: fixture.manifest,
    bucket: "s3://b/team",
    store: fixture.store,
  });
  const synced = await vc.syncSettled(join(fixture.dir, "out"));
  assertEquals([synced.copied.length, synced.failed.length], [0, MISSING_ENTRIES + 1]);
  const other = synced.failed.find((f) => f.path === "/data/other.csv")!;
  assertStringIncludes(String(other.error), "but /data/Other.csv, which differs from it");
  assertEquals(lists.get("team/data/"), 1);
  // Each entry's own versions are still listed (under both prefixes).
  assertEquals(lists.get("team/data/f7."), 1);
  assertEquals(lists.get("team//data/f7."), 1);

  lists.clear();
  const verified = await vc.verify();
  assertEquals(verified.filter((r) => !r.ok).length, MISSING_ENTRIES + 1);
  assertEquals(lists.get("team/data/"), 1);

  // The next call reads the directory afresh: a twin published meanwhile is named.
  lists.clear();
  await proxied.fake.putObject("b", "team/data/F7.1.0.0.csv", "f");
  const error = await assertRejects(() => vc.path("/data/f7.csv"), NotFoundError);
  assertStringIncludes(
    error.message,
    "but /data/F7.csv, which differs from it only in letter case",
  );
  assertEquals(lists.get("team/data/"), 1);
  assert(!lists.has(""), "the whole bucket is never listed");
});
