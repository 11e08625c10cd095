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
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { tempDir } from "./versioned_helpers.ts";

const ENTRIES = 30;

Deno.test("sync, verify: many missing entries of one directory list it once per call", async () => {
  // Listings by prefix.
  const lists = new Map<string, number>();
  await using proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (url.searchParams.has("list-type")) {
      const prefix = url.searchParams.get("prefix") ?? "";
      lists.set(prefix, (lists.get(prefix) ?? 0) + 1);
    }
    return await forward();
  });
  await proxied.fake.putObject("b", "team/data/Other.1.0.0.csv", "o");
  await using dir = await tempDir("vc_missing_many_one_directory_");
  const manifest: Record<string, string> = {};
  for (let i = 0; i < ENTRIES; i++) manifest[`/data/f${i}.csv`] = "1.0.0";
  // A twin in letter case, found from the same one read of the directory.
  manifest["/data/other.csv"] = "1.0.0";
  await Deno.writeTextFile(join(dir.path, "m.json"), JSON.stringify(manifest));
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket: "s3://b/team",
    store: {
      s3: {
        endpoint: proxied.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      },
    },
  });
  const synced = await vc.syncSettled(join(dir.path, "out"));
  assertEquals([synced.copied.length, synced.failed.length], [0, ENTRIES + 1]);
  const other = synced.failed.find((f) => f.path === "/data/other.csv")!;
  assertStringIncludes(String(other.error), "but /data/Other.csv, which differs from it");
  assertEquals(lists.get("team/data/"), 1);
  // Each entry's own versions are still listed (under both prefixes).
  assertEquals(lists.get("team/data/f7."), 1);
  assertEquals(lists.get("team//data/f7."), 1);

  lists.clear();
  const verified = await vc.verify();
  assertEquals(verified.filter((r) => !r.ok).length, ENTRIES + 1);
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
