/**
 * The local side of a mirror: sorted walks of local directories turned into
 * entries keyed by their relative key (the key without the target prefix),
 * filtered, with vc's own temp files left out. Nothing is written.
 *
 * @module
 */
import { basename, join, pathBelow, sep } from "../path.ts";
import { isResumeStateName, isSharedTempName, isTempName } from "../atomic_write.ts";
import { isStaleResumeState, keptForResume, PARTIAL_KEEP_MS } from "../cache/partial_download.ts";
import { isAbandonedTemp } from "../abandoned_temp.ts";
import { type SkipKind, statThroughLink, walkFileBatches } from "../walk.ts";
import { excludesDirectory, type KeyFilter, matchesFilter } from "./keys.ts";
import { fileIdentity, fsPlatform } from "../fs_platform.ts";
import { namesFoldIn } from "../name_probe.ts";
import { readDirEntries } from "../read_dir.ts";
import { INTERNAL_PREFIX, isReservedName } from "../store/fs_layout.ts";

/**
 * Whether a source's file or directory `name` is one a local → store mirror
 * leaves out (`WalkLocalOptions.skipInternalNames`): `true`, a directory
 * store's own file (vc names them `.vc~…`, in lower case); `"any-case"`,
 * also `.VC~…`, which a `file://` target takes as no key (where names fold
 * it is that store's own file) though any other store does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isInternalName } from "./local_side.ts";
 * assert(isInternalName(".vc~meta~a.txt.json", true));
 * assert(!isInternalName(".VC~Notes.txt", true));
 * assert(isInternalName(".VC~Notes.txt", "any-case"));
 * ```
 */
export function isInternalName(name: string, how: true | "any-case"): boolean {
  return how === "any-case" ? isReservedName(name) : name.startsWith(INTERNAL_PREFIX);
}

/**
 * Why a source entry is passed over: the walk's kinds, or `internal`, a
 * file or directory named with the directory store's reserved `.vc~`
 * (its sidecars and locks, in a directory once used as a `file://` store).
 */
export type LocalSkipKind = SkipKind | "internal";

/** One local regular file. */
export interface LocalEntry {
  /** Relative key (source base + path below the SOURCE), `/`-separated. */
  key: string;
  /** Path on disk. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Modification time (ms). */
  mtimeMs: number;
  /** Status-change time (ms). */
  ctimeMs: number;
  /** Inode, when the platform has one. */
  ino: number | null;
}

/** A local directory and the key prefix its files get. */
export interface LocalRoot {
  /** The directory. */
  dir: string;
  /** Prefix of every key from this directory (`""` or ending with `/`). */
  base: string;
  /** Real paths of directories never entered (a `file://` target; see `WalkOptions.avoid`). */
  avoid?: string[];
  /** The device the directory was on when the mirror opened (see {@linkcode rootMoved}). */
  dev?: number;
  /**
   * The device it was on at the last run that found files in it, kept in
   * the state: that disk mounted again is not taken for another filesystem
   * (a mirror opened on its empty mount point, before the mount).
   */
  knownDev?: number;
}

/**
 * Names the first root that is now on another device than when the mirror
 * opened: a disk unmounted under a watch (its mount point left empty) or
 * mounted over it. Its files are then missing, not deleted, and must not be
 * deleted from the target. A root removed and made again stays on its
 * device, so it is not taken for one. With `missing`, a root that is gone
 * is named too (a `file://` source store, whose listing would be empty; a
 * watched source whose events name files below it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rootMoved } from "./local_side.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const dev = (await Deno.stat(dir)).dev;
 *   assert.equal(rootMoved([{ dir, base: "", dev }]), undefined);
 *   assert.match(rootMoved([{ dir, base: "", dev: dev + 1 }])!, /another filesystem/);
 * } finally {
 *   await Deno.remove(dir);
 * }
 * ```
 */
export function rootMoved(roots: readonly LocalRoot[], missing = false): string | undefined {
  for (const root of roots) {
    if (root.dev === undefined) continue;
    let dev: number;
    try {
      dev = Deno.statSync(root.dir).dev;
    } catch {
      // Gone: a full pass's walk reports it, but a batch of events for files
      // below it, or a directory store's listing, reads as its files
      // deleted, so `missing` says so.
      if (missing) return `${root.dir} is missing (unmounted?)`;
      continue;
    }
    if (dev !== root.dev && dev !== root.knownDev) {
      return `${root.dir} is on another filesystem than when the mirror started (unmounted?)`;
    }
  }
  return undefined;
}

