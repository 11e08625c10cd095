// Group commit of journal records (src/cache/journal_batch.ts): records
// handed in during one turn share an append; every record lands, in order,
// in the right journal (split ones included), and a failed append fails
// every download of its batch without leaving unrecorded data behind.
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { RecordBatcher } from "../src/cache/journal_batch.ts";
import { JOURNAL_NAME, journalName } from "../src/cache/layout.ts";
import {
  appendRecord,
  appendRecords,
  isSplitJournal,
  keepJournalsOpen,
  lookupRecord,
  readJournal,
} from "../src/cache/record_journal.ts";
import { md5Hex } from "../src/hash.ts";
import { withTempDir } from "./versioned_helpers.ts";

function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  return withTempDir(async (dir) => {
    try {
      await fn(dir);
    } finally {
      forgetRecords();
    }
  }, "vc-batch-");
}

const meta = (name: string, etag: string) => ({
  uri: `s3://b/${name}`,
  etag,
  size: 1,
  validatedAt: 0,
});

Deno.test("record batcher: records of one turn share an append per journal; later ones start a new batch", async () => {
  await withDir(async (dir) => {
    const j1 = `${dir}/one/%records.jsonl`;
    const j2 = `${dir}/two/%records.jsonl`;
    const batcher = new RecordBatcher();
    await Promise.all([
      batcher.append(j1, "a", meta("a", "1")),
      batcher.append(j2, "b", meta("b", "2")),
      batcher.append(j1, "c", meta("c", "3")),
      batcher.append(j1, "a", meta("a", "4")), // the last line for a name wins
    ]);
    assertEquals(batcher.appends, 2, "one append per journal");
    await batcher.append(j1, "d", meta("d", "5"));
    assertEquals(batcher.appends, 3, "a record after the flush is a batch of its own");
    forgetRecords(); // read as another process would
    assertEquals(
      (await Deno.readTextFile(j1)).split("\n").filter((l) => l !== "").map((l) =>
        l.split("\t")[0]
      ),
      ["a", "c", "a", "d"],
      "in the order handed in",
    );
    const a = lookupRecord(j1, "a");
    assert(a.kind === "record" && a.meta?.etag === "4", JSON.stringify(a));
    assertEquals([...readJournal(j2).keys()], ["b"]);
  });
});

Deno.test("record batcher: a failed append rejects every record of its batch; the next batch is written", async () => {
  await withDir(async (dir) => {
    const j = `${dir}/.meta/%records.jsonl`;
    await Deno.mkdir(j, { recursive: true }); // a directory where the journal goes
    const batcher = new RecordBatcher();
    const results = await Promise.allSettled([
      batcher.append(j, "a", meta("a", "1")),
      batcher.append(j, "b", meta("b", "2")),
    ]);
    assertEquals(results.map((r) => r.status), ["rejected", "rejected"]);
    assertEquals(batcher.appends, 1);
    await Deno.remove(j);
    await batcher.append(j, "c", meta("c", "3"));
    assertEquals(
      [...readJournal(j).keys()],
      ["c"],
      "nothing of the failed batch, the next one whole",
    );
  });
});

Deno.test("record journal: records appended at once to a split directory go to each name's split journal", async () => {
  await withDir((dir) => {
    const journal = join(dir, ".meta", JOURNAL_NAME);
    const big = (i: number) => ({
      uri: `s3://b/${"long-prefix/".repeat(20)}part-${i}.bin`,
      etag: md5Hex(`${i}`),
      size: 1,
      validatedAt: 1,
    });
    const done = keepJournalsOpen();
    try {
      for (let i = 0; i < 1500; i++) appendRecord(journal, `part-${i}.bin`, big(i));
      assert(isSplitJournal(journal), "split past the threshold");
      const names = Array.from({ length: 40 }, (_, i) => `new-${i}.bin`);
      appendRecords(
        journal,
        names.map((name, i) => ({ name, meta: { ...big(i), etag: `n${i}` } })),
      );
      forgetRecords();
      for (const [i, name] of names.entries()) {
        const own = join(dir, ".meta", journalName(name));
        assertEquals(readJournal(own).get(name)?.etag, `n${i}`, name);
        const found = lookupRecord(journal, name);
        assert(found.kind === "record" && found.meta?.etag === `n${i}`, name);
      }
      assert(
        new Set(names.map(journalName)).size > 1,
        "the names fall in several split journals (the test covers the grouping)",
      );
    } finally {
      done();
    }
  });
});

Deno.test("cache(): downloads finishing together all get their record; another process's cache finds every one", async () => {
  await withDir(async (dir) => {
    const uris = await sourceFiles(dir, 60);
    const cacheDir = join(dir, "cache");
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      const paths = await Promise.all(uris.map((u) => cache.cache(u)));
      for (const [i, p] of paths.entries()) {
        assertEquals(await Deno.readTextFile(p), `content ${i}`);
      }
    }
    forgetRecords(); // as a new process
    await using again = new AssetCache({ cacheDir, configPath: false, env: {} });
    const entries = await again.ls();
    assertEquals(entries.length, 60, "a record per download");
    assertEquals(new Set(entries.map((e) => e.uri)).size, 60);
  });
});

Deno.test("cache(): a record append that fails fails every download of its batch and leaves no unrecorded data", async () => {
  await withDir(async (dir) => {
    const uris = await sourceFiles(dir, 8);
    const cacheDir = join(dir, "cache");
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    // The journal of the sources' directory cannot be written (a directory
    // stands where it goes): find where by caching one file elsewhere first.
    const probe = await cache.cache(uris[0]!);
    const dataDir = join(probe, "..");
    const journal = await findJournal(cacheDir);
    await Deno.remove(journal);
    await Deno.mkdir(journal);
    await Deno.remove(probe);
    const results = await Promise.allSettled(uris.slice(1).map((u) => cache.cache(u)));
    for (const r of results) {
      assert(r.status === "rejected", "every download of the batch fails");
      assert(String(r.reason).includes("records"), `names the journal: ${r.reason}`);
    }
    // Emptied, the directory is removed too (nothing was cached in it).
    const left = await Array.fromAsync(Deno.readDir(dataDir)).then(
      (entries) => entries.map((e) => e.name),
      (e) => e instanceof Deno.errors.NotFound ? [] : Promise.reject(e),
    );
    assertEquals(left.filter((name) => /^f\d+\.txt$/.test(name)), [], "no unrecorded data left");
  });
});

/** `count` small files in `dir/src` (`content <i>`); their `file://` URIs. */
async function sourceFiles(dir: string, count: number): Promise<string[]> {
  const src = join(dir, "src");
  await Deno.mkdir(src);
  const uris: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = join(src, `f${i}.txt`);
    await Deno.writeTextFile(file, `content ${i}`);
    uris.push(pathToFileURL(file).href);
  }
  return uris;
}

async function findJournal(dir: string): Promise<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isFile && e.name === JOURNAL_NAME) return path;
    if (e.isDirectory) {
      const found = await findJournal(path).catch(() => "");
      if (found !== "") return found;
    }
  }
  throw new Deno.errors.NotFound(`no journal under ${dir}`);
}

Deno.test("record batcher: a record appended alone is written before its promise resolves", async () => {
  await withDir(async (dir) => {
    const j = `${dir}/%records.jsonl`;
    const batcher = new RecordBatcher();
    const pending = batcher.append(j, "a", meta("a", "1"));
    assertThrows(() => Deno.statSync(j), Deno.errors.NotFound); // not written yet
    await pending;
    const a = lookupRecord(j, "a");
    assert(a.kind === "record" && a.meta?.etag === "1");
  });
});
