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
export const consoleWarning = (w: { message: string }): void =>
  console.warn(`warning: ${w.message}`);

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
  const scored = known
    .map((k) => ({ k, d: editDistance(path, k) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(path.length / 4)) || k.endsWith(`/${name}`))
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
    if (at.nlink === 1 || await sameEntry(dest, path)) return name;
  }
  return undefined;
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
