/**
 * The integrity lock file: beside `versioned_assets.json`, a
 * `versioned_assets.lock.json` maps each `path@version` to the size and
 * SHA-256 of its content, so a version replaced in the bucket is refused
 * instead of silently used (what `go.sum` and npm's `integrity` do for code).
 *
 * ```json
 * {
 *   "/foo/bar.csv@1.2.5": { "size": 1234, "sha256": "9f86d0…" }
 * }
 * ```
 *
 * Written sorted (code point order), one line per entry (or in the layout a
 * formatter gave the file, {@linkcode lockFileLayout}), atomically, and
 * only under the manifest's cross-process lock, so manifest and lock file
 * change together, and under the lock file's own ({@linkcode withLockFileWrite}:
 * one lock file may serve several manifests, `--lock`, `VC_LOCK`). The manifest itself stays byte-compatible with baiji-pod;
 * a project without a lock file works as before.
 *
 * @module
 */
import { LOCK_CHECK, mergeDriverHint } from "../command_words.ts";
import { readTextCapped } from "../read_capped.ts";
import { basename, dirname, join } from "../path.ts";
import { AtomicFile, writeFileAtomic } from "../atomic_write.ts";
import { statusOrUndefinedSync } from "../file_status.ts";
import { InvalidInputError, VcError } from "../errors.ts";
import { duplicateKeyAt, jsonSyntaxMessage } from "../json_text.ts";
import { compareUtf8 } from "../utf8.ts";
import { openLockFile, withFileLock } from "../file_lock.ts";
import { refuseReadOnlyFile } from "../replace_file.ts";
import { isNoSpaceError, writeZerosSync } from "../no_space.ts";
import {
  checkFunction,
  checkOptions,
  checkPathArgument,
  describeValue,
  isPlainObject,
  requireString,
} from "../options_check.ts";
import { ownFileAt } from "./helpers.ts";
import { manifestLockPath, manifestTarget } from "./manifest.ts";
import { normalizeVersionedPath } from "./naming.ts";
import { isVersion } from "./version.ts";

/**
 * What the lock file pins for one `path@version`. An entry read from a file
 * also carries, as further own properties, any fields vc does not know
 * (written by a newer vc or by hand); a rewrite keeps them.
 */
export interface LockEntry {
  /** Size in bytes. */
  size: number;
  /** Hex SHA-256 (lower case). */
  sha256: string;
}

/** Lock file entries: `"/path@MAJOR.MINOR.PATCH"` → size and SHA-256. */
export type LockEntries = Record<string, LockEntry>;

// A lock file is small (one line per version); anything far bigger is not one.
const MAX_LOCK_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The default lock file of a manifest: `versioned_assets.json` →
 * `versioned_assets.lock.json` (a name without `.json` gets `.lock.json` appended).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultLockFile } from "./lock_file.ts";
 * assert.equal(defaultLockFile("/repo/versioned_assets.json"), "/repo/versioned_assets.lock.json");
 * assert.equal(defaultLockFile("/repo/assets"), "/repo/assets.lock.json");
 * ```
 */
export function defaultLockFile(manifest: string): string {
  checkPathArgument("defaultLockFile(): the manifest", manifest);
  const name = basename(manifest);
  const stem = name.endsWith(".json") ? name.slice(0, -".json".length) : name;
  return join(dirname(manifest), `${stem}.lock.json`);
}

/**
 * The cross-process lock a write of the lock file `target` (its real path)
 * holds: that of the manifest it is the default lock file of
 * (`.versioned_assets.json.lock` for `versioned_assets.lock.json`), so a
 * manifest and its own lock file share one lock and no second lock file
 * appears beside them; `.<name>.lock` for a lock file named otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockFileLockPath } from "./lock_file.ts";
 * assert.equal(lockFileLockPath("/repo/versioned_assets.lock.json"), "/repo/.versioned_assets.json.lock");
 * assert.equal(lockFileLockPath("/repo/hashes.json"), "/repo/.hashes.json.lock");
 * ```
 */
