/**
 * Store → local planning of keys a file system cannot hold together: a key
 * that is also a directory of another key (`a` beside `a/b.txt`, `x/y`
 * beside `x/y/z/w.bin`), which a bucket holds without complaint. Written
 * anyway, the outcome would depend on which download finished first (the
 * file `a` renamed into place before `a/` was made, or after), and could
 * change from run to run. The rule, decided here from the listing before
 * any download: the file gives way to the keys below it, as in `vc sync`
 * (`pathClashes` in `file_names.ts`); one stray object never hides a tree.
 *
 * @module
 */
import type { Keyed, Pair } from "./plan.ts";

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
