/**
 * Giving record journals with another hard link back to the cache. vc
 * never links a journal twice, and appends refuse one that is (its other
 * name may be outside the cache dir), so a cache copied with `cp -al` can
 * no longer record anything. `vc cache verify` repairs it: each such
 * journal is rewritten as a file of its own (a copy renamed over the
 * cache's name), which only reads the shared file, so the other name keeps
 * its content and times.
 *
 * @module
 */
import { writeFileAtomicSync } from "../atomic_write.ts";
import { join, sep } from "../path.ts";
import { lstatOrUndefined, walkFiles } from "./cache_fs.ts";
import { JOURNAL_MAX_BYTES, readAllSync } from "./journal_file.ts";
import { forgetJournal } from "./journal_memo.ts";
import { JOURNAL_NAME, JOURNAL_PATTERN, META_DIR } from "./layout.ts";

/**
 * Rewrites every record journal of the cache in `cacheDir` that has another
 * hard link as a file of its own (same content, a new inode, by an atomic
 * rename), and returns their paths. Never follows a symbolic link, and
 * never writes to the shared file (its other name is left exactly as it
 * was). A journal another process holds locked is left for the next run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownJournals } from "./journal_repair.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/c/.meta/s3/b`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/copy.jsonl`, "x\t-\n");
 *   await Deno.link(`${dir}/copy.jsonl`, `${dir}/c/.meta/s3/b/%records.jsonl`);
 *   assert.deepEqual(await ownJournals(`${dir}/c`), [`${dir}/c/.meta/s3/b/%records.jsonl`]);
 *   assert.equal((await Deno.stat(`${dir}/copy.jsonl`)).nlink, 1);
 *   assert.equal(await Deno.readTextFile(`${dir}/c/.meta/s3/b/%records.jsonl`), "x\t-\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function ownJournals(cacheDir: string): Promise<string[]> {
  const metaRoot = join(cacheDir, META_DIR);
  // A `.meta` that is a link is never read (see `findOrphans`).
  if ((await lstatOrUndefined(metaRoot))?.isSymlink !== false) return [];
  const out: string[] = [];
  for await (const path of walkFiles(metaRoot)) {
    const name = path.slice(path.lastIndexOf(sep) + 1);
    if (name !== JOURNAL_NAME && !JOURNAL_PATTERN.test(name)) continue;
    if (ownJournal(path)) out.push(path);
  }
  return out;
}

/** Rewrites one journal as a file of its own when it has another hard link; true then. */
function ownJournal(path: string): boolean {
  let file: Deno.FsFile;
  try {
    const stat = Deno.lstatSync(path);
    if (!stat.isFile || (stat.nlink ?? 1) < 2 || stat.size > JOURNAL_MAX_BYTES) return false;
    file = Deno.openSync(path, { read: true });
  } catch {
    return false;
  }
  try {
    // No appender writes to it (appends refuse it); a compaction skips it too.
    // The lock keeps two repairs from racing.
    if (!file.tryLockSync(true)) return false;
    const stat = file.statSync();
    if (!stat.isFile || (stat.nlink ?? 1) < 2 || stat.size > JOURNAL_MAX_BYTES) return false;
    const bytes = readAllSync(file, stat.size);
    forgetJournal(path);
    // Durable: this file holds the records of its directory (or shard).
    writeFileAtomicSync(path, bytes, { durable: true });
    return true;
  } catch {
    return false; // left as it was: appends still refuse it, with what to do
  } finally {
    file.close();
  }
}
