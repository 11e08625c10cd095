// A record journal line names its entry twice: by the name before the tab
// (its data file) and by the URI in the record. A line whose URI is not the
// one the layout maps to that data file (a forged or damaged line in a
// restored cache) is no record of either: a lookup never serves it, so
// `ls` never lists that URI, `verify` never checks or removes the data as
// that URI's copy, and `prune`/`verify` drop the line as dead, leaving the
// data file where it is.
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { exists } from "./path_exists.ts";

const WRONG_MD5 = "00000000000000000000000000000000";
const HELLO_MD5 = "b1946ac92492d2347c6235b4d2611184"; // "hello\n"

Deno.test("cache ls/verify: a file:// record naming another URI is dead, its data kept", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-journal-foreign-" });
  try {
    const store = join(root, "store");
    const cacheDir = join(root, "cache");
    await Deno.mkdir(store, { recursive: true });
    await Deno.writeTextFile(join(store, "trail."), "hello\n");
    await Deno.writeTextFile(join(store, "keep"), "keep\n");
    const base = pathToFileURL(store).href;
    let trail: string;
    let keep: string;
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      trail = await cache.cache(`${base}/trail.`);
      keep = await cache.cache(`${base}/keep`);
    }
    const record = recordPathsOf(cacheDir, trail);
    // The last line for `trail%2E` wins: it now names another object.
    writeEntryRecord(record, {
      uri: `${base}/other`,
      etag: WRONG_MD5,
      md5: WRONG_MD5,
      size: 6,
      validatedAt: 0,
    });
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    assertEquals((await cache.ls()).map((e) => e.uri), [`${base}/keep`]);
    const verified = await cache.verify();
    assertEquals(verified.corrupt, []);
    assertEquals(verified.ok, 1);
    assertEquals(verified.deadRecords, 1);
    assert(await exists(trail), "the data of trail. was removed as another URI's");
    assert(await exists(keep));
    assertEquals(readEntryRecord(record), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cache ls/prune: an S3 record naming another key is dead, in any endpoint's namespace", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "vc-journal-foreign-s3-" });
  try {
    const entry = async (rel: string, uri: string, etag: string) => {
      const dataPath = join(cacheDir, rel);
      await Deno.mkdir(join(dataPath, ".."), { recursive: true });
      await Deno.writeTextFile(dataPath, "hello\n");
      const record = recordPathsOf(cacheDir, dataPath);
      writeEntryRecord(record, { uri, etag, md5: etag, size: 6, validatedAt: 0 });
      return record;
    };
    const own = await entry("s3@127.0.0.1_9000/bkt1/ok", "s3://bkt1/ok", HELLO_MD5);
    const forged = await entry("s3@127.0.0.1_9000/bkt1/trail%2E", "s3://bkt1/other", WRONG_MD5);
    // The right key under another namespace's directory (`file/…`) is no record either.
    const misplaced = await entry("file/bkt1/x", "s3://bkt1/x", HELLO_MD5);
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const listed = await cache.ls();
    assertEquals(listed.map((e) => [e.uri, e.endpoint]), [["s3://bkt1/ok", "127.0.0.1:9000"]]);
    const pruned = await cache.prune({ olderThan: 1e9 });
    assertEquals(pruned.removed, []);
    assertEquals(pruned.deadRecords, 2);
    assertEquals(readEntryRecord(forged), undefined);
    assertEquals(readEntryRecord(misplaced), undefined);
    assert(readEntryRecord(own) !== undefined);
    assert(await exists(forged.dataPath), "the data of trail. was removed as another key's");
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