/**
 * The directory `path` names now, through links (`device:inode`), or
 * `undefined` when it names none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { directoryId } from "./local_side.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(directoryId(dir), directoryId(`${dir}/.`));
 *   assert.equal(directoryId(`${dir}/missing`), undefined);
 * } finally {
 *   await Deno.remove(dir);
 * }
 * ```
 */
export function directoryId(path: string): string | undefined {
  try {
    const info = Deno.statSync(path);
    return info.isDirectory ? `${info.dev}:${info.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `path` (at or below `root`) with each directory on it that is a directory
 * above it again, by device and inode (a bind mount of it: `mount --bind
 * tree tree/sub/loop`), taken as that directory: the path a walk gives the
 * same file. A watcher reports the events of a directory under the last
 * path it found it at, for such a tree's root `tree/sub/loop`: a file made
 * as `tree/c.txt` came as `tree/sub/loop/c.txt`, a key the walk never gives.
 * Symbolic links are left as they are (a watcher does not follow them).
 * `ids` keeps the directories looked at, for the paths of one batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutLoops } from "./local_side.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/sub`);
 *   assert.equal(withoutLoops(dir, `${dir}/sub/a.txt`), `${dir}/sub/a.txt`);
 *   assert.equal(withoutLoops(dir, `${dir}/gone/a.txt`), `${dir}/gone/a.txt`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function withoutLoops(
  root: string,
  path: string,
  ids: Map<string, string | undefined> = new Map(),
): string {
  const below = pathBelow(path, root);
  if (below === undefined || below === "") return path;
  const id = (dir: string): string | undefined => {
    if (!ids.has(dir)) {
      let found: string | undefined;
      try {
        const info = Deno.lstatSync(dir);
        if (info.isDirectory) found = fileIdentity(info);
      } catch {
        // Not there (a delete's path): nothing below it to take for another.
      }
      ids.set(dir, found);
    }
    return ids.get(dir);
  };
  const top = id(root);
  if (top === undefined) return path;
  const on: { path: string; id: string }[] = [{ path: root, id: top }];
  const parts = below.split(sep);
  for (const [i, part] of parts.entries()) {
    const next = join(on.at(-1)!.path, part);
    const nextId = id(next);
    // Not a directory (a file, a link, nothing, or one with no trusted
    // inode): the rest of the path is below it as given.
    if (nextId === undefined) return join(next, ...parts.slice(i + 1));
    const again = on.findIndex((d) => d.id === nextId);
    if (again >= 0) on.length = again + 1;
    else on.push({ path: next, id: nextId });
  }
  return on.at(-1)!.path;
}

/**
 * The regular file a relative key names in `roots` now, if any: a local →
 * store delete is planned from a walk that may have run seconds before, and
 * a file made at the key since (a `git checkout` or an editor's save by
 * rename, caught between unlink and create) is not the one it missed.
 * Only a file the walk would give that very key counts (else the object's
 * delete was deferred on every run, for good): not one reached through a
 * linked directory when `symlinks` is `"skip"` (the default, as the walk's),
 * nor, where names ignore letter case (as the root's file system answers
 * `namesFoldIn`, see `src/name_probe.ts`), the
 * file of another spelling (`Data/A.txt` opens `data/a.txt` there: a file
 * renamed in case), nor, on Windows, a key with a backslash (a separator there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileOfKey } from "./local_side.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/sub`);
 *   await Deno.writeTextFile(`${dir}/sub/a.txt`, "a");
 *   const roots = [{ dir, base: "data/" }];
 *   assert.equal(await fileOfKey(roots, "data/sub/a.txt"), `${dir}/sub/a.txt`);
 *   assert.equal(await fileOfKey(roots, "data/sub"), undefined); // a directory
 *   assert.equal(await fileOfKey(roots, "data/sub//a.txt"), undefined); // no file's key
 *   assert.equal(await fileOfKey(roots, "other/sub/a.txt"), undefined);
 *   await Deno.symlink("sub", `${dir}/link`);
 *   assert.equal(await fileOfKey(roots, "data/link/a.txt"), undefined); // the walk skips the link
 *   assert.equal(await fileOfKey(roots, "data/link/a.txt", "follow"), `${dir}/link/a.txt`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function fileOfKey(
  roots: readonly LocalRoot[],
  key: string,
  symlinks: "skip" | "follow" = "skip",
): Promise<string | undefined> {
  for (const root of roots) {
    if (!key.startsWith(root.base)) continue;
    const segments = key.slice(root.base.length).split("/");
    // Only a key a file's path maps to: `sub//a.txt` and `x/../a.txt` name
    // no file, though joined they would find `sub/a.txt` and `a.txt`.
    if (segments.some((s) => s === "" || s === "." || s === "..")) continue;
    if (fsPlatform.windowsNames && key.includes("\\")) continue;
    const path = join(root.dir, ...segments);
    try {
      if (await statLocal(path, key, symlinks) === undefined) continue;
      if (await walkNames(root.dir, segments, symlinks)) return path;
    } catch {
      // Not reachable: the delete stands.
    }
  }
  return undefined;
}

/**
 * Whether a walk of `dir` reaches the file found at `segments` by those very
 * names: through no linked directory when links are skipped, and, where
 * names ignore letter case, each name spelled as its directory lists it.
 * Looked at only once a file was found (a delete's usual case, nothing
 * there, reads no directory).
 */
async function walkNames(
  dir: string,
  segments: readonly string[],
  symlinks: "skip" | "follow",
): Promise<boolean> {
  let at = dir;
  // The source is only read: asked by the names it holds, no temp file made.
  const folds = namesFoldIn(dir, { write: false });
  for (const [i, name] of segments.entries()) {
    if (folds && !(await listsName(at, name))) return false;
    at = join(at, name);
    if (symlinks === "skip" && i < segments.length - 1 && (await Deno.lstat(at)).isSymlink) {
      return false;
    }
  }
  return true;
}

async function listsName(dir: string, name: string): Promise<boolean> {
  for await (const entry of readDirEntries(dir)) if (entry.name === name) return true;
  return false;
}

/** Options for {@linkcode walkLocal}. */
export interface WalkLocalOptions {
  /** Include / exclude patterns on the relative key. */
  filter: KeyFilter;
  /** Follow or skip symlinks (loops are never followed). */
  symlinks: "skip" | "follow";
  /** Called for entries that cannot be read; the walk goes on. */
  onError: (path: string, error: unknown) => void;
  /**
   * Called for an entry the filters let in that is not mirrored for what
   * it is (a symbolic link not followed, a FIFO, socket or device); `key`
   * is its relative key.
   */
  onSkip?: (key: string, path: string, kind: LocalSkipKind) => void;
  /**
   * Leave out the directory store's own files (names starting with `.vc~`,
   * which no `file://` store takes as a key), each said to `onSkip` as
   * `internal`: in a source (local → store) they are vc's, not the user's.
   * `"any-case"`: in any letter case too, for a `file://` target, which
   * takes no such key either (see {@linkcode isInternalName}).
   */
  skipInternalNames?: boolean | "any-case";
  /** Only keys under this relative prefix (`""`: all). */
  scope?: string;
  /** Stops the walk. */
  signal?: AbortSignal;
  /**
   * Leave out files named like vc's temp files (`.<name>.vc-tmp-<pid>-<random>`):
   * in a store → local mirror's target they are its downloads in progress or
   * dead writers' leftovers. In a source (local → store) they are files like
   * any other, uploaded as the watch's events upload them.
   */
  skipTempNames?: boolean;
  /**
   * Remove the temp files of downloads that died (killed mid-file) met on
   * the way: in a store → local mirror's target, where nothing else would.
   */
  sweepDeadTemps?: boolean;
}

/**
 * A download's temp file untouched this long (ms) is a dead writer's where
 * its pid cannot be checked (a live download writes to it all the time).
 */
const DEAD_TEMP_AGE_MS = 3600_000;

/**
 * The files below `root.dir` as {@linkcode LocalEntry}s, in key order. A
 * missing root yields nothing when `missingOk` (a watched directory removed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walkLocal } from "./local_side.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a.txt`, "a");
 *   await Deno.writeTextFile(`${dir}/b.log`, "b");
 *   const keys = [];
 *   const walk = walkLocal({ dir, base: "x/" }, {
 *     filter: { exclude: [/\.log$/] },
 *     symlinks: "skip",
 *     onError: () => {},
 *   });
 *   for await (const e of walk) keys.push(e.key);
 *   assert.deepEqual(keys, ["x/a.txt"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function* walkLocal(
  root: LocalRoot,
  options: WalkLocalOptions,
  missingOk = false,
): AsyncGenerator<LocalEntry> {
  for await (const batch of walkLocalBatches(root, options, missingOk)) yield* batch;
}

/**
 * {@linkcode walkLocal} in batches (consecutive files of one directory, never
 * empty): a no-op mirror takes a directory per step, not a file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walkLocalBatches } from "./local_side.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a.txt`, "a");
 *   await Deno.writeTextFile(`${dir}/b.txt`, "b");
 *   const batches = [];
 *   const walk = walkLocalBatches({ dir, base: "" }, {
 *     filter: {},
 *     symlinks: "skip",
 *     onError: () => {},
 *   });
 *   for await (const b of walk) batches.push(b.map((e) => e.key));
 *   assert.deepEqual(batches, [["a.txt", "b.txt"]]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function* walkLocalBatches(
  root: LocalRoot,
  options: WalkLocalOptions,
  missingOk = false,
): AsyncGenerator<LocalEntry[]> {
  const scope = options.scope ?? "";
  let dir = root.dir;
  let base = root.base;
  if (scope !== "") {
    // Walk only the part of this root that the scope covers.
    if (scope.startsWith(base)) {
      const below = scope.slice(base.length);
      dir = below === "" ? dir : `${dir.replace(/\/+$/, "")}/${below.replace(/\/$/, "")}`;
      base = scope;
    } else if (!base.startsWith(scope)) {
      return;
    }
  }
  if (missingOk) {
    try {
      if (!(await Deno.stat(dir)).isDirectory) return;
    } catch {
      return;
    }
  }
  if (dir !== root.dir && options.symlinks === "skip") {
    // A scope below the root that is a skipped symlink has nothing to mirror.
    if ((await Deno.lstat(dir).catch(() => undefined))?.isSymlink) return;
  }
  // A scope below the root: the directories above it, so that a link in it
  // back to one of them (`a/up -> ..`) is a loop here as in a full walk,
  // not a copy of the tree one level deeper.
  const above: string[] = [];
  if (dir !== root.dir && options.symlinks === "follow") {
    const top = root.dir.replace(/\/+$/, "");
    const parts = dir.slice(top.length + 1).split("/").filter((p) => p !== "");
    above.push(top === "" ? "/" : top);
    let at = top;
    for (const part of parts.slice(0, -1)) above.push(at = `${at}/${part}`);
  }
  const walk = walkFileBatches(dir, {
    symlinks: options.symlinks,
    ...(above.length === 0 ? {} : { above }),
    ...(root.avoid === undefined ? {} : { avoid: root.avoid }),
    onError: options.onError,
    ...(options.onSkip === undefined ? {} : {
      onSkip: (key: string, path: string, kind: SkipKind) =>
        options.onSkip!(base + key, path, kind),
    }),
    ...(options.signal ? { signal: options.signal } : {}),
    include: (key, isDirectory) => {
      if (
        options.skipInternalNames && isInternalName(basename(key), options.skipInternalNames)
      ) {
        // Said (once per run, in the summary's count) unless the filters
        // leave it out anyway, as a link not followed is.
        const inFilter = isDirectory
          ? !excludesDirectory(options.filter, base + key)
          : matchesFilter(options.filter, base + key);
        if (inFilter) options.onSkip?.(base + key, `${dir.replace(/\/+$/, "")}/${key}`, "internal");
        return false;
      }
      if (isDirectory) return !excludesDirectory(options.filter, base + key);
      // vc's own temp files first: swept whatever the filters say (a
      // `--filter '\.csv$'` does not match `.a.csv.vc-tmp-…`). Most names are
      // not; the regular expression runs only on candidates.
      if (options.skipTempNames && key.includes(".vc-tmp-") && isTempName(basename(key))) {
        if (options.sweepDeadTemps) removeIfDead(`${dir.replace(/\/+$/, "")}/${key}`);
        return false;
      }
      return matchesFilter(options.filter, base + key);
    },
  });
  for await (const files of walk) {
    // The walk's entries and array are ours (filtered by `include`):
    // re-keyed in place, not copied (a no-op run of a million files
    // allocates a million fewer objects).
    const batch: LocalEntry[] = files;
    for (let i = 0; i < files.length; i++) batch[i]!.key = base + files[i]!.key;
    yield batch;
  }
}

/**
 * Stats one local file as a {@linkcode LocalEntry}; `undefined` when it is
 * missing or not a regular file (after following a link when `follow`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statLocal } from "./local_side.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   assert.equal((await statLocal(p, "k", "skip"))?.size, 0);
 *   assert.equal(await statLocal(`${p}.missing`, "k", "skip"), undefined);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export async function statLocal(
  path: string,
  key: string,
  symlinks: "skip" | "follow",
): Promise<LocalEntry | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
    if (info.isSymlink) {
      if (symlinks === "skip") return undefined;
      // One that leads nowhere is reported, not taken for a file gone.
      info = statThroughLink(path);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
  if (!info.isFile) return undefined;
  return {
    key,
    path,
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? 0,
    ctimeMs: info.ctime?.getTime() ?? 0,
    ino: info.ino,
  };
}

/**
 * Whether `entry`'s file, read as `read` bytes though listed with another
 * size, still has the stat it was listed with (size, mtime, ctime, inode):
 * a file the system makes up as it is read (Linux's /proc, stat'ed with 0
 * bytes, and /sys, with 4096), whose stat never tells its content's size,
 * rather than one written to since it was listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pseudoFileSize, statLocal } from "./local_side.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "abc");
 *   const entry = (await statLocal(p, "k", "skip"))!;
 *   assert.equal(await pseudoFileSize(entry, 3, "skip"), false);
 *   assert.equal(await pseudoFileSize(entry, 0, "skip"), true);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export async function pseudoFileSize(
  entry: LocalEntry,
  read: number,
  symlinks: "skip" | "follow",
): Promise<boolean> {
  if (read === entry.size) return false;
  const now = await statLocal(entry.path, entry.key, symlinks);
  return now !== undefined && now.size === entry.size && now.mtimeMs === entry.mtimeMs &&
    now.ctimeMs === entry.ctimeMs && (now.ino ?? 0) === (entry.ino ?? 0);
}

/**
 * What a full pass's walk would skip `path` as (and count in the report's
 * `skipped`): `"symlink"` for a link not followed, `"special"` for a FIFO,
 * socket or device (or, followed, a link to one); `undefined` for a file, a
 * directory, or nothing there (or a link that leads nowhere: its read fails).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skippedAs } from "./local_side.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.symlink(dir, `${dir}/link`);
 *   assert.equal(await skippedAs(`${dir}/link`, "skip"), "symlink");
 *   assert.equal(await skippedAs(`${dir}/link`, "follow"), undefined);
 *   assert.equal(await skippedAs(dir, "skip"), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function skippedAs(
  path: string,
  symlinks: "skip" | "follow",
): Promise<SkipKind | undefined> {
  try {
    let info = await Deno.lstat(path);
    if (info.isSymlink) {
      if (symlinks === "skip") return "symlink";
      info = statThroughLink(path);
    }
    return info.isFile || info.isDirectory ? undefined : "special";
  } catch {
    return undefined;
  }
}

/** Removes the temp file at `path` when its writer is gone (see {@linkcode isAbandonedTemp}). */
function removeIfDead(path: string): void {
  try {
    const now = Date.now();
    const name = basename(path);
    // A large download's partial kept to be resumed (see
    // resumable_download.ts) stays for a day, with its note; the note goes
    // with its partial.
    if (isResumeStateName(name)) {
      if (isStaleResumeState(path, now)) Deno.removeSync(path);
      return;
    }
    if (isSharedTempName(name) && keptForResume(path, now, PARTIAL_KEEP_MS)) return;
    const info = Deno.lstatSync(path);
    // Its writer holds its lock until the commit: unlocked, it is gone. A
    // download locks its unique temp file before its first byte (see
    // src/store/download.ts), so one holding bytes is gone at any age.
    const options = { lockedBeforeWrite: true, size: info.size };
    if (info.isFile && isAbandonedTemp(path, info.mtime, now, DEAD_TEMP_AGE_MS, options)) {
      Deno.removeSync(path);
    }
  } catch {
    // Gone already, or not ours to remove: the next run looks again.
  }
}
