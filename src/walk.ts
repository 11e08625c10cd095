/**
 * A sorted walk of a local directory that writes nothing into it: the local
 * side of every comparison with a store listing (mirror, repository checks).
 *
 * Files come out in UTF-8 byte order of their relative keys, the order S3
 * lists keys in, so a walk and a listing merge in one streaming pass. Within
 * a directory a subdirectory `d` sorts as `d/`: that makes the per-directory
 * order equal to the order of full keys (`a-b` < `a/x`, since `-` < `/`).
 *
 * @module
 */

import { InvalidInputError, NotUtf8NameError } from "./errors.ts";
import { fileIdentity } from "./fs_platform.ts";
import { pathBelow } from "./path.ts";
import { readDirEntries } from "./read_dir.ts";
import { compareUtf8 } from "./utf8.ts";
import { nextTurn } from "./next_turn.ts";

// Defined in utf8.ts, which loads no directory walk: a module that only
// sorts keys (a manifest, a lock file, a listing) imports it from there.
export { compareUtf8 };

/** One regular file found by {@linkcode walkFiles}. */
export interface WalkEntry {
  /** Path relative to the root, `/`-separated, never starting with `/`. */
  key: string;
  /** Absolute (or root-relative, as the root was given) path on disk. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Modification time in ms since the epoch (0 when unknown). */
  mtimeMs: number;
  /**
   * Status-change time in ms since the epoch (0 when unknown). Any write or
   * `touch -d` moves it, so (size, mtime, ctime, ino) unchanged means unchanged.
   */
  ctimeMs: number;
  /** Permission bits (`null` on Windows). */
  mode: number | null;
  /** Inode number, when the platform has one (detects replaced files). */
  ino: number | null;
}

/** Options for {@linkcode walkFiles}. */
export interface WalkOptions {
  /**
   * Symlinks: `"skip"` (default) ignores them; `"follow"` walks into linked
   * directories and yields linked files, never following a loop.
   */
  symlinks?: "skip" | "follow";
  /**
   * Called with each relative key (directories with a trailing `/`); return
   * false to leave it out. A directory left out is not entered.
   */
  include?: (key: string, isDirectory: boolean) => boolean;
  /**
   * Called for an entry that cannot be read (vanished, no permission); the
   * walk goes on. Without it, the error is thrown.
   */
  onError?: (path: string, error: unknown) => void;
  /**
   * Called for an entry that is passed over for what it is, not an error: a
   * symbolic link not followed (`"symlink"`), a FIFO, socket or device (or,
   * with `"follow"`, a link to one: `"special"`; a directory above it
   * again, a loop: `"loop"`, through a followed link or a bind mount of
   * it, told by device and inode), unless `include` leaves
   * it out. `key` is relative to the root. Its caller says what was passed
   * over, so a mirror's target that is not the whole tree says why.
   */
  onSkip?: (key: string, path: string, kind: SkipKind) => void;
  /** Stops the walk. */
  signal?: AbortSignal;
  /**
   * Real paths of directories the walk must never enter, e.g. a mirror's
   * `file://` target: reached through a followed link (to it, into it, or
   * to a directory above it) it is reported to `onError` and not walked,
   * else each run would copy the target into itself one level deeper.
   */
  avoid?: readonly string[];
  /**
   * Directories above `root` on the path a walk of a larger tree took to it
   * (its root first), for a walk of one part of that tree: a followed link
   * back into one of them is a loop as in the whole tree's walk, and a
   * `root` that is one of them (reached through such a link) is not walked.
   */
  above?: readonly string[];
}

/** What an entry {@linkcode WalkOptions.onSkip} is told of is. */
export type SkipKind = "symlink" | "special" | "loop";

interface Child {
  name: string;
  sortKey: string;
  /** `${dir}/${name}`, built once. */
  full: string;
  isDirectory: boolean;
  info: Deno.FileInfo;
}

