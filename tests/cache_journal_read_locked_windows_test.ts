// A record journal read that runs into another process's append lock, where
// locks are mandatory (Windows: an appender's exclusive LockFileEx denies
// every other handle's reads for the moment of its write, "another process
// has locked a portion of the file (os error 33)"). Run on Linux by
// switching `fsPlatform.mandatoryLocks` and making the journal's reads fail
// as Windows' do: this proves vc's logic, not Windows' locks.
//
// Such a read was taken for "no journal": a lookup missed (and downloaded
// the object again), and `vc cache prune`'s sweep took every data file of
// the directory, older than its grace, for one without a record, and
// removed it.
import { assertEquals } from "./assert.ts";
import { appendRecord, lookupRecord } from "../src/cache/record_journal.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { findOrphans } from "../src/cache/debris.ts";
import { withFsPlatform } from "../src/fs_platform.ts";

/** Runs `fn` while reads of files named `name` fail as a locked region's do on Windows (the first `times`). */
async function withLockedReads<T>(
  dir: string,
  times: number,
  fn: () => T | Promise<T>,
): Promise<{ result: T; refused: number }> {
  const proto = Deno.FsFile.prototype;
  const readSync = proto.readSync;
  const statSync = proto.statSync;
  let refused = 0;
  // Which handles are of journals under `dir`: by their inode, at the read.
  const journals = new Set<number>();
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile && e.name.startsWith("%records")) {
      journals.add(Deno.statSync(`${dir}/${e.name}`).ino!);
    }
  }
  proto.readSync = function (this: Deno.FsFile, buffer: Uint8Array) {
    if (refused < times && journals.has(statSync.call(this).ino!)) {
      refused++;
      throw new Error(
        "The process cannot access the file because another process has locked a portion of " +
          "the file. (os error 33)",
      );
    }
    return readSync.call(this, buffer);
  };
  try {
    return { result: await fn(), refused };
  } finally {
    proto.readSync = readSync;
  }
}

async function cacheWithOneEntry(dir: string) {
  const dataPath = `${dir}/s3/b/x.csv`;
  await Deno.mkdir(`${dir}/s3/b`, { recursive: true });
  await Deno.writeTextFile(dataPath, "x");
  const paths = recordPathsOf(dir, dataPath);
  appendRecord(paths.journalPath, paths.recordName, {
    uri: "s3://b/x.csv",
    etag: "e",
    size: 1,
    validatedAt: 0,
  });
  forgetJournals(); // as another process: nothing known of the journal
  return { dataPath, paths };
}

Deno.test("journal locked for a moment (Windows logic): the lookup waits for it and finds the record", async () => {
  const dir = await Deno.makeTempDir({ prefix: "journal-read-locked-" });
  try {
    const { paths } = await cacheWithOneEntry(dir);
    const metaDir = paths.journalPath.slice(0, paths.journalPath.lastIndexOf("/"));
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      const { result, refused } = await withLockedReads(
        metaDir,
        2,
        () => lookupRecord(paths.journalPath, paths.recordName).kind,
      );
      assertEquals(refused, 2);
      assertEquals(result, "record");
    });
  } finally {
    forgetJournals();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("journal locked throughout a sweep (Windows logic): its directory's data is no orphan", async () => {
  const dir = await Deno.makeTempDir({ prefix: "journal-read-locked-" });
  try {
    const { paths } = await cacheWithOneEntry(dir);
    const metaDir = paths.journalPath.slice(0, paths.journalPath.lastIndexOf("/"));
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      const { result } = await withLockedReads(
        metaDir,
        Infinity,
        () => findOrphans(dir, Date.now() + 3600_000),
      );
      assertEquals(result, []);
    });
    // Unlocked, the same data with its record removed is one.
    appendRecord(paths.journalPath, paths.recordName, undefined);
    forgetJournals();
    assertEquals(await findOrphans(dir, Date.now() + 3600_000), [`${dir}/s3/b/x.csv`]);
  } finally {
    forgetJournals();
    await Deno.remove(dir, { recursive: true });
  }
});

// A journal that stays locked (an appender frozen mid-write, a long
// compaction) cost every lookup of it the whole wait again: a sweep of a
// directory of many files waited ~0.3 s for each (an hour for 10,000). The
// wait is paid once while the journal is unchanged; one changed (the holder
// wrote, or replaced it) is waited for again.
Deno.test("journal locked throughout (Windows logic): the wait is paid once while it is unchanged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "journal-read-locked-" });
  try {
    const { paths } = await cacheWithOneEntry(dir);
    for (const name of ["y.csv", "z.csv", "w.csv", "v.csv"]) {
      await Deno.writeTextFile(`${dir}/s3/b/${name}`, name);
    }
    const metaDir = paths.journalPath.slice(0, paths.journalPath.lastIndexOf("/"));
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      const one = await withLockedReads(metaDir, Infinity, () => {
        lookupRecord(paths.journalPath, paths.recordName);
      });
      const { result, refused } = await withLockedReads(
        metaDir,
        Infinity,
        () => findOrphans(dir, Date.now() + 3600_000),
      );
      assertEquals(result, []);
      // Each lookup of a file (two a file) reads once, not a whole wait's worth.
      assertEquals(
        refused <= 2 * 5,
        true,
        `${refused} reads refused; a whole wait is ${one.refused}`,
      );
      // The holder wrote: its lock is waited for again, and the record found.
      appendRecord(paths.journalPath, "other", {
        uri: "s3://b/y.csv",
        etag: "e",
        size: 5,
        validatedAt: 0,
      });
      const again = await withLockedReads(
        metaDir,
        2,
        () => lookupRecord(paths.journalPath, paths.recordName).kind,
      );
      assertEquals(again.result, "record");
    });
  } finally {
    forgetJournals();
    await Deno.remove(dir, { recursive: true });
  }
});
