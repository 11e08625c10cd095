// A record append races another process's removal of the journal's emptied
// directory: `vc cache rm`/`prune`/`verify` compact an emptied journal away
// and remove the directories left empty, and a directory an appender has
// just made again for its journal is empty until its open creates the file.
// The append makes the directory again and lands its record; it never fails
// with "No such file or directory … %records.jsonl".
import { assert, assertEquals } from "./assert.ts";
import { oneFileSource } from "./one_file_source.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { appendRecord, lookupRecord } from "../src/cache/record_journal.ts";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Runs `fn` while every making of `dir` is followed, `times` times, by its
 * removal (as another process's `removeEmptyParents` does when it finds
 * it empty). Returns how many times it was removed.
 */
async function removingAfterMaking(
  dir: string,
  times: number,
  fn: () => unknown,
): Promise<number> {
  const mkdirSync = Deno.mkdirSync;
  let removed = 0;
  Deno.mkdirSync = (path: string | URL, options?: Deno.MkdirOptions) => {
    mkdirSync(path, options);
    if (String(path) === dir && removed < times) {
      removed++;
      Deno.removeSync(dir); // only while empty, like the cache's own removal
    }
  };
  try {
    await fn();
  } finally {
    Deno.mkdirSync = mkdirSync;
  }
  return removed;
}

const meta = { uri: "s3://b/d/x", etag: "e", size: 1, validatedAt: 0 };

Deno.test("appendRecord: a journal directory removed right after it was made is made again", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-journal-dir-race-" });
  try {
    const journal = join(root, ".meta", "s3", "b", "d", "%records.jsonl");
    const removed = await removingAfterMaking(
      dirname(journal),
      2,
      () => appendRecord(journal, "x", meta),
    );
    assertEquals(removed, 2);
    const found = lookupRecord(journal, "x");
    assert(found.kind === "record" && found.meta?.etag === "e", JSON.stringify(found));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("appendRecord: a parent removed while the journal's directories are made is made again", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-journal-dir-race-" });
  try {
    const journal = join(root, ".meta", "s3", "b", "d", "%records.jsonl");
    const parent = dirname(dirname(journal));
    const mkdirSync = Deno.mkdirSync;
    let removed = 0;
    Deno.mkdirSync = (path: string | URL, options?: Deno.MkdirOptions) => {
      if (String(path) !== dirname(journal) || removed > 0) return mkdirSync(path, options);
      // `mkdir -p` made the parent, which another process found empty and
      // removed before the last directory was made in it.
      mkdirSync(parent, options);
      Deno.removeSync(parent);
      removed++;
      mkdirSync(path); // fails: its parent is gone
    };
    try {
      appendRecord(journal, "x", meta);
    } finally {
      Deno.mkdirSync = mkdirSync;
    }
    assertEquals(removed, 1);
    const found = lookupRecord(journal, "x");
    assert(found.kind === "record" && found.meta?.etag === "e", JSON.stringify(found));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cache(): an entry whose journal directory another process's rm removes meanwhile is recorded", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-journal-dir-race-" });
  try {
    const store = join(root, "store");
    const cacheDir = join(root, "cache");
    await Deno.mkdir(join(store, "d"), { recursive: true });
    await Deno.writeTextFile(join(store, "d", "a.txt"), "a\n");
    await Deno.writeTextFile(join(store, "d", "b.txt"), "b\n");
    const base = `${pathToFileURL(store).href}/d`;
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const a = await cache.cache(`${base}/a.txt`);
    const journal = recordPathsOf(cacheDir, a).journalPath;
    // The directory's only entry goes: its journal and directory with it.
    assert(await cache.delete(`${base}/a.txt`));
    await assertMissing(dirname(journal));
    let b = "";
    const removed = await removingAfterMaking(dirname(journal), 1, async () => {
      b = await cache.cache(`${base}/b.txt`);
    });
    assertEquals(removed, 1);
    assertEquals(await Deno.readTextFile(b), "b\n");
    // Recorded in the journal made again.
    const paths = recordPathsOf(cacheDir, b);
    const found = lookupRecord(paths.journalPath, paths.recordName);
    assert(found.kind === "record" && found.meta?.uri === `${base}/b.txt`, JSON.stringify(found));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

async function assertMissing(path: string): Promise<void> {
  try {
    await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new Error(`${path} still exists`);
}

// The same shape for the data directory: the download's temp file (its
// lock) is created there, and keeps it from emptying until the record is
// written, so only its creation can race a removal; it makes it again.
Deno.test("cache(): a data directory another process removes right after it was made is made again", async () => {
  await using source = await oneFileSource("vc-data-dir-race-");
  const { cacheDir, uri } = source;
  await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
  const local = cache.localPath(uri);
  let got = "";
  const removed = await removingAfterMaking(dirname(local), 1, async () => {
    got = await cache.cache(uri);
  });
  assertEquals(removed, 1);
  assertEquals(got, local);
  assertEquals(await Deno.readTextFile(local), "a\n");
});
