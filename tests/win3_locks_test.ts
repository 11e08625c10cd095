// The Windows lock strategy's LOGIC, run on Linux by switching
// `fsPlatform.mandatoryLocks`: which locks vc asks for, and that the cache
// still works without the entry lock. These tests do not prove Windows'
// own LockFileEx semantics (only Linux runs here).
import { assert, assertEquals } from "./assert.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { appendRecord, lookupRecord } from "../src/cache/record_journal.ts";
import { SPLIT_MARK, splitJournalPath } from "../src/cache/journal_file.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withTempDir } from "./versioned_helpers.ts";

interface LockCall {
  ino: number | null;
  /** The locked file's name when the lock was taken (found under the
   * recording's root by inode while the file was open: an inode number is
   * reused once its file is removed, so it alone cannot name a file later). */
  name: string | undefined;
  exclusive: boolean;
}

function nameOfInode(root: string, ino: number | null): string | undefined {
  if (ino === null) return undefined;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory) stack.push(path);
      else if (e.isFile && Deno.lstatSync(path).ino === ino) return e.name;
    }
  }
  return undefined;
}

/** Runs `fn` recording every `tryLockSync` call (the file locked, and how). */
async function recordingLocks(fn: () => Promise<void>, root?: string): Promise<LockCall[]> {
  const calls: LockCall[] = [];
  const proto = Deno.FsFile.prototype;
  const original = proto.tryLockSync;
  proto.tryLockSync = function (this: Deno.FsFile, exclusive?: boolean): boolean {
    const ino = this.statSync().ino;
    const name = root === undefined ? undefined : nameOfInode(root, ino);
    calls.push({ ino, name, exclusive: exclusive === true });
    return original.call(this, exclusive);
  };
  try {
    await fn();
  } finally {
    proto.tryLockSync = original;
  }
  return calls;
}

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(fn, "vc-win3-");
}

const META = { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 };

