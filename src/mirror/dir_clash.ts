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
  // after the target-only pairs that came meanwhile. Beside each, the keys
  // that gave way to it: reported once it is written, naming it (a key that
  // gives way in turn hands them on, so each is reported naming a key that
  // is written).
  const held: (P | undefined)[] = [];
  const gaveWay: (P[] | undefined)[] = [];
  for await (const pairs of batches) {
    const out: P[] = [];
    for (const pair of pairs) {
      const key = pair.key;
      const writes = pair.source !== undefined;
      let losers: P[] | undefined;
      // The held keys from `cut` on are released (or gave way to this one).
      let cut = held.length;
      for (; cut > 0; cut--) {
        const top = held[cut - 1]!;
        const k = top.key;
        if (key.length <= k.length || !key.startsWith(k)) continue; // past every key below it
        const next = key.charCodeAt(k.length);
        // `a-1` after `a`: keys below `a` may still come.
        if (next < SLASH) break;
        if (next !== SLASH) continue;
        // Below it, but written by nothing (a target-only file, or a key
        // not written): later keys decide.
        if (!writes || !writable(key)) break;
        // A key not written anyway is reported for its own reason.
        if (writable(k)) {
          (losers ??= []).push(top, ...(gaveWay[cut - 1] ?? []));
          held[cut - 1] = undefined;
        }
      }
      for (let i = cut; i < held.length; i++) {
        const p = held[i];
        if (p === undefined) continue;
        out.push(p);
        for (const loser of gaveWay[i] ?? []) onClash(loser, p.key);
      }
      held.length = cut;
      gaveWay.length = cut;
      if (writes) {
        held.push(pair);
        gaveWay.push(losers);
      } else out.push(pair);
    }
    if (out.length > 0) yield out;
  }
  // The end of the listing: nothing below the keys still held.
  for (let i = 0; i < held.length; i++) {
    for (const loser of gaveWay[i] ?? []) onClash(loser, held[i]!.key);
  }
  if (held.length > 0) yield held as P[];
}
