/**
 * Split record journals (a large directory's lookup reads only the journal
 * its name hashes to), dead records (data deleted by hand), and verification of a recorded
 * SHA-256.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { forgetRecords, readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import {
  JOURNAL_NAME,
  JOURNAL_PATTERN,
  JOURNAL_SHARDS,
  journalName,
  recordPathsOf,
} from "../src/cache/layout.ts";
import { listEntries, pruneEntries, verifyEntries } from "../src/cache/maintenance.ts";
import {
  appendRecord,
  isSplitJournal,
  keepJournalsOpen,
  lookupRecord,
  readJournal,
} from "../src/cache/record_journal.ts";
import { md5Hex, sha256Hex } from "../src/hash.ts";
import { walkFiles } from "../src/walk.ts";
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

/** A record with a long URI (~330-byte lines), so a directory splits after ~800 of them. */
function bigMeta(i: number) {
  return {
    uri: `s3://b/${"long-prefix/".repeat(20)}part-${i}.bin`,
    etag: md5Hex(`${i}`),
    md5: md5Hex(`${i}`),
    size: 1,
    validatedAt: 1,
  };
}

Deno.test("split journals: a small directory has one journal; a large one is split and a lookup reads only its name's", async () => {
  await withDir(async (dir) => {
    const journal = join(dir, ".meta", JOURNAL_NAME);
    const done = keepJournalsOpen();
    try {
      for (let i = 0; i < 100; i++) appendRecord(journal, `part-${i}.bin`, bigMeta(i));
      assertEquals(await journalsIn(join(dir, ".meta")), [], "small: one journal");
      for (let i = 100; i < 1500; i++) appendRecord(journal, `part-${i}.bin`, bigMeta(i));
    } finally {
      done();
    }
    assert(isSplitJournal(journal), "split once past the threshold");
    assertEquals(await Deno.readTextFile(journal), `%split\t${JOURNAL_SHARDS}\n`);
    const files = await journalsIn(join(dir, ".meta"));
    assertEquals(files.length, JOURNAL_SHARDS);
    // Every record is in the journal its name hashes to, once.
    let lines = 0;
    for (const name of files) {
      for (const recordName of readJournal(join(dir, ".meta", name)).keys()) {
        assertEquals(journalName(recordName), name, recordName);
        lines++;
      }
    }
    assertEquals(lines, 1500);
    // Appends after the split go to the split journals.
    appendRecord(journal, "part-7.bin", { ...bigMeta(7), etag: "new" });
    const target = "part-7.bin";
    const own = join(dir, ".meta", journalName(target));
    assertEquals(readJournal(own).get(target)?.etag, "new");
    // Every other split journal now says the target was removed (and holds
    // junk): a lookup that read them would miss.
    for (const name of files) {
      if (name === journalName(target)) continue;
      await Deno.writeTextFile(join(dir, ".meta", name), `${target}\t-\nnot a record\n`, {
        append: true,
      });
    }
    forgetRecords(); // a fresh process
    const found = lookupRecord(journal, target);
    assert(found.kind === "record" && found.meta?.etag === "new", JSON.stringify(found));
    const other = files.find((name) => name !== journalName(target))!;
    assertEquals(lookupRecord(join(dir, ".meta", other), target).kind, "removed");
    assert((await Deno.stat(own)).size < 1500 * 330 / 8, "the split journal is a fraction");
  });
});

