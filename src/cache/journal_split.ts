/**
 * Splitting a large directory's record journal. A directory's records start
 * in one journal (`%records.jsonl`), so a cold fill of a small directory
 * creates one file for them. When its live records pass
 * {@linkcode SPLIT_BYTES}, a compaction moves them into `JOURNAL_SHARDS`
 * journals (`%records-<h>.jsonl`, by a hash of the name: `journalName` in
 * `layout.ts`) and leaves in the directory journal only a mark
 * (`%split\t<count>`); lookups and appends then go to their name's journal.
 * When the last split journal is compacted away, the mark goes too.
 *
 * @module
 */
import { removeQuietly, writeFileAtomicSync } from "../atomic_write.ts";
import { type JournalMode, linkedJournal, markReplaced, SPLIT_MARK } from "./journal_file.ts";
import { JOURNAL_NAME, JOURNAL_SHARDS, journalName } from "./layout.ts";

/**
 * Live records (bytes) past which a compaction splits a directory's journal
 * (~1000 records): the split's 32 file creations are then a few percent of
 * the directory's data file creations, and a lookup reads 1/32 of the rest.
 */
export const SPLIT_BYTES: number = 256 * 1024;

/**
 * Bytes the live lines take in a journal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { liveBytes } from "./journal_split.ts";
 * assert.equal(liveBytes([["a", "{}"]]), 5);
 * ```
 */
export function liveBytes(live: ReadonlyArray<[string, string]>): number {
  let n = 0;
  for (const [name, line] of live) n += name.length + line.length + 2;
  return n;
}

/** The file names of the split journals of a directory split into `shards`. */
function splitNames(shards: number): string[] {
  const names = new Set<string>();
  for (let i = 0; names.size < shards && i < 100_000; i++) names.add(journalName(`${i}`, shards));
  return [...names];
}

/**
 * Splits a directory journal (held exclusively as `file`): its live lines
 * go to the split journals their names hash to (each written whole, any
 * leftover of an interrupted split replaced or removed), and only then is
 * the directory journal replaced by the split mark. A crash in between
 * leaves the unsplit journal, still complete. `forget` drops what the
 * process remembers of a journal it rewrites.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitJournal } from "./journal_split.ts";
 * import { JOURNAL_SHARDS } from "./layout.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   await Deno.writeTextFile(j, "a\t{}\n");
 *   using file = Deno.openSync(j, { read: true, write: true });
 *   assert(splitJournal(j, file, [["a", "{}"]], () => {}));
 *   assert.equal(await Deno.readTextFile(j), `%split\t${JOURNAL_SHARDS}\n`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function splitJournal(
  journalPath: string,
  file: Deno.FsFile,
  live: ReadonlyArray<[string, string]>,
  forget: (path: string) => void,
  mode: JournalMode = {},
): boolean {
  const dir = journalPath.slice(0, journalPath.length - JOURNAL_NAME.length);
  const groups = new Map<string, string[]>();
  for (const [name, line] of live) {
    const target = dir + journalName(name, JOURNAL_SHARDS);
    let group = groups.get(target);
    if (group === undefined) groups.set(target, group = []);
    group.push(`${name}\t${line}\n`);
  }
  const written: string[] = [];
  try {
    for (const name of splitNames(JOURNAL_SHARDS)) {
      const target = dir + name;
      forget(target);
      const group = groups.get(target);
      if (group !== undefined) {
        writeFileAtomicSync(target, group.join(""), { durable: true, ...mode });
        written.push(target);
      } else {
        removeQuietly(target); // none: the usual case
      }
    }
    forget(journalPath);
    writeFileAtomicSync(journalPath, `${SPLIT_MARK}\t${JOURNAL_SHARDS}\n`, {
      durable: true,
      ...mode,
    });
  } catch (e) {
    // Not split (a full disk): the directory journal still holds every
    // record, and the split journals written so far, never read, would only
    // take the space that is short.
    for (const target of written) removeQuietly(target);
    throw e;
  }
  markReplaced(file);
  return true;
}

/**
 * Removes a split directory journal (held exclusively as `file`; `split`
 * its mark's value) when none of its split journals is left; true then.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unsplitIfEmpty } from "./journal_split.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   await Deno.writeTextFile(j, "%split\t32\n");
 *   using file = Deno.openSync(j, { read: true, write: true });
 *   assert(unsplitIfEmpty(j, file, "32", () => {}));
 *   assert.deepEqual([...Deno.readDirSync(dir)], []);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function unsplitIfEmpty(
  journalPath: string,
  file: Deno.FsFile,
  split: string,
  forget: (path: string) => void,
): boolean {
  const dir = journalPath.slice(0, journalPath.length - JOURNAL_NAME.length);
  const shards = Number(split);
  for (const name of splitNames(Number.isInteger(shards) ? shards : JOURNAL_SHARDS)) {
    try {
      Deno.lstatSync(dir + name);
      return false;
    } catch {
      // Gone: look at the next.
    }
  }
  forget(journalPath);
  Deno.removeSync(journalPath);
  markReplaced(file);
  return true;
}

// Split journals this process found not to be links (planted ones are refused).
const checkedSplits = new Set<string>();

/**
 * Refuses (`PermissionDenied`) a split journal path that is a symbolic link
 * (its directory was checked by the caller): the cache never creates links,
 * so one was planted. Checked once per path and process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseLink } from "./journal_split.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.symlink("/tmp", `${dir}/%records-00.jsonl`);
 *   assert.throws(() => refuseLink(`${dir}/%records-00.jsonl`), /symbolic link/);
 *   refuseLink(`${dir}/%records-01.jsonl`); // missing: fine
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function refuseLink(path: string): void {
  if (checkedSplits.has(path)) return;
  let link = false;
  try {
    link = Deno.lstatSync(path).isSymlink;
  } catch {
    // Missing: created by the append.
  }
  if (link) {
    throw linkedJournal(path);
  }
  if (checkedSplits.size > 10_000) checkedSplits.clear();
  checkedSplits.add(path);
}
