/**
 * Store → local planning of keys a file system cannot hold together: a key
 * that is also a directory of another key (`a` beside `a/b.txt`, `x/y`
 * beside `x/y/z/w.bin`), which a bucket holds without complaint. Written
 * anyway, the outcome would depend on which download finished first (the
 * file `a` renamed into place before `a/` was made, or after), and could
 * change from run to run. The rule, decided here from the listing before
 * any download: the file gives way to the keys below it, as in `vc sync`
 * (`pathClashes` in `file_names.ts`); one stray object never hides a tree.
 * On a case-insensitive file system (macOS, Windows) the same holds for a
 * directory in another letter case (`A` beside `a/b.txt`), planned from a
 * whole first listing ({@linkcode foldedDirectoryClashes}).
 *
 * @module
 */
import { foldName } from "../file_names.ts";
import type { Keyed, Pair } from "./plan.ts";
import { compareUtf8 } from "../utf8.ts";

/** `/`: keys that sort between `k` and `k/…` continue `k` with a byte below it. */
const SLASH = 0x2f;

/**
 * Passes on the pairs of a key-sorted merge, except those whose source key
 * is a directory of a later source key (`a` when `a/b.txt` follows): each of
 * those goes to `onClash` with the first such key below it, and is not
 * passed on (not downloaded, and not a target-only pair a delete could take:
 * its local file, if any, stays). Keys `writable` says no to (reported for
 * their own reason downstream) neither give way nor make another give way.
 *
 * Memory holds a chain of keys, each a prefix of the next: a key is held
 * back only until the listing passes where its keys below would be
 * (`a/`), usually the next key. A key held back is passed on late, after
 * keys that sort between it and its `/` (`a-1`, `a.txt`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutDirectoryClashes } from "./dir_clash.ts";
 * const pairs = ["a", "a.txt", "a/b.txt", "c"].map((key) => ({ key, source: { key } }));
 * const passed: string[] = [];
 * const clashes: string[] = [];
 * const merged = withoutDirectoryClashes([pairs], () => true, (p, below) => clashes.push(`${p.key} ${below}`));
 * for await (const batch of merged) passed.push(...batch.map((p) => p.key));
 * assert.deepEqual(passed, ["a.txt", "a/b.txt", "c"]);
 * assert.deepEqual(clashes, ["a a/b.txt"]);
 * ```
 */
export async function* withoutDirectoryClashes<P extends Pair<Keyed, Keyed>>(
  batches: AsyncIterable<P[]> | Iterable<P[]>,
  writable: (key: string) => boolean,
  onClash: (pair: P, below: string) => void,
): AsyncGenerator<P[]> {
  // Source pairs whose keys below may still come, each key a prefix of the
  // next (the order keeps it so); passed on in key order once released, but
  // after the target-only pairs that came meanwhile. A pair that gave way
  // keeps its place in the chain (an unwritable key above it may still be
  // continued by a written one below it) but is never passed on. Beside
  // each, the keys that gave way to it: reported once it is written, naming
  // it (a key that gives way in turn hands them on, so each is reported
  // naming a key that is written).
  const held: { pair: P; lost: boolean; gaveWay: P[] }[] = [];
  for await (const pairs of batches) {
    const out: P[] = [];
    for (const pair of pairs) {
      const key = pair.key;
      // The held keys from `cut` on are past: no key below them can follow.
      let cut = held.length;
      while (cut > 0 && !continues(key, held[cut - 1]!.pair.key)) cut--;
      for (let i = cut; i < held.length; i++) {
        const { pair: p, lost, gaveWay } = held[i]!;
        if (lost) continue;
        out.push(p);
        for (const loser of gaveWay) onClash(loser, p.key);
      }
      held.length = cut;
      // Every held key this one is below gives way, unless this one is
      // written by nothing (a target-only file, or a key not written: later
      // keys decide) or that key is not written anyway (reported for its
      // own reason).
      const losers: P[] = [];
      if (pair.source !== undefined && writable(key)) {
        for (const h of held) {
          if (h.lost || key.charCodeAt(h.pair.key.length) !== SLASH || !writable(h.pair.key)) {
            continue;
          }
          h.lost = true;
          losers.push(h.pair, ...h.gaveWay);
          h.gaveWay = [];
        }
      }
      if (pair.source !== undefined) held.push({ pair, lost: false, gaveWay: losers });
      else out.push(pair);
    }
    if (out.length > 0) yield out;
  }
  // The end of the listing: nothing below the keys still held.
  const last: P[] = [];
  for (const { pair, lost, gaveWay } of held) {
    if (lost) continue;
    last.push(pair);
    for (const loser of gaveWay) onClash(loser, pair.key);
  }
  if (last.length > 0) yield last;
}

/**
 * Whether `key` continues `prefix` with a byte at or below `/`: a key below
 * it (`a/b`), or one that sorts between it and its keys below (`a-1`), after
 * which keys below it may still come.
 */
function continues(key: string, prefix: string): boolean {
  return key.length > prefix.length && key.startsWith(prefix) &&
    key.charCodeAt(prefix.length) <= SLASH;
}

/** What {@linkcode foldedDirectoryClashes} planned from a whole listing. */
export interface FoldedPlan {
  /** The folded keys that give way, each with a key below it that is written. */
  losers: Map<string, string>;
  /** Every folded directory the listed keys need. */
  dirs: Set<string>;
}