Deno.test("split journals: ls, prune and compaction work over a split directory", async () => {
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    // Where bigMeta's URIs map: maintenance takes a record naming another
    // URI than its entry's for a dead one.
    const dataDir = join(cacheDir, "s3", "b", ...Array(20).fill("long-prefix"));
    await Deno.mkdir(dataDir, { recursive: true });
    const count = 1200;
    const done = keepJournalsOpen();
    try {
      for (let i = 0; i < count; i++) {
        const r = recordPathsOf(cacheDir, join(dataDir, `part-${i}.bin`));
        await Deno.writeTextFile(r.dataPath, "x");
        appendRecord(r.journalPath, r.recordName, bigMeta(i));
      }
    } finally {
      done();
    }
    const first = recordPathsOf(cacheDir, join(dataDir, "part-0.bin"));
    assert(isSplitJournal(first.journalPath));
    assertEquals((await listEntries(cacheDir)).length, count);
    // A leftover of an interrupted split in an unsplit directory is not read.
    const small = recordPathsOf(cacheDir, join(cacheDir, "s3", "c", "y.bin"));
    await Deno.mkdir(join(cacheDir, "s3", "c"));
    await Deno.writeTextFile(small.dataPath, "y");
    appendRecord(small.journalPath, small.recordName, { ...bigMeta(0), uri: "s3://c/y.bin" });
    await Deno.writeTextFile(
      join(small.journalPath, "..", journalName("z.bin")),
      `z.bin\t${JSON.stringify({ v: 1, ...bigMeta(1) })}\n`,
    );
    assertEquals((await listEntries(cacheDir)).length, count + 1);
    await Deno.remove(join(small.journalPath, "..", journalName("z.bin")));
    forgetRecords();
    const pruned = await pruneEntries(cacheDir, { maxBytes: 0 });
    assertEquals(pruned.removed.length, count + 1);
    // Every journal was emptied, so compacted away, the split mark with them, and the
    // directories.
    const left: string[] = [];
    for await (const f of walkFiles(cacheDir)) left.push(f.key);
    assertEquals(left, []);
    // (`.meta` itself stays, by design.)
    assertEquals([...Deno.readDirSync(join(cacheDir, ".meta"))], []);
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

Deno.test("split journals: two processes appending through a split lose no record", async () => {
  await withDir(async (dir) => {
    const journal = join(dir, ".meta", JOURNAL_NAME);
    const module = new URL("../src/cache/record_journal.ts", import.meta.url).href;
    const child = (who: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `import { appendRecord, keepJournalsOpen } from ${JSON.stringify(module)};
           const done = keepJournalsOpen();
           for (let i = 0; i < 900; i++) {
             const uri = "s3://b/" + "long-prefix/".repeat(20) + "${who}-" + i;
             appendRecord(${
            JSON.stringify(journal)
          }, "${who}-" + i, { uri, etag: "e", size: 1, validatedAt: i });
           }
           done();`,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
    // Rounds of two appenders at full speed until the journal has split
    // while both appended (on a loaded machine a split check can lose the
    // race for its lock all through one round; bounded).
    const names: string[] = [];
    for (let round = 0; round < 4 && (round === 0 || !isSplitJournal(journal)); round++) {
      const who = [`a${round}`, `b${round}`];
      const results = await Promise.all(who.map(child));
      for (const r of results) assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
      names.push(...who);
      forgetRecords();
    }
    assert(isSplitJournal(journal), "split while both appended");
    for (const who of names) {
      for (let i = 0; i < 900; i++) {
        const found = lookupRecord(journal, `${who}-${i}`);
        assert(found.kind === "record" && found.meta?.validatedAt === i, `${who}-${i}`);
      }
    }
    const entries = (await journalsIn(join(dir, ".meta"))).flatMap((name) => [
      ...readJournal(join(dir, ".meta", name)).keys(),
    ]);
    assertEquals(entries.length, 900 * names.length);
  });
});

Deno.test("split journals: a split check that found the journal busy is tried again soon", async () => {
  await withDir(async (dir) => {
    const journal = join(dir, ".meta", JOURNAL_NAME);
    const meta = (i: number) => ({
      uri: "s3://b/" + "long-prefix/".repeat(20) + i,
      etag: "e",
      size: 1,
      validatedAt: i,
    });
    appendRecord(journal, "first", meta(-1));
    // Another appender's lock, held through every check of the batch.
    const other = Deno.openSync(journal, { read: true, append: true });
    try {
      other.lockSync(false);
      let i = 0;
      for (; (await Deno.stat(journal)).size < 320 * 1024; i++) {
        appendRecord(journal, `a-${i}`, meta(i));
      }
      assert(!isSplitJournal(journal), "not split while busy");
      other.unlockSync();
      // Well short of the next 64 KiB check.
      const end = (await Deno.stat(journal)).size + 8 * 1024;
      for (; (await Deno.stat(journal)).size < end && !isSplitJournal(journal); i++) {
        appendRecord(journal, `a-${i}`, meta(i));
      }
      assert(isSplitJournal(journal), "split soon after the journal was free");
      forgetRecords();
      const found = lookupRecord(journal, "a-7");
      assert(found.kind === "record" && found.meta?.validatedAt === 7);
    } finally {
      other.close();
    }
  });
});
