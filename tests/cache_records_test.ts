import { assert, assertEquals } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { forgetRecords, readEntryRecord } from "../src/cache/entry_records.ts";
import { decodeMeta, writeMeta } from "../src/cache/entry_meta.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { readJournal } from "../src/cache/record_journal.ts";
import { withTempDir } from "./versioned_helpers.ts";
import { writtenLongAgo } from "./finished_file.ts";

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(fn, "vc-records-");
}

/** DIR/a.txt ("aaaa") cached once by a cache in DIR/cache, closed again. */
async function aCachedOnce(dir: string): Promise<{ uri: string; cacheDir: string; path: string }> {
  await Deno.writeTextFile(join(dir, "a.txt"), "aaaa");
  await writtenLongAgo(join(dir, "a.txt")); // a finished file
  const uri = pathToFileURL(join(dir, "a.txt")).href;
  const cacheDir = join(dir, "cache");
  await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
  return { uri, cacheDir, path: await cache.cache(uri) };
}

Deno.test("records: a cache filled by an earlier version (a record file per entry) keeps working", async () => {
  await withDir(async (dir) => {
    const { uri, cacheDir, path } = await aCachedOnce(dir);
    // Turn the entry into what an earlier version left: its record file, no journal.
    const record = recordPathsOf(cacheDir, path);
    const meta = readEntryRecord(record)!.meta;
    await Deno.remove(record.journalPath);
    forgetRecords();
    writeMeta(record.metaPath, meta);
    const old = new Date(Date.now() - 3600_000);
    await Deno.utime(record.metaPath, old, old);
    // The source changes: served from the cache only if the old record is read (no revalidation within the TTL).
    await Deno.writeTextFile(join(dir, "a.txt"), "AAAA");
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      assertEquals(await Deno.readTextFile(await cache.cache(uri)), "aaaa");
      const [entry] = await cache.ls();
      assertEquals(entry?.uri, uri);
      assertEquals(entry?.etag, meta.etag);
      // invalidate writes a journal line and retires the old record file.
      assert(await cache.invalidate(uri));
      await Deno.stat(record.metaPath).then(
        () => assert(false, "the earlier version's record file is replaced"),
        () => {},
      );
      assertEquals(readJournal(record.journalPath).get(record.recordName)?.validatedAt, 0);
      // So the next use revalidates and downloads the new content.
      assertEquals(await Deno.readTextFile(await cache.cache(uri)), "AAAA");
      assertEquals((await cache.ls()).length, 1);
      assert(await cache.delete(uri));
      assertEquals(await cache.ls(), []);
    }
  });
});

Deno.test("records: a torn last line is a miss, and the next download appends a good one", async () => {
  await withDir(async (dir) => {
    const { uri, cacheDir, path } = await aCachedOnce(dir);
    const record = recordPathsOf(cacheDir, path);
    // A crash mid-append: the line is cut short, then another entry's line follows.
    await Deno.writeTextFile(record.journalPath, `${record.recordName}\t{"v":1,"uri":"fi\n`, {
      append: true,
    });
    forgetRecords();
    assertEquals(readEntryRecord(record), undefined, "the torn line wins, as a miss");
    await Deno.writeTextFile(join(dir, "a.txt"), "bbbb");
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      assertEquals(await Deno.readTextFile(await cache.cache(uri)), "bbbb");
    }
    forgetRecords();
    assertEquals(readEntryRecord(record)?.meta.size, 4);
  });
});

Deno.test("records: a field of the wrong type makes the whole record a miss, never a weaker check", async () => {
  const good = {
    v: 1,
    uri: "s3://b/x",
    etag: "e",
    size: 1,
    validatedAt: "2026-01-01T00:00:00.000Z",
    md5: "0cc175b9c0f1b6a831c399e269772661",
    mtime: 5,
  };
  assertEquals(decodeMeta(JSON.stringify(good))?.mtime, 5);
  for (
    const bad of [
      { mtime: "5" },
      { mtime: 1.5 },
      { gone: "yes" },
      { gone: false },
      { md5: 123 },
      { md5: "not hex" },
      { sha256: 5 },
      { partSizes: "zz" },
      { partSizes: [] },
      { partSizes: [0] },
      { opaqueEtag: 1 },
    ]
  ) {
    assertEquals(decodeMeta(JSON.stringify({ ...good, ...bad })), undefined, JSON.stringify(bad));
  }
  await withDir(async (dir) => {
    const { uri, cacheDir, path } = await aCachedOnce(dir);
    // The record's time of the copy turned into a string (valid JSON), and the
    // copy edited in place at the same size: the time can no longer tell.
    const record = recordPathsOf(cacheDir, path);
    const text = await Deno.readTextFile(record.journalPath);
    await Deno.writeTextFile(record.journalPath, text.replace(/"mtime":(\d+)/, '"mtime":"$1"'));
    await Deno.writeTextFile(path, "EDIT");
    forgetRecords();
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    assertEquals(await Deno.readTextFile(await cache.cache(uri)), "aaaa");
  });
});