for (const mandatoryLocks of [false, true]) {
  const label = mandatoryLocks ? "Windows strategy (logic)" : "flock strategy";
  Deno.test(`${label}: a journal append locks ${mandatoryLocks ? "exclusively" : "shared"}`, async () => {
    await withDir(async (dir) => {
      const journal = `${dir}/%records.jsonl`;
      const calls = await recordingLocks(() =>
        withFsPlatform({ mandatoryLocks }, () => appendRecord(journal, "x", META))
      );
      assert(calls.length >= 1, "the append takes a lock");
      // A shared LockFileEx lock would deny the holder's own write (os error 33).
      for (const c of calls) assertEquals(c.exclusive, mandatoryLocks);
      const found = lookupRecord(journal, "x");
      assert(found.kind === "record" && found.meta?.etag === "e");
    });
  });

  Deno.test(`${label}: an append to a split directory journal goes to its split journal`, async () => {
    await withDir(async (dir) => {
      const journal = `${dir}/%records.jsonl`;
      await Deno.writeTextFile(journal, `${SPLIT_MARK}\t4\n`);
      await withFsPlatform({ mandatoryLocks }, () => appendRecord(journal, "x", META));
      // The directory journal still holds only the mark; the record is in the split one.
      assertEquals(await Deno.readTextFile(journal), `${SPLIT_MARK}\t4\n`);
      const split = splitJournalPath(journal, "x", "4");
      assert((await Deno.readTextFile(split)).startsWith("x\t"));
      const found = lookupRecord(journal, "x");
      assert(found.kind === "record" && found.meta?.etag === "e");
    });
  });

  Deno.test(`${label}: a cold and a warm get (sequential and ranged download)`, async () => {
    await withDir(async (dir) => {
      const src = join(dir, "src");
      await Deno.mkdir(src);
      const small = "a,b\n1,2\n";
      const big = "0123456789abcdef".repeat(1024); // 16 KiB: ranged, parallel
      await Deno.writeTextFile(join(src, "small.csv"), small);
      await Deno.writeTextFile(join(src, "big.csv"), big);
      const cacheDir = join(dir, "cache");
      const paths: string[] = [];
      const calls = await recordingLocks(() =>
        withFsPlatform({ mandatoryLocks }, async () => {
          await using cache = new AssetCache({
            cacheDir,
            configPath: false,
            env: {},
            timeout: 0,
            download: { parallelThreshold: 4096, partSize: 4096, concurrency: 4 },
          });
          for (const name of ["small.csv", "big.csv"]) {
            const uri = pathToFileURL(join(src, name)).href;
            paths.push(await cache.cache(uri));
            assertEquals(await cache.cache(uri), paths.at(-1), "warm hit, same path");
          }
        }), cacheDir);
      assertEquals(await Deno.readTextFile(paths[0]!), small);
      assertEquals(await Deno.readTextFile(paths[1]!), big);
      for (const p of paths) {
        const base = p.slice(p.lastIndexOf("/") + 1);
        const dataIno = (await Deno.stat(p)).ino;
        // The entry lock's file exists while the download's does, so an equal
        // inode means the same file (not a reused number).
        const entryLocks = calls.filter((c) => c.name === `.${base}.vc-tmp-0-shared`);
        assert(entryLocks.length >= 1, `${base}: the entry lock was taken`);
        const lockedData = entryLocks.filter((c) => c.ino === dataIno);
        if (mandatoryLocks) {
          // Never a lock on the download's file (its ranged writes and
          // read-back checks use second handles), so none on the data file
          // it becomes.
          assertEquals(lockedData, [], `${base}: the data file was never locked`);
        } else {
          assert(lockedData.length >= 1, `flock: ${base}'s download locks its file`);
        }
      }
      if (mandatoryLocks) {
        for (const c of calls) {
          assert(c.exclusive, "no shared lock (it denies its holder's writes)");
          // Only entry locks and journals: never a download's own temp file.
          assert(
            c.name !== undefined && (c.name.endsWith(".vc-tmp-0-shared") || c.name.startsWith("%")),
            `locked ${c.name}`,
          );
        }
      }
      for (const p of paths) {
        const names = [...Deno.readDirSync(join(p, ".."))].map((e) => e.name);
        assertEquals(names.filter((n) => n.includes(".vc-tmp-")), [], "no temp file left");
      }
    });
  });
}

Deno.test("Windows strategy (logic): the entry lock is a separate file; the download's is unlocked", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    const shared = `${dir}/data/.a.csv.vc-tmp-0-shared`;
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      const first = await acquireEntryLock(data);
      assert(!first.waited);
      assertEquals(first.path, shared, "the lock is the shared temp file");
      assert(first.temp.path !== shared, "the download goes to another file");
      // Nobody holds a lock on the download's file: a second handle may write
      // and read it (Windows would refuse both under a lock).
      using other = await Deno.open(first.temp.path, { read: true, write: true });
      assert(other.tryLockSync(true), "the download's temp file is not locked");
      other.unlockSync();
      const clock = new ManualClock();
      const second = acquireEntryLock(data, { clock });
      let settled = false;
      second.then(() => (settled = true), () => (settled = true));
      for (let i = 0; i < 5 && !settled; i++) {
        await clock.advance(100);
        await new Promise((r) => setTimeout(r, 0));
      }
      assert(!settled, "a second taker waits while the lock file is held");
      await first.temp.file.write(new TextEncoder().encode("v1"));
      await first.temp.commit();
      assertEquals(await Deno.readTextFile(data), "v1", "readable before the release");
      assertEquals((await Deno.stat(shared)).size, 0, "the lock file is never written");
      first.release();
      for (let i = 0; i < 20 && !settled; i++) {
        await clock.advance(100);
        await new Promise((r) => setTimeout(r, 0));
      }
      const lock = await second;
      assert(lock.waited, "it waited: it looks for the record before downloading");
      lock.release();
    });
    assertEquals([...Deno.readDirSync(`${dir}/data`)].map((e) => e.name), ["a.csv"]);
  });
});
