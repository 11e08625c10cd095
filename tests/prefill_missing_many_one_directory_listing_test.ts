/**
 * `vc prefill` against a bucket that lacks the manifest's versions (a
 * mistyped prefix, `s3://b/tema` for `s3://b/team`) explained each missing
 * entry alone: the letter-case hint of its error listed the entry's
 * directory again for every entry, 30 LISTs of `team/data/` for 30 entries
 * there, where `vc sync` and `vc verify` list it once per call. A
 * directory's read is now shared by the failures of one prefill run.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { MISSING_ENTRIES, missingEntriesBucket } from "./missing_entries_bucket.ts";

Deno.test("prefill: many missing entries of one directory list it once per run", async () => {
  await using fixture = await missingEntriesBucket("vc_prefill_missing_many_one_directory_");
  const { proxied, lists, store } = fixture;
  await using cache = new AssetCache({
    cacheDir: join(fixture.dir, "cache"),
    configPath: false,
    env: {},
    store,
    warn: () => {},
  });
  await using vc = new VersionedCache({
    manifest: fixture.manifest,
    bucket: "s3://b/team",
    store,
    cache,
  });
  // Few slots: the failures come in turns, not all at once.
  const summary = await prefill({ cache, versioned: [vc], concurrency: 2 });
  assertEquals([summary.fetched, summary.failed.length], [0, MISSING_ENTRIES + 1]);
  const other = summary.failed.find((f) => f.item === "/data/other.csv")!;
  assertStringIncludes(other.error, "but /data/Other.csv, which differs from it");
  assertEquals(lists.get("team/data/"), 1, JSON.stringify([...lists]));
  // Each entry's own versions are still listed.
  assertEquals(lists.get("team/data/f7."), 1);
  assert(!lists.has(""), "the whole bucket is never listed");

  // The next run reads the directory afresh: a twin published meanwhile is named.
  lists.clear();
  await proxied.fake.putObject("b", "team/data/F7.1.0.0.csv", "f");
  const again = await prefill({ cache, versioned: [vc], concurrency: 2 });
  const f7 = again.failed.find((f) => f.item === "/data/f7.csv")!;
  assertStringIncludes(f7.error, "but /data/F7.csv, which differs from it only in letter case");
  assertEquals(lists.get("team/data/"), 1);
});