export function lockFileLockPath(target: string): string {
  checkPathArgument("lockFileLockPath(): the lock file", target);
  const stem = /^(.+)\.lock\.json$/.exec(basename(target))?.[1];
  return manifestLockPath(stem === undefined ? target : join(dirname(target), `${stem}.json`));
}

/** Options of {@linkcode withLockFileWrite}. */
const LOCK_FILE_WRITE_OPTIONS = { signal: true, onWait: true, onWarning: true } as const;

/**
 * Runs `fn` holding the cross-process locks of the manifest and of its lock
 * file (`lockFile`, when there is one); `fn` gets the manifest's real path.
 * Every read-modify-write of a lock file runs under it: the manifest's lock
 * alone would let writers of two manifests that share one lock file
 * (`--lock`, `VC_LOCK`) rewrite it at once, one dropping the other's entry.
 * The locks are taken in one order (by path) in every process, so two
 * writers never hold one each while waiting for the other's. With `signal`,
 * a wait for a lock another process holds stops when it is aborted;
 * `onWait` is called with the lock's path once before each such wait (a
 * holder stopped with Ctrl-Z holds it for as long as it stays stopped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withLockFileWrite } from "./lock_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const target = await withLockFileWrite(`${dir}/m.json`, `${dir}/shared.lock.json`, (t) => t);
 *   assert(target.endsWith("m.json"));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function withLockFileWrite<T>(
  manifest: string,
  lockFile: string | undefined,
  fn: (target: string) => Promise<T> | T,
  options: {
    signal?: AbortSignal | undefined;
    onWait?: ((lockPath: string) => void) | undefined;
    /**
     * Told that the file system gives no locks (once per process; default:
     * a `warning:` line on stderr, see `withFileLock`'s `onWarning`).
     */
    onWarning?: ((warning: { message: string }) => void) | undefined;
  } = {},
): Promise<T> {
  checkPathArgument("withLockFileWrite(): the manifest", manifest);
  if (lockFile !== undefined) checkPathArgument("withLockFileWrite(): the lock file", lockFile);
  checkFunction("withLockFileWrite(): fn", fn);
  // A misspelt option, or the `onNoLocks` it took before `onWarning`, was
  // ignored without a word (the notice went to stderr instead).
  checkOptions("withLockFileWrite()", options, LOCK_FILE_WRITE_OPTIONS);
  const target = await manifestTarget(manifest);
  const paths = new Set([manifestLockPath(target)]);
  if (lockFile !== undefined) {
    const lockTarget = await manifestTarget(lockFile);
    await refuseLockFileOverManifest(manifest, target, lockFile, lockTarget);
    paths.add(lockFileLockPath(lockTarget));
  }
  const ordered = [...paths].sort(compareUtf8);
  const { onWait, onWarning } = options;
  const base = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(onWarning === undefined ? {} : { onWarning }),
  };
  const hold = (i: number): Promise<T> =>
    i === ordered.length ? Promise.resolve(fn(target)) : withFileLock(
      ordered[i]!,
      () => hold(i + 1),
      onWait === undefined ? base : { ...base, onWait: () => onWait(ordered[i]!) },
    );
  return await hold(0);
}

/**
 * Throws `InvalidInputError` when the lock file is the manifest, or the
 * manifest's lock guard, under another name: a symbolic link to it, or its
 * path through a linked directory (`VersionedCache` refuses the same path
 * spelled alike when it is made). Its rewrite would replace the manifest
 * with lock entries. Told as a copy over the manifest is (a hard link is a
 * file of its own: the atomic rewrite replaces the name, not the inode);
 * for files not made yet, by their real directory and name.
 */
async function refuseLockFileOverManifest(
  manifest: string,
  manifestReal: string,
  lockFile: string,
  lockReal: string,
): Promise<void> {
  const guard = manifestLockPath(manifestReal);
  const own: Array<[string, string]> = [
    [manifestReal, `the manifest ${manifest}`],
    [guard, `the manifest's lock guard ${guard}`],
  ];
  let found = await ownFileAt(lockReal, own);
  if (found === undefined) {
    const real = async (p: string) =>
      join(await Deno.realPath(dirname(p)).catch(() => dirname(p)), basename(p));
    const lock = await real(lockReal);
    for (const [path, name] of own) {
      if (found === undefined && await real(path) === lock) found = name;
    }
  }
  if (found === undefined) return;
  throw new InvalidInputError(
    `lock file ${lockFile} is ${found}${
      lockReal === lockFile ? "" : ` (it leads to ${lockReal})`
    }; give the lock file its own name (default: ${defaultLockFile(manifest)})`,
  );
}