/**
 * Every regular file under `root`, in UTF-8 byte order of keys. Reads only:
 * no lock, sidecar or state file is created in the walked tree. Memory holds
 * one directory listing per level, not the whole tree.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walkFiles } from "./walk.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/a`);
 * await Deno.writeTextFile(`${dir}/a/x.txt`, "1");
 * await Deno.writeTextFile(`${dir}/a-b`, "22");
 * await Deno.writeTextFile(`${dir}/b.txt`, "333");
 * const keys = [];
 * for await (const f of walkFiles(dir)) keys.push(`${f.key}:${f.size}`);
 * assert.deepEqual(keys, ["a-b:2", "a/x.txt:1", "b.txt:3"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function* walkFiles(
  root: string,
  options: WalkOptions = {},
): AsyncGenerator<WalkEntry> {
  for await (const batch of walkFileBatches(root, options)) {
    for (const f of batch) {
      options.signal?.throwIfAborted(); // stops between files, as the walk itself does
      yield f;
    }
  }
}

/**
 * {@linkcode walkFiles} in batches: each array holds consecutive files of one
 * directory, in the same order. A consumer that handles many files per step
 * (a no-op mirror) pays one generator step per batch instead of per file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walkFileBatches } from "./walk.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/a`);
 *   await Deno.writeTextFile(`${dir}/a/x.txt`, "1");
 *   await Deno.writeTextFile(`${dir}/a/y.txt`, "2");
 *   await Deno.writeTextFile(`${dir}/b.txt`, "3");
 *   const batches = [];
 *   for await (const b of walkFileBatches(dir)) batches.push(b.map((f) => f.key));
 *   assert.deepEqual(batches, [["a/x.txt", "a/y.txt"], ["b.txt"]]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function* walkFileBatches(
  root: string,
  options: WalkOptions = {},
): AsyncGenerator<WalkEntry[]> {
  const follow = options.symlinks === "follow";
  const base = root.length > 1 ? root.replace(/[/\\]+$/, "") : root;
  const rootInfo = await Deno.stat(base); // a missing root is an error, not an empty tree
  if (!rootInfo.isDirectory) throw new Deno.errors.NotADirectory(`not a directory: ${root}`);
  // Directories on the current path, by device and inode: a followed link
  // back into one of them is a loop.
  const ancestors: string[] = [];
  for (const dir of options.above ?? []) {
    try {
      ancestors.push(identity(Deno.statSync(dir), dir));
    } catch {
      // Gone since: no link can lead back into it.
    }
  }
  // A root reached through a link to a directory above it: a loop, never followed.
  const rootId = identity(rootInfo, base);
  if (ancestors.includes(rootId)) return;
  ancestors.push(rootId);
  const avoid = options.avoid ?? [];
  const avoided = new Set<string>();
  for (const dir of avoid) {
    try {
      avoided.add(identity(Deno.statSync(dir), dir));
    } catch {
      // Not there (yet): only links into where it would be are told by path.
    }
  }
  let sinceTurn = 0;
  yield* walkDir(base, "", ancestors);

  async function* walkDir(
    dir: string,
    prefix: string,
    path: string[],
  ): AsyncGenerator<WalkEntry[]> {
    const children: Child[] = [];
    try {
      // Synchronous calls: an async stat is a thread-pool round trip, 5-15×
      // slower per file (measured: 1000 lstats 5 ms sync vs 36-140 ms async),
      // and a no-op mirror of 100k files is mostly stats; Deno's async
      // readDir is an op per entry. Every few hundred entries the walk gives
      // the event loop a turn, so the network (a listing's pages, transfers
      // in flight) moves while the walk runs ahead instead of waiting for it
      // to pause.
      const entries = await readDirComplete(dir);
      // The directory the listing came from must be the one its parent
      // listed (or the root stat'ed): a filesystem unmounted from it since
      // (its mount point left empty), mounted over it, or the directory
      // swapped for another gives a listing of something else, and an empty
      // mount point read as "all its files deleted" would make a mirror's
      // `--delete` remove them. A failure, so the walk is incomplete.
      if (identity(Deno.statSync(dir), dir) !== path.at(-1)) throw changedUnder(dir);
      for (const entry of entries) {
        options.signal?.throwIfAborted();
        if (++sinceTurn >= TURN_EVERY) {
          sinceTurn = 0;
          await nextTurn(dir);
        }
        const child = describe(dir, prefix, entry);
        if (child !== undefined) children.push(child);
      }
    } catch (error) {
      if (options.signal?.aborted) throw error;
      report(dir, error);
      return;
    }
    children.sort((a, b) => compareUtf8(a.sortKey, b.sortKey));
    let batch: WalkEntry[] = [];
    let previous: Child | undefined;
    for (const child of children) {
      options.signal?.throwIfAborted();
      const key = prefix + child.name;
      const full = child.full;
      // What the filter leaves out is not reported either (`--exclude` is
      // the way out the report of a name not UTF-8 names).
      const included = options.include === undefined ||
        (child.isDirectory ? options.include(`${key}/`, true) : options.include(key, false));
      if (!included) continue;
      // Two names that read the same: one of them is not valid UTF-8 (Deno
      // decodes it with U+FFFD) and reads as the other; its path names the
      // other file. Once is enough, and the walk goes on.
      if (previous !== undefined && previous.sortKey === child.sortKey) {
        report(child.full, notUtf8(child.full, "reads the same as another name here"));
        continue;
      }
      previous = child;
      if (child.isDirectory) {
        const id = identity(child.info, full);
        if (path.includes(id)) {
          // A directory above it again, through a followed link or a bind
          // mount of it (`mount --bind tree tree/sub/loop`): a loop, never
          // walked, and said, so a target short of it says why.
          options.onSkip?.(key, full, "loop");
          continue;
        }
        if (avoided.has(id)) {
          report(full, fenced(full));
          continue;
        }
        path.push(id);
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        yield* walkDir(full, `${key}/`, path);
        path.pop();
      } else {
        batch.push({
          key,
          path: full,
          size: child.info.size,
          mtimeMs: child.info.mtime?.getTime() ?? 0,
          ctimeMs: child.info.ctime?.getTime() ?? 0,
          mode: child.info.mode === null ? null : child.info.mode & 0o7777,
          ino: child.info.ino,
        });
      }
    }
    if (batch.length > 0) yield batch;
  }

  function describe(dir: string, prefix: string, entry: Deno.DirEntry): Child | undefined {
    const full = `${dir}/${entry.name}`;
    if (entry.name.includes("\\") && Deno.build.os === "windows") return undefined;
    const skip = (kind: SkipKind): undefined => {
      // Left out by the filter: nothing to say.
      if (options.onSkip === undefined || excluded(prefix + entry.name, entry)) return;
      options.onSkip(prefix + entry.name, full, kind);
    };
    try {
      if (entry.isSymlink) {
        if (!follow) return skip("symlink");
        const info = statThroughLink(full); // follows the link
        if (!info.isFile && !info.isDirectory) return skip("special");
        if (info.isDirectory && avoid.length > 0) {
          const real = Deno.realPathSync(full);
          if (avoid.some((dir) => pathBelow(real, dir) !== undefined)) {
            if (!excluded(prefix + entry.name, entry)) report(full, fenced(full));
            return undefined;
          }
        }
        return child(entry.name, full, info);
      }
      if (!entry.isFile && !entry.isDirectory) return skip("special"); // sockets, fifos, devices
      return child(entry.name, full, Deno.lstatSync(full));
    } catch (error) {
      // What the filter leaves out is not the walk's to read: a link to
      // nowhere or into a loop, a file gone, is no failure there (a mirror
      // would hold back its deletes for it at every run).
      if (excluded(prefix + entry.name, entry)) return undefined;
      // A name Deno decoded with U+FFFD (not valid UTF-8) names no file.
      const lossy = entry.name.includes("\uFFFD") && error instanceof Deno.errors.NotFound;
      report(full, lossy ? notUtf8(full, "names no file as decoded") : error); // else vanished or unreadable
      return undefined;
    }
  }

  /**
   * Whether `include` leaves out every key `entry` could give: itself as a
   * file or a directory, as it is one, and a link (whose target may be
   * either, or unknown) only when it leaves out both.
   */
  function excluded(key: string, entry: Deno.DirEntry): boolean {
    const include = options.include;
    if (include === undefined) return false;
    const asFile = !entry.isDirectory && !include(key, false);
    const asDirectory = !entry.isFile && !include(`${key}/`, true);
    return entry.isSymlink ? asFile && asDirectory : asFile || asDirectory;
  }

  function changedUnder(dir: string): Error {
    return new Error(
      `${dir} is not the directory it was when the walk found it (a filesystem unmounted from ` +
        `it or mounted over it, or the directory replaced, while it was read): its listing is ` +
        `not trusted; the next run reads it again`,
    );
  }

  function notUtf8(path: string, why: string): Error {
    return new NotUtf8NameError(
      `${path}: the file name is not valid UTF-8 (shown with U+FFFD, ${why}); it cannot be a ` +
        `key: skipped (rename it)`,
    );
  }

  function fenced(path: string): Error {
    return new Error(
      `${path} leads into ${avoid.join(", ")}, which the walk must not enter (a mirror's ` +
        `target): not followed; remove the link or exclude it`,
    );
  }

  function report(path: string, error: unknown): void {
    if (options.onError === undefined) throw error;
    options.onError(path, error);
  }
}

