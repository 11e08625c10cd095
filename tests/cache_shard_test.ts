/**
 * Sharded record journals (a lookup reads only the journal its name hashes
 * to), dead records (data deleted by hand), and verification of a recorded
 * SHA-256.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { forgetRecords, readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { JOURNAL_PATTERN, journalName, recordPathsOf } from "../src/cache/layout.ts";
import { verifyEntries } from "../src/cache/maintenance.ts";
import { lookupRecord, readJournal } from "../src/cache/record_journal.ts";
import { sha256Hex } from "../src/hash.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-shard-" });
  try {
    await fn(dir);
  } finally {
    forgetRecords();
    await Deno.remove(dir, { recursive: true });
  }
}

function newCache(cacheDir: string): AssetCache {
  return new AssetCache({ cacheDir, configPath: false, env: {} });
}

/** Fills a cache with `count` small files of one flat source directory; returns their URIs and cached paths. */
async function fill(dir: string, count: number): Promise<{ uris: string[]; paths: string[] }> {
  const src = join(dir, "src");
  await Deno.mkdir(src);
  const uris: string[] = [];
  const paths: string[] = [];
  await using cache = newCache(join(dir, "cache"));
  for (let i = 0; i < count; i++) {
    const file = join(src, `f${i}.txt`);
    await Deno.writeTextFile(file, `v1 ${i}`);
    uris.push(pathToFileURL(file).href);
    paths.push(await cache.cache(uris[i]!));
  }
  return { uris, paths };
}

async function journalsIn(metaDir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(metaDir)) if (JOURNAL_PATTERN.test(e.name)) out.push(e.name);
  return out.sort();
}

Deno.test("shards: a lookup reads only the journal its name hashes to", async () => {
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    const { uris, paths } = await fill(dir, 40);
    const target = recordPathsOf(cacheDir, paths[0]!);
    const metaDir = join(target.journalPath, "..");
    const journals = await journalsIn(metaDir);
    assert(journals.length > 1, `40 names spread over several journals: ${journals}`);
    // Every line sits in the journal its name hashes to.
    let lines = 0;
    for (const name of journals) {
      for (const recordName of readJournal(join(metaDir, name)).keys()) {
        assertEquals(journalName(recordName), name, recordName);
        lines++;
      }
    }
    assertEquals(lines, 40);
    // Every other journal now says the target was removed (and holds junk):
    // a lookup that read them would miss.
    for (const name of journals) {
      if (name === journalName(target.recordName)) continue;
      await Deno.writeTextFile(join(metaDir, name), `${target.recordName}\t-\nnot a record\n`, {
        append: true,
      });
    }
    forgetRecords(); // a fresh process
    // The source changes: served from the cache only when the target's record is read.
    await Deno.writeTextFile(new URL(uris[0]!), "v2 0");
    await using cache = newCache(cacheDir);
    assertEquals(await Deno.readTextFile(await cache.cache(uris[0]!)), "v1 0");
  });
});

Deno.test("shards: ls, delete, prune and compaction work over every journal of a directory", async () => {
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    const { uris, paths } = await fill(dir, 24);
    const metaDir = join(recordPathsOf(cacheDir, paths[0]!).journalPath, "..");
    await using cache = newCache(cacheDir);
    assertEquals((await cache.ls()).map((e) => e.uri).sort(), [...uris].sort());
    for (const uri of uris.slice(0, 12)) assert(await cache.delete(uri), uri);
    assertEquals((await cache.ls()).length, 12);
    forgetRecords();
    for (const [i, path] of paths.entries()) {
      const r = recordPathsOf(cacheDir, path);
      // Removed: a `-` line, or no line once compaction dropped it.
      assertEquals(lookupRecord(r.journalPath, r.recordName).kind === "record", i >= 12);
    }
    const pruned = await cache.prune({ maxBytes: 0 });
    assertEquals(pruned.removed.length, 12);
    // Every journal was emptied, so compacted away, and the directories with them.
    await assertRejects(() => Deno.stat(metaDir), Deno.errors.NotFound);
  });
});

Deno.test("dead records: a data file deleted by hand is a miss, and prune/verify drop its record", async () => {
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    const { uris, paths } = await fill(dir, 3);
    for (const uri of uris) await Deno.writeTextFile(new URL(uri), "v2");
    // A lookup (a fresh process, and the process that cached it) downloads it again.
    await Deno.remove(paths[0]!);
    forgetRecords();
    {
      const clock = new ManualClock();
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, clock });
      assertEquals(await Deno.readTextFile(await cache.cache(uris[0]!)), "v2");
      await Deno.remove(paths[0]!);
      // In memory, the file is checked again after a second (the warm path does no I/O).
      await clock.advance(1_001);
      assertEquals(await Deno.readTextFile(await cache.cache(uris[0]!)), "v2");
    }
    // Maintenance drops records whose data is gone: a `-` line, then compaction.
    await Deno.remove(paths[1]!);
    await Deno.remove(paths[2]!);
    const dead1 = recordPathsOf(cacheDir, paths[1]!);
    const dead2 = recordPathsOf(cacheDir, paths[2]!);
    await using cache = newCache(cacheDir);
    const dry = await cache.prune({ maxBytes: 1 << 30, dryRun: true });
    assertEquals(dry.deadRecords, 1 + 1);
    assertEquals(lookupRecord(dead1.journalPath, dead1.recordName).kind, "record");
    const pruned = await cache.prune({ maxBytes: 1 << 30 });
    assertEquals(pruned.removed, []);
    assertEquals(pruned.deadRecords, 2);
    forgetRecords();
    for (const r of [dead1, dead2]) {
      assert(!readJournal(r.journalPath).has(r.recordName), r.recordName);
      assert(lookupRecord(r.journalPath, r.recordName).kind !== "record", r.recordName);
    }
    assertEquals((await cache.ls()).map((e) => e.uri), [uris[0]]);
    // verify drops them too (and nothing else).
    await Deno.remove(paths[0]!);
    const verified = await verifyEntries(cacheDir);
    assertEquals(verified.deadRecords, 1);
    assertEquals(verified.corrupt, []);
    const r0 = recordPathsOf(cacheDir, paths[0]!);
    assertEquals(readEntryRecord(r0), undefined);
    assert(lookupRecord(r0.journalPath, r0.recordName).kind !== "record");
  });
});

Deno.test("verify: a same-size edit of an entry with a recorded SHA-256 and an opaque ETag is caught", async () => {
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    const { uris, paths } = await fill(dir, 2);
    // What a locked read records: SHA-256, no MD5; and an ETag that says nothing about the content.
    for (const path of paths) {
      const r = recordPathsOf(cacheDir, path);
      const { md5: _md5, ...meta } = readEntryRecord(r)!.meta;
      const text = await Deno.readTextFile(path);
      writeEntryRecord(r, { ...meta, etag: "opaque-etag", sha256: sha256Hex(text) });
    }
    await Deno.writeTextFile(paths[0]!, "V1 0"); // same size, other bytes
    await Deno.writeTextFile(paths[1]!, "V1 1");
    // copyVerified refuses the edited copy (and drops it).
    await using cache = newCache(cacheDir);
    await assertRejects(
      () => cache.copyVerified(paths[1]!, join(dir, "out.txt")),
      Error,
      "failed verification",
    );
    const result = await verifyEntries(cacheDir);
    assertEquals(result.ok, 0);
    assertEquals(result.corrupt.map((e) => e.uri), [uris[0]]);
    assert(/sha-?256/i.test(result.corrupt[0]!.problem ?? ""), result.corrupt[0]!.problem);
  });
});
