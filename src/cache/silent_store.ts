/**
 * A note in the cache dir that an S3 bucket did not answer a
 * revalidation: `.meta/<namespace>/<bucket>/%unanswered`, a name no
 * encoded key has. The bucket's, not the endpoint's, as this process's
 * minute is (on AWS every bucket of every region shares the `s3`
 * namespace, each bucket its own host). The minute after an unanswered revalidation, in which the store's
 * other stale copies are served without asking (see `entry_resolve.ts`),
 * was the process's own: a script calling `vc cache get` once per asset
 * against a store that accepts connections and never answers paid the
 * revalidation's whole wait in every call. Another process reads the note
 * and serves its stale copies in that minute too, with the warning, when
 * it would not wait longer than the note's writer did (a process given a
 * short `revalidateTimeout` gives up on a store another would hear from).
 * Best effort: a note that cannot be written (a read-only cache) or read
 * only costs the wait, as before.
 *
 * @module
 */
import { join } from "../path.ts";
import { writeFileAtomicSync } from "../atomic_write.ts";
import { type CacheLayout, type EntryLocation, META_DIR } from "./layout.ts";

/** The note's file name in its namespace's record tree: never an encoded name. */
export const UNANSWERED_FILE = "%unanswered";

/**
 * What the note says: when (this machine's clock, ms), which process, of
 * which URI, why, and how long it waited for the answer (ms).
 */
interface Note {
  at: number;
  pid: number;
  uri: string;
  why: string;
  waited: number;
}

/** The note's path for `loc`'s bucket; undefined for a `file://` entry. */
function notePath(layout: CacheLayout, loc: EntryLocation): string | undefined {
  if (loc.bucket === "") return undefined;
  // `<ns>/<encoded bucket>/<encoded key>`: the directory of the bucket's records.
  const [ns, bucket] = loc.relPath.split("/", 2);
  return !ns || !bucket ? undefined : join(layout.dir, META_DIR, ns, bucket, UNANSWERED_FILE);
}

/**
 * Notes that the bucket of `loc` did not answer its revalidation at
 * `now`, for `why` (the error's message), after waiting `waitedMs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CacheLayout } from "./layout.ts";
 * import { parseUri } from "../uri.ts";
 * import { noteUnanswered, unansweredNote } from "./silent_store.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const layout = new CacheLayout(dir, { endpoint: "http://127.0.0.1:9" });
 *   const parsed = parseUri("s3://b/k");
 *   assert(parsed.scheme === "s3");
 *   const loc = layout.locate(parsed);
 *   await Deno.mkdir(`${dir}/.meta/s3@127.0.0.1_9/b`, { recursive: true });
 *   noteUnanswered(layout, loc, 1_000, "no answer in 5 s", 5_000);
 *   assert.match(unansweredNote(layout, loc, 31_000, 60_000, 5_000)!, /s3:\/\/b\/k 30 s ago: no answer in 5 s/);
 *   assert.equal(unansweredNote(layout, loc, 31_000, 60_000, 10_000), undefined); // would wait longer
 *   assert.equal(unansweredNote(layout, loc, 61_000, 60_000, 5_000), undefined); // the minute is over
 *   assert.equal(unansweredNote(layout, loc, 500, 60_000, 5_000), undefined); // the clock went back
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function noteUnanswered(
  layout: CacheLayout,
  loc: EntryLocation,
  now: number,
  why: string,
  waitedMs: number,
): void {
  const path = notePath(layout, loc);
  if (path === undefined) return;
  const note: Note = { at: now, pid: Deno.pid, uri: loc.uri, why, waited: waitedMs };
  try {
    layout.assertSafe(path);
    writeFileAtomicSync(path, JSON.stringify(note) + "\n", { durable: false });
  } catch {
    // Not noted (a read-only cache, a link, a full disk): each process waits.
  }
}

/**
 * Why the bucket of `loc` is not to be asked at `now`: a note written
 * less than `waitMs` before (by this machine's clock; one dated ahead, a
 * clock stepped back, is not taken) by a process that waited for the
 * answer at least `patienceMs` (this process's wait; `Infinity`: as long as
 * the store takes), naming the URI, when and which process; undefined when
 * there is none to go by.
 */
export function unansweredNote(
  layout: CacheLayout,
  loc: EntryLocation,
  now: number,
  waitMs: number,
  patienceMs: number,
): string | undefined {
  const path = notePath(layout, loc);
  if (path === undefined || waitMs <= 0) return undefined;
  let note: Partial<Note>;
  try {
    layout.assertSafe(path);
    const text = Deno.readTextFileSync(path);
    if (text.length > 8192) return undefined; // not one vc wrote
    note = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { at, pid, uri, why, waited } = note;
  if (typeof at !== "number" || typeof uri !== "string" || typeof why !== "string") {
    return undefined;
  }
  // Given up on sooner than this process would: the store may answer it.
  if (typeof waited !== "number" || !(waited >= patienceMs)) return undefined;
  const age = now - at;
  if (!(age >= 0 && age < waitMs)) return undefined;
  const by = typeof pid === "number" && pid !== Deno.pid ? ` (process ${pid})` : "";
  return `not asked: it did not answer for ${uri} ${Math.round(age / 1000)} s ago${by}: ${why}`;
}

/** Removes the note of `loc`'s bucket, once it answered again. */
export function clearUnanswered(layout: CacheLayout, loc: EntryLocation): void {
  const path = notePath(layout, loc);
  if (path === undefined) return;
  try {
    layout.assertSafe(path);
    Deno.removeSync(path);
  } catch {
    // None there (the usual case), or not removable: it lapses in a minute.
  }
}
