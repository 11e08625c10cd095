/**
 * Small helpers of the versioned cache: a bounded map that never stops early
 * (every entry of `sync` / `verify` is attempted), "did you mean"
 * suggestions for paths not in the manifest, and lists of entries cut short
 * for a message.
 *
 * @module
 */
import { editDistance } from "../suggest.ts";
import { fileIdentity, fsPlatform } from "../fs_platform.ts";
import { warnOnStderr } from "../warning_line.ts";

/** How many entries a message names before it says how many more there are. */
const MAX_NAMED = 20;

/**
 * `items` joined with `separator` for a message: the first 20, then how many
 * more. One naming every entry of a large manifest (150,000 without a lock
 * file, under `--frozen`) was a single line of megabytes on stderr.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstNamed } from "./helpers.ts";
 * assert.equal(firstNamed(["/a.csv", "/b.csv"]), "/a.csv, /b.csv");
 * const many = Array.from({ length: 25 }, (_, i) => `/f${i}.csv`);
 * assert(firstNamed(many).endsWith("/f19.csv, and 5 more"));
 * ```
 */
export function firstNamed(items: readonly string[], separator = ", "): string {
  if (items.length <= MAX_NAMED) return items.join(separator);
  return `${items.slice(0, MAX_NAMED).join(separator)}${separator}and ${
    items.length - MAX_NAMED
  } more`;
}

/**
 * The default `onWarning` of the versioned cache's operations: a
 * `warning: ` line on stderr.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleWarning } from "./helpers.ts";
 * const warn = console.warn;
 * const lines: unknown[] = [];
 * console.warn = (line) => lines.push(line);
 * try {
 *   consoleWarning({ message: "waiting for another process" });
 * } finally {
 *   console.warn = warn;
 * }
 * assert.deepEqual(lines, ["warning: waiting for another process"]);
 * ```
 */
export const consoleWarning = (w: { message: string }): void => warnOnStderr(w.message);

/** One result of {@linkcode mapSettled}. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `fn` on every item with at most `limit` in flight; never stops early.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapSettled } from "./helpers.ts";
 * const r = await mapSettled([1, 2], 2, async (n) => { if (n === 2) throw new Error("x"); return n; });
 * assert(r[0]?.ok && !r[1]?.ok);
 * ```
 */
export async function mapSettled<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<Settled<R>[]> {
  const results = new Array<Settled<R>>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await fn(items[i] as T) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * `"; did you mean A, B?"` for the known paths closest to `path`, or `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./helpers.ts";
 * assert.equal(didYouMean("/data/tabel.csv", ["/data/table.csv"]), "; did you mean /data/table.csv?");
 * ```
 */
export function didYouMean(path: string, known: readonly string[]): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const near = Math.max(2, Math.floor(path.length / 4));
  // The distance is the length gap at least: a path far longer or shorter is
  // not compared letter by letter (a long pasted path against every key).
  const scored = known
    .filter((k) => Math.abs(k.length - path.length) <= near || k.endsWith(`/${name}`))
    .map((k) => ({ k, d: editDistance(path, k) }))
    .filter(({ k, d }) => d <= near || k.endsWith(`/${name}`))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ k }) => k);
  return scored.length === 0 ? "" : `; did you mean ${scored.join(", ")}?`;
}

/**
 * Which of a versioned cache's own files `dest` is: the manifest, its lock
 * guard or the lock file (`own`, as `[path, name]` pairs), by its path or,
 * when both exist, as the same directory entry by another name (a directory
 * on the way reached through a link, a spelling in another letter case where
 * names ignore it, the target of a manifest that is a link); else
 * `undefined`. Another hard link of one of them is not it: a copy's rename
 * replaces that name only. A copy out (`vc sync` into the manifest's
 * directory with a manifest path `/versioned_assets.json`,
 * `vc get PATH versioned_assets.json`) must not replace one of them with an
 * asset's bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownFileAt } from "./helpers.ts";
 * const own = [["/w/versioned_assets.json", "the manifest"]] as const;
 * assert.equal(await ownFileAt("/w/versioned_assets.json", own), "the manifest");
 * assert.equal(await ownFileAt("/w/data.csv", own), undefined);
 * ```
 */
