/**
 * On a file system that gives no locks, the asset cache's record journals
 * were never compacted (nor an oversized one removed): both wait for the
 * journal's exclusive lock, and a lock call that failed counted as "busy".
 * Every revalidation and every use appends a line, so a directory's journal
 * grew without end (measured: 648 kB after 3,000 revalidations of one
 * object, against 59 kB with locks), each cold lookup reading all of it,
 * and past 64 MiB it is never read: every entry of the directory a miss,
 * downloaded again on each call. Without locks, compaction now runs as it
 * does within one process (appends are synchronous, so none lands in the
 * middle); other processes are not kept out, as vc says once per process.
 * Simulated on Linux by making `Deno.FsFile`'s lock calls fail as such a
 * file system makes them fail.
 */
import { assert, assertEquals } from "./assert.ts";
import { appendRecord, lookupRecord } from "../src/cache/record_journal.ts";

function withoutLocks<T>(fn: () => T): T {
  const proto = Deno.FsFile.prototype;
  const original = { tryLockSync: proto.tryLockSync, lockSync: proto.lockSync };
  const refuse = () => {
    throw new Deno.errors.NotSupported("Operation not supported (os error 95)");
  };
  proto.tryLockSync = refuse;
  proto.lockSync = refuse;
  try {
    return fn();
  } finally {
    Object.assign(proto, original);
  }
}

Deno.test("record journal: without locks it is still compacted, and keeps the latest record", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_journal_no_locks_compaction_" });
  try {
    const journal = `${dir}/.meta/%records.jsonl`;
    const last = 2_000;
    withoutLocks(() => {
      for (let i = 1; i <= last; i++) {
        appendRecord(journal, "a.csv", {
          uri: "s3://b/a.csv",
          etag: `"etag-${i}"`,
          size: i,
          validatedAt: i,
        });
      }
    });
    const size = (await Deno.stat(journal)).size;
    // 2,000 lines of ~100 bytes; compacted as it passes each 64 KiB.
    assert(size < 64 * 1024, `the journal is ${size} bytes: never compacted`);
    const found = lookupRecord(journal, "a.csv");
    assertEquals(found.kind === "record" ? found.meta?.etag : found.kind, `"etag-${last}"`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