/**
 * The entries of `dir`, all of them or an error. Deno's `readDirSync` drops
 * an error that ends a listing after it began (its `getdents` failing with
 * EIO on a failing disk or NFS, or EACCES on special directories): the
 * directory just looks shorter, and a mirror with `--delete` would delete
 * what it did not see. Its async `readDir` reports that error, at 4-8× the
 * cost, so a listing is read again that way when it may have needed more
 * than one `getdents` call, or came back empty (a failure at the first
 * call): a listing that fit in one call and has entries was read whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDirComplete } from "./walk.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a`, "a");
 *   assert.deepEqual((await readDirComplete(dir)).map((e) => e.name), ["a"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readDirComplete(dir: string): Promise<Deno.DirEntry[]> {
  const entries = [...Deno.readDirSync(dir)];
  let bytes = 0;
  for (const entry of entries) bytes += DIRENT_OVERHEAD + entry.name.length * 3;
  if (entries.length > 0 && bytes <= ONE_CALL_BYTES) return entries;
  const checked: Deno.DirEntry[] = [];
  for await (const entry of readDirEntries(dir)) checked.push(entry);
  return checked;
}

/**
 * Bytes of directory entries surely returned by one `getdents` call: a
 * quarter of glibc's 32 KiB buffer (other C libraries read at least 4 KiB),
 * counting each name at 3 bytes per UTF-16 unit and 24 bytes of header.
 */