/**
 * Throws `VcError` unless this process can do the writes of a
 * {@linkcode withLockFileWrite} of `manifest` and `lockFile`: open (create)
 * the lock guards it takes, and write a file beside the manifest and the
 * lock file (an atomic write's temp file, renamed over them) as large as
 * each will be, then remove it. `add` and `update` ask before they publish:
 * a manifest in a directory they may not write (a read-only checkout or
 * mount, one owned by another user), on a full disk, or a manifest or lock
 * file that is itself read-only (which the rename would replace where the
 * directory may be written), would otherwise be found only after the
 * upload (or never), leaving the version published and unpinned.
 * `vc lock` asks before it downloads, with the keys it will add as
 * `adding`: it writes the lock file alone (the manifest's guard is still
 * taken, the manifest itself may be read-only), and the lock file's try has
 * room for all their lines, not one pin's. `outcome` ends the message: what
 * was not done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLockFileWritable } from "./lock_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await checkLockFileWritable(`${dir}/m.json`, `${dir}/m.lock.json`);
 *   assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [".m.json.lock"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function checkLockFileWritable(
  manifest: string,
  lockFile: string | undefined,
  { outcome = "nothing was published", adding }: {
    outcome?: string;
    adding?: readonly string[];
  } = {},
): Promise<void> {
  const files: Array<[string, string]> = [["manifest", await manifestTarget(manifest)]];
  if (lockFile !== undefined) {
    const lockTarget = await manifestTarget(lockFile);
    try {
      await refuseLockFileOverManifest(manifest, files[0]![1], lockFile, lockTarget);
    } catch (cause) {
      throw new InvalidInputError(`${(cause as Error).message}; ${outcome}`, { cause });
    }
    files.push(["lock file", lockTarget]);
  }
  for (const [what, target] of files) {
    const guard = what === "manifest" ? manifestLockPath(target) : lockFileLockPath(target);
    // vc lock only reads the manifest (under its guard): it may be read-only.
    const written = what === "lock file" || adding === undefined;
    try {
      if (written) refuseReadOnlyFile(target, `${what} ${target}`);
    } catch (cause) {
      throw new VcError(`${(cause as Error).message}; ${outcome}`, { cause });
    }
    try {
      openLockFile(guard).close();
      if (!written) continue;
      const temp = AtomicFile.create(target);
      try {
        // As many bytes as the rewrite needs: an empty file is made on a full
        // disk too, where the write after the upload then failed.
        const room = PIN_ROOM_BYTES + (what === "lock file" ? lockLinesBytes(adding ?? []) : 0);
        writeZerosSync(temp.file, (statusOrUndefinedSync(target)?.size ?? 0) + room);
      } finally {
        temp.discard();
      }
    } catch (cause) {
      const why = isNoSpaceError(cause)
        ? `no space left on that device (${(cause as Error).message}): free space there`
        : (cause as Error).message;
      throw new VcError(`cannot write ${what} ${target}: ${why}; ${outcome}`, { cause });
    }
  }
}

/** Room the try of a pin's write asks beyond the file's size: a new entry's line. */
const PIN_ROOM_BYTES = 4096;

// A lock file line but its key, at its longest: the largest size, a CRLF.
// Expanded by a formatter, an entry takes four lines and their indents: counted generously.
const LOCK_LINE_BYTES =
  `  : {"size": ${Number.MAX_SAFE_INTEGER}, "sha256": "${"0".repeat(64)}"},\r\n`.length + 64;

/** The bytes the lock file lines of `keys` take at most. */
function lockLinesBytes(keys: readonly string[]): number {
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const key of keys) bytes += encoder.encode(JSON.stringify(key)).length + LOCK_LINE_BYTES;
  return bytes;
}