/**
 * Store → local on a case-insensitive file system (macOS, Windows): the
 * keys that are a directory of another key in another letter case or
 * Unicode form (`A` beside `a/b.txt`, `b` beside `B/x`), by their folded
 * form ({@linkcode foldName}), each with a key below it that is written.
 * There `A` and the directory `a` are one name, and the same rule holds as
 * for the exact case: the file gives way.
 *
 * The listing's order does not bring such keys together (`A` < `B/x` <
 * `a/b.txt` < `b`), so no streaming chain can decide them; this reads the
 * whole listing first. Memory holds the folded form of each key while it
 * reads (as the mirror's own check of keys naming one file does for the
 * whole run: about 230 bytes a key), and after it only the folded
 * directories and the keys that give way. Keys `writable` says no to
 * neither give way nor make another give way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldedDirectoryClashes } from "./dir_clash.ts";
 * const keys = ["A", "B/x", "a/b.txt", "b", "c"].map((key) => ({ key }));
 * const plan = await foldedDirectoryClashes([keys], () => true);
 * assert.deepEqual([...plan.losers], [["a", "a/b.txt"], ["b", "B/x"]]);
 * ```
 */
export async function foldedDirectoryClashes(
  batches: AsyncIterable<Keyed[]> | Iterable<Keyed[]>,
  writable: (key: string) => boolean,
): Promise<FoldedPlan> {
  // Each folded directory with the first key below it (in key order), and
  // the folded keys.
  const dirs = new Map<string, string>();
  const files = new Set<string>();
  for await (const batch of batches) {
    for (const { key } of batch) {
      if (!writable(key)) continue;
      const folded = foldName(key);
      files.add(folded);
      for (const dir of foldedDirs(folded)) if (!dirs.has(dir)) dirs.set(dir, key);
    }
  }
  const losers = new Map<string, string>();
  for (const folded of files) {
    let below = dirs.get(folded);
    if (below === undefined) continue;
    // A key below that is itself a directory of others gives way too: the
    // one named is written (its folded form is longer each step).
    for (
      let next = dirs.get(foldName(below));
      next !== undefined;
      next = dirs.get(foldName(below))
    ) {
      below = next;
    }
    losers.set(folded, below);
  }
  return { losers, dirs: new Set(dirs.keys()) };
}

/**
 * Passes on the pairs of a merge, except those whose source key gives way
 * by `plan` ({@linkcode foldedDirectoryClashes}): each of those goes to
 * `onClash` with the key below it, and is not passed on (not downloaded,
 * and not a target-only pair a delete could take: its local file, if any,
 * stays).
 *
 * The listing merged here is a second one, and the store may have changed
 * since the plan's: a key below a directory the plan did not know makes a
 * later key of that name give way (`b` after a new `B/x`), and gives way
 * itself to a file of that name listed before it (`A`, passed on already,
 * before a new `a/b.txt`): `listed` gives the key that folds to a name, if
 * one was listed (`onLate` is told). Either way the downloads never race
 * for one name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutFoldedDirectoryClashes } from "./dir_clash.ts";
 * const pairs = ["A", "a/b.txt"].map((key) => ({ key, source: { key } }));
 * const plan = { losers: new Map([["a", "a/b.txt"]]), dirs: new Set(["a"]) };
 * const passed: string[] = [];
 * const merged = withoutFoldedDirectoryClashes([pairs], plan, {
 *   writable: () => true,
 *   listed: () => undefined,
 *   onClash: () => {},
 *   onLate: () => {},
 * });
 * for await (const batch of merged) passed.push(...batch.map((p) => p.key));
 * assert.deepEqual(passed, ["a/b.txt"]);
 * ```
 */
export async function* withoutFoldedDirectoryClashes<P extends Pair<Keyed, Keyed>>(
  batches: AsyncIterable<P[]> | Iterable<P[]>,
  plan: FoldedPlan,
  how: {
    writable: (key: string) => boolean;
    listed: (folded: string) => string | undefined;
    onClash: (pair: P, below: string) => void;
    onLate: (pair: P, file: string) => void;
  },
): AsyncGenerator<P[]> {
  // Folded directories of keys the plan's listing did not have, each with
  // the first key below it.
  const late = new Map<string, string>();
  for await (const pairs of batches) {
    const out: P[] = [];
    for (const pair of pairs) {
      if (pair.source === undefined || !how.writable(pair.key)) {
        out.push(pair);
        continue;
      }
      const folded = foldName(pair.key);
      const below = plan.losers.get(folded) ?? late.get(folded);
      if (below !== undefined) {
        how.onClash(pair, below);
        continue;
      }
      let file: string | undefined;
      const unplanned = foldedDirs(folded).filter((dir) => !plan.dirs.has(dir));
      for (const dir of unplanned) {
        const f = how.listed(dir);
        // (A directory met before in this listing has no such file before it.)
        if (f !== undefined && !late.has(dir) && compareUtf8(f, pair.key) < 0) file = f;
      }
      if (file !== undefined) {
        how.onLate(pair, file);
        continue;
      }
      for (const dir of unplanned) if (!late.has(dir)) late.set(dir, pair.key);
      out.push(pair);
    }
    if (out.length > 0) yield out;
  }
}

/** The directories of the folded key `folded` (`a`, `a/b` for `a/b/c`). */
function foldedDirs(folded: string): string[] {
  const dirs: string[] = [];
  for (let at = folded.indexOf("/"); at !== -1; at = folded.indexOf("/", at + 1)) {
    dirs.push(folded.slice(0, at));
  }
  return dirs;
}