const ONE_CALL_BYTES = Deno.build.os === "linux" ? 8192 : 2048;
const DIRENT_OVERHEAD = 24;

/** Entries read between two turns of the event loop (about 1 ms of stats). */
const TURN_EVERY = 256;

function child(name: string, full: string, info: Deno.FileInfo): Child | undefined {
  if (info.isDirectory) return { name, sortKey: `${name}/`, full, isDirectory: true, info };
  if (info.isFile) return { name, sortKey: name, full, isDirectory: false, info };
  return undefined;
}

// A directory's identity: its device and inode, or, where they cannot tell
// directories apart (`fileIdentity`: Windows gives a null inode on some file
// systems, and NTFS file references lose their low bits as numbers), the
// path its links lead to. Taken as `<dev>:null`, every subdirectory there was
// its parent, "a loop", and was left out of the walk without a word.
function identity(info: Deno.FileInfo, path: string): string {
  const id = fileIdentity(info);
  if (id !== undefined) return id;
  try {
    return `@${Deno.realPathSync(path)}`;
  } catch {
    return `@${path}`; // gone since: its listing (or not) says so
  }
}

/**
 * `stat` of the file or directory the symbolic link `path` leads to. A link
 * that leads nowhere (to a path that does not exist, or into a loop of links)
 * is there and stays so: it is an error saying so, not the `NotFound` of a
 * vanished entry (which promises that the next run mirrors what is there).
 * A mirror reports it, and does not take its object for one to delete (the
 * link may lead to a disk not mounted now). A loop is an `InvalidInputError`:
 * it fails the same until one of its links changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statThroughLink } from "./walk.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.symlink(`${dir}/missing`, `${dir}/link`);
 *   assert.throws(() => statThroughLink(`${dir}/link`), /a symbolic link to .*missing, which does not exist/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function statThroughLink(path: string): Deno.FileInfo {
  try {
    return Deno.statSync(path);
  } catch (error) {
    const nowhere = error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.FilesystemLoop;
    // A name Deno decoded with U+FFFD names no file at all: the caller says so.
    if (!nowhere || path.includes("\uFFFD")) throw error;
    let target: string;
    try {
      target = Deno.readLinkSync(path);
    } catch {
      throw error; // the link itself vanished
    }
    const loop = error instanceof Deno.errors.FilesystemLoop;
    const text = `${path}: a symbolic link to ${target}, which ${
      loop ? "is a loop of links" : "does not exist"
    }: not followed (--follow-symlinks); fix or remove the link, or leave it out with --exclude`;
    // A loop stays one until a link of it changes (a refusal for what it
    // is: a watch does not try it again until then); a link to a path that
    // does not exist may lead to a disk mounted later.
    throw loop ? new InvalidInputError(text) : new Error(text);
  }
}