/**
 * The lock file key of `path` at `version`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockKey } from "./lock_file.ts";
 * assert.equal(lockKey("foo/bar.csv", "1.2.5"), "/foo/bar.csv@1.2.5");
 * ```
 */
export function lockKey(path: string, version: string): string {
  return `${normalizeVersionedPath(path)}@${version}`;
}

/**
 * Reads and validates a lock file; `undefined` when it does not exist.
 * Malformed content throws `InvalidInputError` naming the file and entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLockFile } from "./lock_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(await readLockFile(`${dir}/none.lock.json`), undefined);
 *   await Deno.writeTextFile(`${dir}/l.json`,
 *     `{"/a.csv@1.0.0": {"size": 1, "sha256": "${"0".repeat(64)}"}}`);
 *   assert.equal((await readLockFile(`${dir}/l.json`))?.["/a.csv@1.0.0"]?.size, 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readLockFile(file: string): Promise<LockEntries | undefined> {
  return (await readLockText(file))?.entries;
}

/**
 * The lock file's entries, its line break (`\r\n` when written so) and its
 * UTF-8 byte order mark (`""` when it has none; an editor that saved it with
 * one puts it back, so a rewrite keeps it), or undefined when missing.
 */
async function readLockText(
  file: string,
): Promise<{ entries: LockEntries; layout: LockFileLayout; mark: string } | undefined> {
  const read = await readTextCapped(file, {
    maxBytes: MAX_LOCK_FILE_BYTES,
    what: "lock file",
    why: "more than a lock file of sizes and hashes can be",
    allowMissing: true,
    keepByteOrderMark: true,
  });
  if (read === undefined) return undefined;
  const mark = read.startsWith("\ufeff") ? "\ufeff" : "";
  const text = read.slice(mark.length);
  return { entries: parseLockFile(text, file), layout: lockFileLayout(text), mark };
}

/**
 * How a lock file lays out its entries, kept when vc rewrites it: its line
 * break, the indent of an entry, and whether each entry's fields are on
 * lines of their own (`expanded`, as `deno fmt` and prettier write them).
 */
export interface LockFileLayout {
  /** `"\n"`, or `"\r\n"` in a file checked out with CRLF line breaks. */
  eol: string;
  /** An entry's indent (its fields, expanded, are indented twice as far). */
  indent: string;
  /** Each field on a line of its own, rather than one line an entry. */
  expanded: boolean;
}

// An entry's first line: its indent, and whether its value's `{` ends the line.
const LOCK_ENTRY_LINE = /^([ \t]+)"(?:[^"\\\r\n]|\\.)*"[ \t]*:[ \t]*(\{[ \t]*\r?$)?/m;

/**
 * The layout of lock file `text` (vc's own, one line an entry indented by
 * two spaces, for a file with no entry to go by), so that a rewrite keeps
 * what a formatter made of it (`deno fmt`, prettier) rather than changing
 * every line back, which a formatter's check would then fail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockFileLayout } from "./lock_file.ts";
 * const sha = "0".repeat(64);
 * assert.deepEqual(lockFileLayout(`{\n  "/a@1.0.0": {"size": 1, "sha256": "${sha}"}\n}\n`),
 *   { eol: "\n", indent: "  ", expanded: false });
 * assert.deepEqual(lockFileLayout(`{\r\n    "/a@1.0.0": {\r\n        "size": 1,\r\n`),
 *   { eol: "\r\n", indent: "    ", expanded: true });
 * ```
 */
export function lockFileLayout(text: string): LockFileLayout {
  const m = LOCK_ENTRY_LINE.exec(text);
  return {
    eol: /\r\n/.test(text) ? "\r\n" : "\n",
    indent: m?.[1] ?? "  ",
    expanded: m?.[2] !== undefined,
  };
}

// Each entry pins one path@version, and a version is published once (uploads
// are create-only): the entries of both sides hold together.
const LOCK_CONFLICT_HINT =
  "keep the entries of both sides, a comma after each but the last, then run " +
  LOCK_CHECK.library;