export async function ownFileAt(
  dest: string,
  own: readonly (readonly [path: string, name: string])[],
): Promise<string | undefined> {
  const named = own.find(([path]) => path === dest);
  if (named !== undefined) return named[1];
  // The entry the copy's rename would replace: a link there is replaced, not followed.
  const at = await Deno.lstat(dest).catch(() => undefined);
  if (at === undefined || !at.isFile) return undefined;
  const id = fileIdentity(at);
  for (const [path, name] of own) {
    const info = await Deno.stat(path).catch(() => undefined);
    if (info === undefined) continue;
    // No inode that tells files apart (Windows: none on some file systems;
    // NTFS's, above 2^53, loses its low bits, so that files made one after
    // the other read as one): the same directory entry, as the file system
    // spells names. By the inode, any file made beside the manifest was "the
    // manifest", and with none, the manifest in another spelling was not.
    if (id === undefined || fileIdentity(info) === undefined) {
      if (await sameEntry(dest, path, true)) return name;
      continue;
    }
    if (fileIdentity(info) !== id) continue;
    // Two looks a moment apart may see two files under one number: an inode
    // freed by another process's atomic rewrite (of the lock file, of the
    // manifest) and given to the next file made. Held open together, two
    // files cannot share one.
    if (!info.isFile || !(await sameFileHeldOpen(dest, path))) continue;
    if (at.nlink === 1 || await sameEntry(dest, path)) return name;
  }
  return undefined;
}

// Whether `a` and `b` name one file now: both opened, then their identities
// compared while both are held (neither can be freed and its number reused).
async function sameFileHeldOpen(a: string, b: string): Promise<boolean> {
  const open = (p: string) => Deno.open(p, { read: true }).catch(() => undefined);
  const [fa, fb] = await Promise.all([open(a), open(b)]);
  try {
    if (fa === undefined || fb === undefined) return false;
    const [ia, ib] = await Promise.all([fa.stat(), fb.stat()]);
    return ia.isFile && fileIdentity(ia) !== undefined && fileIdentity(ia) === fileIdentity(ib);
  } finally {
    fa?.close();
    fb?.close();
  }
}

/**
 * {@linkcode ownFileAt} for the many files of one copy out (`vc sync`),
 * with the work that does not depend on the file done once: what it returns
 * tells, for each DEST file, which of `own` it is (an entry may pass the
 * name of its own override as `except`: it may copy that onto itself).
 *
 * A file of `own` can only be DEST's file under its own name (as the file
 * system compares names: in another letter case where names ignore it) or,
 * when it is a symbolic link, its target's name; only a DEST file of such a
 * name is looked at, as {@linkcode ownFileAt} looks, at that moment. So a
 * sync of 1000 data files states none of `own` 1000 times (a missing lock
 * file was a thrown `NotFound` an entry), and a manifest replaced while the
 * sync runs (a new file renamed over it, a new inode) is still told by its
 * identity then, not by the one it had when the sync began. An own file
 * that is a link when the check is made up is looked at for every file; one
 * made a link to another name while the sync runs is not seen.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownFilesAt } from "./helpers.ts";
 * const at = await ownFilesAt([["/w/versioned_assets.json", "the manifest"]]);
 * assert.equal(await at("/w/versioned_assets.json"), "the manifest");
 * assert.equal(await at("/w/data.csv"), undefined); // no I/O: another name
 * assert.equal(await at("/w/versioned_assets.json", "the manifest"), undefined);
 * ```
 */
export async function ownFilesAt(
  own: readonly (readonly [path: string, name: string])[],
): Promise<(dest: string, except?: string) => Promise<string | undefined>> {
  const { foldName } = await import("../file_names.ts");
  const { basename } = await import("../path.ts");
  const fold = (path: string) => foldName(basename(path));
  const named = await Promise.all(own.map(async ([path, name]) => {
    const at = await Deno.lstat(path).catch(() => undefined);
    // A link: its target's name too, and looked at for every file (the
    // target may change); a target's spelling is the file system's.
    const always = at?.isSymlink === true;
    return { path, name, always, fold: fold(path) };
  }));
  return async (dest, except) => {
    const candidates = named.filter((o) => o.name !== except);
    const same = candidates.find((o) => o.path === dest);
    if (same !== undefined) return same.name;
    const name = fold(dest);
    // A DOS short name (`VERSIO~1.JSO`) may spell any of them.
    const short = name.includes("~");
    const maybe = candidates.filter((o) => o.always || short || o.fold === name);
    if (maybe.length === 0) return undefined;
    return await ownFileAt(dest, maybe.map((o) => [o.path, o.name] as const));
  };
}

// Two names of a file with several hard links: the same entry when in the same
// directory under the same name but for letter case.
async function sameEntry(a: string, b: string, byName = false): Promise<boolean> {
  const { basename, dirname } = await import("../path.ts");
  const real = (p: string) => Deno.realPath(dirname(p)).catch(() => undefined);
  const [da, db] = await Promise.all([real(a), real(b)]);
  if (da === undefined || da !== db) return false;
  if (!byName) return basename(a).toLowerCase() === basename(b).toLowerCase();
  // Not known to be one file: one name, as this file system compares names.
  const { foldName } = await import("../file_names.ts");
  const spell = (p: string) => fsPlatform.caseInsensitive ? foldName(basename(p)) : basename(p);
  return spell(a) === spell(b);
}
