/**
 * A cold prefill appends each finished download's record to its directory's
 * journal. The journal's handle was kept open only while a download was in
 * flight, so it was closed each time the running downloads all finished at
 * once (a wave of downloads finishes together: their records go in one
 * append) and opened again for the next: under vc's permission flags each
 * open and each handle `stat` costs Deno a `readlink` per path component.
 * Now a prefill keeps the journals open for its whole run (and closes them
 * when it returns), `cache()` calls waiting for a download slot keep them
 * open as running downloads do, and an append learns where it ended from its
 * `O_APPEND` handle's offset, not from a `stat` of the handle.
 */
import { assert, assertEquals } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import {
  appendRecord,
  appendRecords,
  compactJournal,
  lookupRecord,
} from "../src/cache/record_journal.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { withTempDir } from "./versioned_helpers.ts";

/** The first file under `root` whose path ends in `suffix`. */
function findJournal(root: string, suffix: string): string | undefined {
  for (const e of Deno.readDirSync(root)) {
    const path = `${root}/${e.name}`;
    if (e.isDirectory) {
      const found = findJournal(path, suffix);
      if (found !== undefined) return found;
    } else if (path.endsWith(suffix)) return path;
  }
  return undefined;
}

/** Counts the handles `Deno.openSync` gives for appending to paths ending in `suffix` while `fn` runs. */
async function countingOpens<T>(suffix: string, fn: () => Promise<T>): Promise<[T, number]> {
  let opens = 0;
  const { openSync } = Deno;
  Deno.openSync = (path, options) => {
    const file = openSync(path, options);
    if (String(path).endsWith(suffix) && options?.append === true) opens++;
    return file;
  };
  try {
    return [await fn(), opens];
  } finally {
    Deno.openSync = openSync;
  }
}

Deno.test("a cold prefill opens its directory's journal once for the run, not once per finished wave", async () => {
  await withS3Cache(async (s3, make) => {
    const names = Array.from({ length: 8 }, (_, i) => `d/k${i}.txt`);
    for (const n of names) await s3.putObject("b", n, n);
    const cache = make();
    // One download at a time: every finished download leaves none in flight.
    const [summary, opens] = await countingOpens(
      "%records.jsonl",
      () => prefill({ cache, uris: names.map((n) => `s3://b/${n}`), concurrency: 1 }),
    );
    assertEquals(summary.fetched, names.length);
    assertEquals(opens, 1, "the journal opened once, its handle kept for the run");
    // Every record is written: a new cache (no memo of this one) finds each copy.
    const again = make();
    for (const n of names) {
      assertEquals(await Deno.readTextFile(await again.cache(`s3://b/${n}`)), n);
    }
    assertEquals(s3.stats.GetObject, names.length, "no object downloaded twice");
  });
});

Deno.test({
  name: "a prefill closes the journals it kept open when it returns",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withS3Cache(async (s3, make) => {
      for (let i = 0; i < 4; i++) await s3.putObject("b", `e/k${i}.txt`, `${i}`);
      const cache = make();
      // Modules loaded and the store opened before the count of descriptors.
      await cache.cache("s3://b/e/k0.txt");
      const held = () =>
        [...Deno.readDirSync("/proc/self/fd")].filter((e) => {
          try {
            return Deno.readLinkSync(`/proc/self/fd/${e.name}`).endsWith("%records.jsonl");
          } catch {
            return false;
          }
        }).length;
      assertEquals(held(), 0);
      const uris = [1, 2, 3].map((i) => `s3://b/e/k${i}.txt`);
      const summary = await prefill({ cache, uris, concurrency: 1 });
      assertEquals(summary.fetched, 3);
      assertEquals(held(), 0, "no journal handle left open by the prefill");
    });
  },
});

Deno.test("an append to a journal it opens takes where it ended from the handle's offset, not a stat", () =>
  withTempDir(
    (dir) => {
      const j = `${dir}/%records.jsonl`;
      const meta = (etag: string) => ({ uri: "s3://b/a", etag, size: 1, validatedAt: 0 });
      try {
        appendRecord(j, "a", meta("1"));
        // Known whole to this process: an append extends what it knows.
        assert(lookupRecord(j, "a").kind === "record");
        let stats = 0;
        const { statSync } = Deno.FsFile.prototype;
        Deno.FsFile.prototype.statSync = function (this: Deno.FsFile) {
          stats++;
          return statSync.call(this);
        };
        try {
          appendRecords(j, [{ name: "b", meta: meta("2") }, { name: "c", meta: meta("3") }]);
        } finally {
          Deno.FsFile.prototype.statSync = statSync;
        }
        // The handle's status once (is it the journal at the path?), not again after the write.
        assertEquals(stats, Deno.build.os === "windows" ? 2 : 1);
        // What it knows still matches the file: a line another process appends is still read.
        // (The line of "c" under another name, as a second process would write it.)
        const line = Deno.readTextFileSync(j).split("\n").find((l) => l.startsWith("c\t"))!;
        Deno.writeTextFileSync(j, `d${line.slice(1)}\n`, { append: true });
        const d = lookupRecord(j, "d");
        assert(d.kind === "record" && d.meta?.etag === "3", JSON.stringify(d));
        const c = lookupRecord(j, "c");
        assert(c.kind === "record" && c.meta?.etag === "3");
      } finally {
        forgetRecords();
      }
      return Promise.resolve();
    },
    "journal-append-end-",
  ));

Deno.test("cache() calls waiting for a download slot keep the journal open between downloads", async () => {
  await withS3Cache(async (s3, make) => {
    const names = Array.from({ length: 8 }, (_, i) => `w/k${i}.txt`);
    for (const n of names) await s3.putObject("b", n, n);
    // One download at a time; the others wait for the slot.
    const cache = make({ maxDownloads: 1 });
    const [paths, opens] = await countingOpens(
      "%records.jsonl",
      () => Promise.all(names.map((n) => cache.cache(`s3://b/${n}`))),
    );
    for (const [i, p] of paths.entries()) assertEquals(await Deno.readTextFile(p), names[i]);
    assertEquals(opens, 1, "the journal opened once while downloads were waiting");
    assertEquals(s3.stats.GetObject, names.length);
  });
});

Deno.test("a journal replaced by another process's compaction between a prefill's items gets the later records", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const names = Array.from({ length: 6 }, (_, i) => `c/k${i}.txt`);
    for (const n of names) await s3.putObject("b", n, n);
    const cache = make();
    let journal: string | undefined;
    let compacted = false;
    const summary = await prefill({
      cache,
      uris: names.map((n) => `s3://b/${n}`),
      concurrency: 1,
      onProgress: (p) => {
        if (p.done !== 3 || compacted) return;
        // Held open by the prefill, unlocked between appends: a compaction
        // (as another process's) replaces the file under it.
        journal = findJournal(`${dir}/.meta`, "/c/%records.jsonl");
        compacted = journal !== undefined && compactJournal(journal, { force: true });
      },
    });
    assertEquals(summary.fetched, names.length);
    assert(compacted, "the journal was compacted mid-run");
    // Read as another process would (no memo): every record is in the live journal.
    forgetRecords();
    for (const n of names) {
      const found = lookupRecord(journal!, n.slice("c/".length));
      assert(found.kind === "record" && found.meta !== undefined, `${n}: ${found.kind}`);
    }
  });
});