// What is wrong with a lock entry's value, said of the field at fault (a
// hand edit's `"size": "6"` is not found by reading the shape alone).
function lockEntryProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `it is ${describeValue(value)}`;
  }
  const { size, sha256 } = value as Record<string, unknown>;
  if (size === undefined) return "its size is missing";
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    return `its size is ${describeValue(size)}, not a whole number of bytes`;
  }
  if (sha256 === undefined) return "its sha256 is missing";
  if (typeof sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(sha256)) {
    return `its sha256 is ${describeValue(sha256)}, not 64 hex digits`;
  }
  return undefined;
}

/**
 * Parses and validates lock file text; `file` names it in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLockFile } from "./lock_file.ts";
 * assert.throws(() => parseLockFile('{"/a.csv@1.0": {"size": 1, "sha256": "x"}}', "l.json"), /l\.json/);
 * ```
 */
export function parseLockFile(text: string, file: string): LockEntries {
  // Else a bare TypeError from inside the JSON error's message.
  requireString("parseLockFile(): the lock file's text", text);
  requireString("parseLockFile(): the lock file's name", file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(
      jsonSyntaxMessage(
        `lock file ${file}`,
        text,
        cause,
        LOCK_CONFLICT_HINT + mergeDriverHint(text),
      ),
      { cause },
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new InvalidInputError(
      `lock file ${file} must be a JSON object of "/path@version" entries, got ${
        Array.isArray(data) ? "an array" : data === null ? "null" : typeof data
      }`,
    );
  }
  const out: LockEntries = {};
  for (const [key, value] of Object.entries(data)) {
    const bad = (why: string) =>
      new InvalidInputError(`lock file ${file}: entry ${JSON.stringify(key)} ${why}`);
    const at = key.lastIndexOf("@");
    const version = key.slice(at + 1);
    // A key that is no entry at all (`"version"`, `"$schema"`, another
    // tool's `"lockfileVersion"`): not an entry to fix, but another file.
    if (at < 0 && !key.startsWith("/")) {
      throw new InvalidInputError(
        `lock file ${file}: ${JSON.stringify(key)} is not a lock entry ` +
          `("/path@MAJOR.MINOR.PATCH"): is ${file} a vc lock file (check the lock option / VC_LOCK)? ` +
          "A lock file of a newer vc may hold what this one cannot read: upgrade vc",
      );
    }
    if (at <= 0 || !isVersion(version)) throw bad('must be "/path@MAJOR.MINOR.PATCH"');
    let path: string;
    try {
      path = normalizeVersionedPath(key.slice(0, at));
    } catch (cause) {
      throw bad(`has an invalid path: ${(cause as Error).message}`);
    }
    const problem = lockEntryProblem(value);
    if (problem !== undefined) {
      throw bad(`must be {"size": BYTES, "sha256": "64 hex digits"}: ${problem}`);
    }
    const v = value as LockEntry;
    const normalized = `${path}@${version}`;
    if (Object.hasOwn(out, normalized)) {
      // Two spellings of one entry: which hash wins must not depend on order.
      throw bad(`names ${normalized} again (another entry already pins it)`);
    }
    // Fields vc does not know (a newer vc's, a hand edit's) are kept as they
    // are, so a rewrite does not drop them; defined, not assigned, so that a
    // "__proto__" field stays a field.
    const entry: LockEntry = { size: v.size as number, sha256: v.sha256.toLowerCase() };
    for (const [field, fieldValue] of Object.entries(v)) {
      if (field === "size" || field === "sha256") continue;
      Object.defineProperty(entry, field, {
        value: fieldValue,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    out[normalized] = entry;
  }
  checkDuplicateKeys(text, file);
  return out;
}

// JSON.parse keeps the last of two identical keys silently, so a lock file
// could show a reviewer one hash and pin another.
function checkDuplicateKeys(text: string, file: string): void {
  const twice = duplicateKeyAt(text);
  if (twice === undefined) return;
  throw new InvalidInputError(
    `lock file ${file}:${twice.line}:${twice.column}: ${
      JSON.stringify(twice.key)
    } appears more than once`,
  );
}

/**
 * The lock file's text: entries sorted by key (code point order), one line
 * each, lines ending in `eol` (a file checked out with CRLF line breaks is
 * rewritten with them, so a change is one line in the diff, not all).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLockFile } from "./lock_file.ts";
 * const sha = "a".repeat(64);
 * assert.equal(formatLockFile({ "/b@1.0.0": { size: 2, sha256: sha }, "/a@1.0.0": { size: 1, sha256: sha } }),
 *   `{\n  "/a@1.0.0": {"size": 1, "sha256": "${sha}"},\n  "/b@1.0.0": {"size": 2, "sha256": "${sha}"}\n}\n`);
 * ```
 */
export function formatLockFile(entries: Readonly<LockEntries>, eol = "\n"): string {
  return formatLockText(entries, eol, "formatLockFile()");
}

/**
 * The lock file's text as {@linkcode formatLockFile} writes it, laid out as
 * `layout` says (a file's own, from {@linkcode lockFileLayout}): a rewrite
 * of a file a formatter expanded stays expanded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLockFileAs } from "./lock_file.ts";
 * const sha = "a".repeat(64);
 * assert.equal(
 *   formatLockFileAs({ "/a@1.0.0": { size: 1, sha256: sha } }, { eol: "\n", indent: "  ", expanded: true }),
 *   `{\n  "/a@1.0.0": {\n    "size": 1,\n    "sha256": "${sha}"\n  }\n}\n`,
 * );
 * ```
 */
export function formatLockFileAs(entries: Readonly<LockEntries>, layout: LockFileLayout): string {
  return formatLockText(entries, layout.eol, "formatLockFileAs()", layout);
}

// The lock file's text; `what` names the file (or the call) in errors.
function formatLockText(
  entries: Readonly<LockEntries>,
  eol: string,
  what: string,
  layout: Omit<LockFileLayout, "eol"> = { indent: "  ", expanded: false },
): string {
  // A Map or an array has no keys Object.keys sees: written, it would empty
  // the lock file; an entry without its size or hash was written as text no
  // reader takes (`"sha256": undefined`).
  if (!isPlainObject(entries)) {
    throw new InvalidInputError(
      `${what}: the entries must be an object of "/path@version" → { size, sha256 }, got ${
        describeValue(entries)
      }`,
    );
  }
  if (eol !== "\n" && eol !== "\r\n") {
    throw new InvalidInputError(
      `${what}: the line ending must be "\\n" or "\\r\\n", got ${describeValue(eol)}`,
    );
  }
  for (const [key, value] of Object.entries(entries)) {
    const problem = lockEntryProblem(value);
    if (problem !== undefined) {
      throw new InvalidInputError(
        `${what}: entry ${
          JSON.stringify(key)
        } must be {"size": BYTES, "sha256": "64 hex digits"}: ${problem}`,
      );
    }
  }
  const keys = Object.keys(entries).sort(compareUtf8);
  if (keys.length === 0) return `{}${eol}`;
  const { indent, expanded } = layout;
  const lines = keys.map((k) => {
    const e = entries[k] as LockEntry;
    // Other fields (kept from the file as read) follow, in their order.
    const fields: Array<[string, unknown]> = [
      ["size", e.size],
      ["sha256", e.sha256],
      ...Object.entries(e).filter(([f, v]) =>
        f !== "size" && f !== "sha256" && JSON.stringify(v) !== undefined
      ),
    ];
    if (!expanded) {
      return `${indent}${JSON.stringify(k)}: {${
        fields.map(([f, v]) => `${JSON.stringify(f)}: ${JSON.stringify(v)}`).join(", ")
      }}`;
    }
    // As JSON.stringify's indent (and so a formatter) lays it out.
    const inner = `${indent}${indent}`;
    const body = fields.map(([f, v]) =>
      `${inner}${JSON.stringify(f)}: ${
        (JSON.stringify(v, null, indent) as string).replaceAll("\n", `${eol}${inner}`)
      }`
    );
    return `${indent}${JSON.stringify(k)}: {${eol}${body.join(`,${eol}`)}${eol}${indent}}`;
  });
  return `{${eol}${lines.join(`,${eol}`)}${eol}}${eol}`;
}

// A lock file past what vc reads would fail every later command that reads
// it (`vc path` included), so no write leaves one.
function refuseOversizedLockFile(file: string, bytes: number, outcome = "", about = ""): void {
  if (bytes <= MAX_LOCK_FILE_BYTES) return;
  throw new InvalidInputError(
    `lock file ${file} would be ${about}${bytes} bytes, more than the ${MAX_LOCK_FILE_BYTES} (64 MiB) ` +
      `vc reads${outcome}; remove the entries of versions no manifest pins any more, or give ` +
      `new manifests a lock file of their own (the lock option)`,
  );
}

/**
 * Throws `InvalidInputError` when a new entry for `path` at `version` would
 * take lock file `file` past the size vc reads: `add` and `update` ask
 * before they publish, since the lock file's write would be refused after.
 * The file's size on disk plus a generous bound for the entry's line: close
 * to the limit a version may be refused that would just have fitted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLockFileRoom } from "./lock_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await checkLockFileRoom(`${dir}/none.lock.json`, "/a.csv", "1.0.0");
 *   await Deno.writeTextFile(`${dir}/m.lock.json`, "{}\n");
 *   await checkLockFileRoom(`${dir}/m.lock.json`, "/a.csv", "1.0.0");
 *   assert(true);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function checkLockFileRoom(
  file: string,
  path: string,
  version: string,
): Promise<void> {
  const size = await Deno.stat(file).then((s) => s.size, () => 0);
  // Indent, key, a size of up to 16 digits, the hash, separators, CRLF.
  const line = 6 * lockKey(path, version).length + 128;
  if (size + line <= MAX_LOCK_FILE_BYTES) return;
  refuseOversizedLockFile(file, size + line, "; nothing was published", "up to ");
}

/**
 * Re-reads the lock file, applies `change` (waiting for it when it is async;
 * what it returns is not looked at), and writes it atomically when
 * something changed. The caller holds the manifest's and the lock file's
 * locks ({@linkcode withLockFileWrite}), so manifest and lock file change
 * together and no writer of another manifest rewrites the lock file
 * meanwhile. A missing file counts as empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLockFile, updateLockFile } from "./lock_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await updateLockFile(`${dir}/l.json`, (e) => { e["/a@1.0.0"] = { size: 0, sha256: "0".repeat(64) }; });
 *   assert.equal((await readLockFile(`${dir}/l.json`))?.["/a@1.0.0"]?.size, 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function updateLockFile(
  file: string,
  change: (entries: LockEntries) => unknown,
): Promise<LockEntries> {
  checkPathArgument("updateLockFile(): the lock file", file);
  checkFunction("updateLockFile(): change", change);
  const read = await readLockText(file);
  const before = read?.entries;
  // The file's own line breaks and layout (CRLF, a formatter's), so that a
  // change is the lines of its entries in the diff, not every line.
  const layout = read?.layout ?? lockFileLayout("");
  const entries: LockEntries = { ...(before ?? {}) };
  await change(entries);
  const body = formatLockText(entries, layout.eol, `lock file ${file}`, layout);
  if (
    before === undefined || body !== formatLockText(before, layout.eol, `lock file ${file}`, layout)
  ) {
    // Validate what we write through the reader.
    parseLockFile(body, file);
    const text = `${read?.mark ?? ""}${body}`;
    refuseOversizedLockFile(file, new TextEncoder().encode(text).length);
    // Through a symlinked lock file to its target, like the manifest, and
    // keeping its mode (a 600 lock file stays private).
    const target = await manifestTarget(file);
    refuseReadOnlyFile(target, `lock file ${target}`);
    // A checked-in file, which no cache sweep looks at: the temp file a writer
    // killed mid-write (kill -9) left beside it is removed by the next write,
    // and the file keeps its mode.
    await writeFileAtomic(target, text, { sweepAbandoned: true });
  }
  return entries;
}
