/**
 * The versioned-cache manifest: a checked-in JSON object that pins each
 * versioned path to a version, or overrides it during development.
 *
 * ```json
 * {
 *     "/foo/bar.csv": "1.2.5",
 *     "/foo/dev.csv": "./scratch/dev.csv"
 * }
 * ```
 *
 * A value is either a `MAJOR.MINOR.PATCH` version or an override: an `s3://`
 * or `file://` URI, or a local path, absolute or relative (`./a.csv`,
 * `../a.csv` or bare `src/a.csv`, as baiji-pod accepts); relative paths are
 * resolved against the manifest's directory. Keys may omit the leading `/`;
 * they are normalized to have one.
 *
 * New files are written with keys sorted by code point, 4-space indentation,
 * UTF-8 and a trailing newline, so a change in review is a one-line diff.
 * Updating an existing file keeps its style (indentation, `\uXXXX` escapes,
 * final newline: baiji-pod's files stay baiji-pod's) and changes only the
 * lines of entries that changed; see `manifest_format.ts`.
 *
 * @module
 */
import {
  ADD_FILE,
  cacheUri,
  LOCK_CHECK,
  mergeDriverHint,
  PREFILL_LIST,
  SYNC,
  VERSIONS,
  versionsOf,
} from "../command_words.ts";
import { readTextCapped } from "../read_capped.ts";
import { basename, dirname, isAbsolute, isUriNotPath, join, resolve } from "../path.ts";
import { writeFileAtomic } from "../atomic_write.ts";
import { refuseReadOnlyFile } from "../replace_file.ts";
import { linkTarget } from "../link_target.ts";
import { InvalidInputError, NotFoundError, VcError } from "../errors.ts";
import { duplicateKeyAt, jsonSyntaxMessage } from "../json_text.ts";
import { withFileLock } from "../file_lock.ts";
import {
  checkFunction,
  checkOptions,
  checkPathArgument,
  describeValue,
  isPlainObject,
  type OptionNames,
  requireString,
} from "../options_check.ts";
import { editManifestText, renderManifest, VC_STYLE } from "./manifest_format.ts";
import { joinUri, mistypedUriHint, parseUri } from "../uri.ts";
import { redactUrl } from "../redact.ts";
import { checkedVersionedKey, normalizeVersionedPath, suffixedVersionKey } from "./naming.ts";
import { assertVersion, isVersion } from "./version.ts";

/** Manifest entries: normalized path (leading `/`) → version or override, as written. */
export type ManifestEntries = Record<string, string>;

/** What a manifest value means. */
export type ManifestValue =
  | { kind: "version"; version: string }
  | { kind: "override"; location: string };

/** Options for {@linkcode formatManifest} and {@linkcode writeManifest}. */
export interface FormatManifestOptions {
  /** Indentation: 1 to 8 spaces, or a tab. Default 4 spaces. */
  indent?: string;
}

/** Options for {@linkcode readManifest}. */
export interface ReadManifestOptions {
  /** Return an empty manifest when the file does not exist (for `vc add`). */
  allowMissing?: boolean;
}

// Checked where taken: a misspelt `allowMissing` read a missing file as an
// error, a misspelt `indent` wrote 4 spaces, without a word.
const READ_OPTIONS: OptionNames<ReadManifestOptions> = { allowMissing: true };
const FORMAT_OPTIONS: OptionNames<FormatManifestOptions> = { indent: true };

/**
 * Reads and validates a manifest file.
 *
 * Throws `NotFoundError` naming the file when it does not exist (unless
 * `allowMissing`), and `InvalidInputError` naming the file (and the entry, or
 * the line and column of a JSON syntax error) when it is malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/m.json`, '{"foo/bar.csv": "1.2.5"}');
 *   const m = await readManifest(`${dir}/m.json`);
 *   assert(m["/foo/bar.csv"] === "1.2.5");
 *   assert(Object.keys(await readManifest(`${dir}/none.json`, { allowMissing: true })).length === 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readManifest(
  file: string,
  options: ReadManifestOptions = {},
): Promise<ManifestEntries> {
  checkPathArgument("readManifest(): the manifest", file);
  checkOptions("readManifest()", options, READ_OPTIONS);
  // A fresh object that no one else holds: the caller may change it.
  return (await readManifestSnapshot(file, options)).entries as ManifestEntries;
}

/**
 * A manifest as one read found it: its text (`undefined`: the file did not
 * exist) and the entries parsed from it.
 */
export interface ManifestSnapshot {
  /** The file's text as read; `undefined` when it did not exist. */
  readonly text: string | undefined;
  /** The entries parsed and validated from `text` (`{}` for a missing file). */
  readonly entries: Readonly<ManifestEntries>;
}

/**
 * Reads and validates a manifest file as {@linkcode readManifest} does, and
 * keeps the text it was parsed from: a command that checks the manifest
 * before publishing hands the snapshot to {@linkcode rewriteManifest}, which
 * then reuses the parse when the file still holds exactly that text (a large
 * manifest is parsed once per command, not once per step).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readManifestSnapshot } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/m.json`, '{"a.csv": "1.0.0"}');
 *   const s = await readManifestSnapshot(`${dir}/m.json`);
 *   assert(s.text === '{"a.csv": "1.0.0"}' && s.entries["/a.csv"] === "1.0.0");
 *   const none = await readManifestSnapshot(`${dir}/none.json`, { allowMissing: true });
 *   assert(none.text === undefined && Object.keys(none.entries).length === 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readManifestSnapshot(
  file: string,
  options: ReadManifestOptions = {},
): Promise<ManifestSnapshot> {
  checkPathArgument("readManifestSnapshot(): the manifest", file);
  checkOptions("readManifestSnapshot()", options, READ_OPTIONS);
  const text = await readManifestText(file);
  if (text === undefined) {
    if (options.allowMissing) return { text, entries: {} };
    throw new NotFoundError(await missingManifestMessage(file));
  }
  return { text, entries: parseManifest(text, file) };
}

/**
 * The error for a manifest that does not exist. Run from a subdirectory of a
 * project, the default `./versioned_assets.json` is missing while the
 * project's manifest is a few directories up: the message names that one
 * rather than suggest `add()` (`vc add`), which would start a second manifest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { missingManifestMessage } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/m.json`, "{}");
 *   await Deno.mkdir(`${dir}/sub`);
 *   assert((await missingManifestMessage(`${dir}/sub/m.json`)).includes(`the manifest option ${dir}/m.json`));
 *   assert((await missingManifestMessage(`${dir}/none.json`)).includes("`add(PATH, FILE)`"));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function missingManifestMessage(file: string): Promise<string> {
  const target = await danglingManifestLink(file);
  if (target !== undefined) {
    // `ls` shows the link: "does not exist" alone reads as nonsense, and
    // `vc add` would start a manifest at the target, wherever that is.
    return `manifest ${file} is a symbolic link to ${target}, which does not exist (a ` +
      "checkout or mount that is not there?); restore it, or give the manifest option the right " +
      "file " +
      `(${ADD_FILE.library} would start a new manifest there)`;
  }
  const above = await manifestAbove(file);
  return above === undefined
    ? `manifest ${file} does not exist; create it with ${ADD_FILE.library} or give the manifest ` +
      "option the right file"
    : `manifest ${file} does not exist; the nearest one above it is ${above}: ` +
      `run vc in ${dirname(above)} or pass the manifest option ${above}`;
}

/**
 * The file a manifest path that is a symbolic link leads to, when that file
 * does not exist (a link to a sibling checkout's manifest, the sibling not
 * cloned); `undefined` for a path that is no link, or whose target exists.
 * A missing manifest's error names it, and `vc add`, which would start the
 * manifest at the target, says so first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { danglingManifestLink } from "./manifest.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.symlink("gone/m.json", `${dir}/link.json`);
 *   assert.equal(await danglingManifestLink(`${dir}/link.json`), `${dir}/gone/m.json`);
 *   assert.equal(await danglingManifestLink(`${dir}/none.json`), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function danglingManifestLink(file: string): Promise<string | undefined> {
  checkPathArgument("danglingManifestLink(): the manifest", file);
  const info = await Deno.lstat(file).catch(() => undefined);
  if (info?.isSymlink !== true) return undefined;
  const target = await manifestTarget(file).catch(() => undefined);
  if (target === undefined) return undefined; // a loop of links: the read says so
  return (await Deno.lstat(target).catch(() => undefined)) === undefined ? target : undefined;
}

/**
 * For a manifest `file` that does not exist: the nearest file of its name in a
 * directory above (the project's manifest, for a command run in one of its
 * subdirectories), up to the root of the git checkout it is in (a directory
 * holding `.git`: a stray file above the project is not its manifest), else
 * the filesystem's root; `undefined` when there is none or `file` exists. Only
 * a missing manifest's error and `vc add` starting a new manifest look:
 * nothing on a path that finds its manifest. With `relative`, the end of
 * `file` as it was given relative to a directory (`config/assets.json`, a
 * `--manifest` typed in a subdirectory as if from the project's root), the
 * directories above that one are searched for that relative path instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestAbove } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/m.json`, "{}");
 *   await Deno.mkdir(`${dir}/a/b`, { recursive: true });
 *   assert(await manifestAbove(`${dir}/a/b/m.json`) === `${dir}/m.json`);
 *   assert(await manifestAbove(`${dir}/a/b/other.json`) === undefined);
 *   assert(await manifestAbove(`${dir}/m.json`) === undefined); // it exists
 *   await Deno.mkdir(`${dir}/config`);
 *   await Deno.writeTextFile(`${dir}/config/c.json`, "{}");
 *   assert(await manifestAbove(`${dir}/a/b/config/c.json`, "config/c.json") === `${dir}/config/c.json`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function manifestAbove(
  file: string,
  relative?: string,
): Promise<string | undefined> {
  if (await isFile(file)) return undefined;
  const name = relative ?? basename(file);
  // The directory `name` was taken from: one level up per segment of it.
  let dir = resolve(file);
  for (const segment of name.split(/[\\/]/)) {
    if (segment !== "" && segment !== ".") dir = dirname(dir);
  }
  // Bounded by the depth of the path: each step goes one directory up.
  for (;;) {
    const up = dirname(dir);
    if (up === dir || await exists(join(dir, ".git"))) return undefined;
    dir = up;
    const candidate = join(dir, name);
    if (await isFile(candidate)) return candidate;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false; // missing or unreadable: no manifest there to point at
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

// Both sides of a conflict name versions that were published (uploads are
// create-only), so either is safe to pin; the later one is the usual choice.
const MANIFEST_CONFLICT_HINT = "keep one version of each path, usually the higher, then run " +
  LOCK_CHECK.library;

/**
 * Parses and validates manifest text; `file` is only used in error messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest } from "./manifest.ts";
 * const m = parseManifest('{"/a.csv": "1.0.0", "b.csv": "s3://bucket/b.csv"}', "m.json");
 * assert(m["/b.csv"] === "s3://bucket/b.csv");
 * try {
 *   parseManifest('{"/a.csv": "1.2"}', "m.json");
 * } catch (e) {
 *   assert((e as Error).message.includes("/a.csv"));
 * }
 * ```
 */
export function parseManifest(withMark: string, file: string): ManifestEntries {
  requireString("parseManifest(): the manifest's text", withMark);
  // A UTF-8 byte order mark (Windows editors write one) is not JSON's whitespace.
  const text = withMark.startsWith("\ufeff") ? withMark.slice(1) : withMark;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(
      jsonSyntaxMessage(
        `manifest ${file}`,
        text,
        cause,
        MANIFEST_CONFLICT_HINT + mergeDriverHint(text),
      ) +
        (readsAsList(text)
          ? `; it reads as a prefill list (one URI or versioned path a line): ${PREFILL_LIST.library}`
          : ""),
      { cause },
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new InvalidInputError(
      `manifest ${file} must be a JSON object of "/path": "version" entries, got ${
        Array.isArray(data) ? "an array" : data === null ? "null" : typeof data
      }`,
    );
  }
  const refused: RefusedPin[] = [];
  const entries = checkEntries(data as Record<string, unknown>, file, undefined, refused, text);
  const twice = duplicateEntryError(text, file);
  if (twice !== undefined) throw twice;
  if (refused.length > 0) {
    for (const { path } of refused) delete entries[path];
    throw new SuffixedPinError(file, refused, entries);
  }
  return entries;
}

/** A manifest entry pinned to a semver version vc does not read (`2.0.0+ci.7`). */
interface RefusedPin {
  /** The entry's key as written. */
  key: string;
  /** The key normalized (leading `/`). */
  path: string;
  /** The value as written. */
  value: string;
  /** The bucket key that version names (`foo/b.2.0.0+ci.7.csv`). */
  bucketKey: string;
}

// The error of a manifest with entries pinned to versions with build
// metadata (`1.0.0+ci.7`; a pre-release, `2.0.0-rc.1`, is a version): a
// manifest vc cannot use as a whole, whose other entries are valid
// (`others`), so a read of one of those can still go on (see
// entriesBesideRefusedPins). Not exported: callers see an InvalidInputError.
class SuffixedPinError extends InvalidInputError {
  readonly file: string;
  readonly refused: readonly RefusedPin[];
  readonly others: Readonly<ManifestEntries>;
  constructor(
    file: string,
    refused: readonly RefusedPin[],
    others: Readonly<ManifestEntries>,
    bucket?: string,
  ) {
    super(suffixedPinMessage(file, refused, bucket));
    this.name = "InvalidInputError";
    this.file = file;
    this.refused = refused;
    this.others = others;
  }
}

// Names the manifest, the entry, and both ways on: pin a release, or read
// that very key as an override (the exact line to write) or once with
// `vc cache get`. `bucket`: the bucket's URI, when the caller knows it.
function suffixedPinMessage(
  file: string,
  refused: readonly RefusedPin[],
  bucket: string | undefined,
): string {
  const [first, ...more] = refused as [RefusedPin, ...RefusedPin[]];
  const uri = bucket === undefined ? `BUCKET/${first.bucketKey}` : joinUri(bucket, first.bucketKey);
  const also = more.length === 0
    ? ""
    : `; so ${more.length === 1 ? "is" : "are"} ${
      more.slice(0, 5).map((r) => `${JSON.stringify(r.key)}: ${JSON.stringify(r.value)}`).join(", ")
    }${more.length > 5 ? ` and ${more.length - 5} more` : ""}`;
  return `manifest ${file}: entry ${JSON.stringify(first.key)}: ${
    JSON.stringify(first.value)
  } is not a version vc pins (vc's versions have no build metadata: semver orders ` +
    `1.0.0+a and 1.0.0+b alike): pin a version (${
      versionsOf(first.path)
    } lists them), or, to read ` +
    `the key ${first.bucketKey}, pin it as an override: ${JSON.stringify(first.key)}: ${
      JSON.stringify(uri)
    } (${cacheUri(uri)} reads it without the manifest)${
      bucket === undefined ? " with BUCKET the bucket's URI" : ""
    }${also}`;
}

/**
 * For a read of one path (`vc path`, `resolve()`): when `error` is the
 * manifest's refusal of entries pinned to build metadata and `path` is not one
 * of them, the manifest's other entries (each checked); else `undefined`,
 * and the error stands. A build-metadata pin of one asset does not stop reads
 * of the others; commands over the whole manifest, and writes, still refuse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entriesBesideRefusedPins, parseManifest } from "./manifest.ts";
 * let error: unknown;
 * try {
 *   parseManifest('{"/a.csv": "1.0.0", "/b.csv": "2.0.0+ci.7"}', "m.json");
 * } catch (e) {
 *   error = e;
 * }
 * assert.deepEqual(entriesBesideRefusedPins(error, "/a.csv"), { "/a.csv": "1.0.0" });
 * assert.equal(entriesBesideRefusedPins(error, "/b.csv"), undefined);
 * ```
 */
export function entriesBesideRefusedPins(
  error: unknown,
  path: string,
): ManifestEntries | undefined {
  if (!(error instanceof SuffixedPinError)) return undefined;
  if (error.refused.some((r) => r.path === path)) return undefined;
  return { ...error.others };
}

/**
 * `error` as said by a caller that knows the bucket: the manifest's refusal
 * of a build-metadata pin then gives the override's exact URI (and the
 * `vc cache get` of it) instead of `BUCKET/…`. Any other error as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest, withPinBucket } from "./manifest.ts";
 * try {
 *   parseManifest('{"/b.csv": "2.0.0+ci.7"}', "m.json");
 * } catch (e) {
 *   assert.match((withPinBucket(e, "s3://assets") as Error).message, /"s3:\/\/assets\/b\.2\.0\.0\+ci\.7\.csv"/);
 * }
 * ```
 */
export function withPinBucket(error: unknown, bucket: string): unknown {
  if (!(error instanceof SuffixedPinError)) return error;
  return new SuffixedPinError(error.file, error.refused, error.others, bucket);
}

// A prefill list given as a manifest (`vc prefill --manifest ci/extra_assets.txt`): its
// first item (after blank and `#` lines) is a URI or a versioned path, never JSON; in
// baiji-pod's YAML prefill file, a `- ITEM` entry or a `---` document marker.
function readsAsList(text: string): boolean {
  const first = text.split("\n").map((line) => line.trim()).find((line) =>
    line !== "" && !line.startsWith("#")
  );
  return first !== undefined && /^(s3:\/\/|file:\/\/|\/|-(\s|$)|---$)/i.test(first);
}

/**
 * The entries of a parsed manifest object, keys normalized, each checked (a
 * string value that is a version or an override, no two keys naming one
 * path). An entry of `known` (entries checked before: normalized keys) with
 * the same value is taken as it is, so a rewrite checks only what it changed.
 * A key whose value is `undefined` is absent, as `JSON.stringify` would have it.
 * With the manifest's `text`, two keys naming one path are named by their lines.
 */
function checkEntries(
  data: Readonly<Record<string, unknown>>,
  file: string,
  known?: Readonly<ManifestEntries>,
  refused?: RefusedPin[],
  text?: string,
): ManifestEntries {
  const entries: ManifestEntries = {};
  const seenAs = new Map<string, string>();
  // Read whole (refused pins collected): every bad entry, not only the
  // first, so a manifest with a few is fixed in one run, not one a run.
  const bad: { key: string; error: InvalidInputError }[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    try {
      checkEntry(key, value);
    } catch (error) {
      if (refused === undefined || !(error instanceof InvalidInputError)) throw error;
      bad.push({ key, error });
    }
  }
  if (bad.length > 0) throw badEntriesError(bad);
  return entries;

  function checkEntry(key: string, value: unknown): void {
    const checked = known !== undefined && Object.hasOwn(known, key) && known[key] === value;
    const path = checked ? key : entryPath(file, key);
    if (typeof value !== "string") {
      throw new InvalidInputError(
        `manifest ${file}: entry ${
          JSON.stringify(key)
        } must be a string (a version or an override), got ${
          value === null ? "null" : Array.isArray(value) ? "an array" : typeof value
        }`,
      );
    }
    if (!checked) {
      const bucketKey = suffixedVersionKey(path, value);
      if (bucketKey !== undefined) {
        const pin = { key, path, value, bucketKey };
        // A rewrite (no list to collect into) refuses at once.
        if (refused === undefined) throw new SuffixedPinError(file, [pin], {});
        refused.push(pin);
      } else checkValue(file, key, value);
    }
    const previous = seenAs.get(path);
    if (previous !== undefined) {
      throw (text === undefined ? undefined : duplicateEntryError(text, file)) ??
        new InvalidInputError(
          `manifest ${file}: entries ${JSON.stringify(previous)} and ${
            JSON.stringify(key)
          } both name ${path}`,
        );
    }
    seenAs.set(path, key);
    entries[path] = value;
  }
}

/**
 * The error of a manifest's bad entries: the first one's, with the keys of
 * the others (five, then a count), as a list's first bad line names the
 * line numbers of the others.
 */
function badEntriesError(bad: readonly { key: string; error: InvalidInputError }[]): Error {
  const [first, ...more] = bad as [(typeof bad)[number], ...typeof bad];
  if (more.length === 0) return first.error;
  const named = more.slice(0, 5).map((b) => JSON.stringify(b.key)).join(", ");
  return new InvalidInputError(
    `${first.error.message}; other bad entries: ${named}${
      more.length > 5 ? ` and ${more.length - 5} more` : ""
    }`,
    { cause: first.error },
  );
}

/**
 * What a manifest value means, with relative override paths resolved against
 * the manifest's directory. Call it on values from {@linkcode readManifest}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyValue } from "./manifest.ts";
 * const v = classifyValue("1.2.5", "/repo/manifest.json");
 * assert(v.kind === "version" && v.version === "1.2.5");
 * const o = classifyValue("./data/x.csv", "/repo/manifest.json");
 * assert(o.kind === "override" && o.location.endsWith("x.csv"));
 * ```
 */
export function classifyValue(value: string, manifestFile: string): ManifestValue {
  requireString("classifyValue(): the value", value);
  requireString("classifyValue(): the manifest's name", manifestFile);
  if (isVersion(value)) return { kind: "version", version: value };
  checkValue(manifestFile, undefined, value);
  if (/^(s3|file):\/\//i.test(value)) return { kind: "override", location: value };
  return {
    kind: "override",
    location: isAbsolute(value) ? value : resolve(dirname(resolve(manifestFile)), value),
  };
}

/**
 * The manifest file's text for `entries`: keys normalized and sorted, 4-space
 * indentation, trailing newline. Throws `InvalidInputError` for invalid entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatManifest } from "./manifest.ts";
 * const text = formatManifest({ "b.csv": "1.0.0", "/a.csv": "2.0.0" });
 * assert(text === '{\n    "/a.csv": "2.0.0",\n    "/b.csv": "1.0.0"\n}\n');
 * ```
 */
export function formatManifest(
  entries: Readonly<ManifestEntries>,
  options: FormatManifestOptions = {},
): string {
  checkOptions("formatManifest()", options, FORMAT_OPTIONS);
  // A Map, an array, a URL or a number has no entries Object.entries sees:
  // written, it would replace the manifest with an empty one.
  if (!isPlainObject(entries)) {
    throw new InvalidInputError(
      `manifest entries must be an object of path → version, got ${describeValue(entries)}`,
    );
  }
  const indent = options?.indent ?? "    ";
  if (!/^( {1,8}|\t)$/.test(indent)) {
    throw new RangeError(
      `manifest indent must be 1 to 8 spaces or a tab, got ${JSON.stringify(indent)}`,
    );
  }
  // Validate by the same checks as reading, so we never write a file we
  // would refuse to read back.
  const normalized = checkEntries(entries, "(entries to write)");
  return renderManifest(normalized, { ...VC_STYLE, indent });
}

/**
 * Writes a manifest atomically (a temp file beside the target, flushed, then
 * renamed over it), keeping the existing file's permissions. A manifest that
 * is a symlink is written through: the link's final target is replaced, the
 * link stays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readManifest, writeManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await writeManifest(`${dir}/m.json`, { "/x.csv": "1.0.0" });
 *   assert((await readManifest(`${dir}/m.json`))["/x.csv"] === "1.0.0");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function writeManifest(
  file: string,
  entries: Readonly<ManifestEntries>,
  options: FormatManifestOptions = {},
): Promise<void> {
  checkPathArgument("writeManifest(): the manifest", file);
  checkOptions("writeManifest()", options, FORMAT_OPTIONS);
  const text = formatManifest(entries, options);
  await writeManifestText(await manifestTarget(file), text);
}

async function writeManifestText(target: string, text: string): Promise<void> {
  // Never write what the next command would refuse to read.
  const size = utf8Length(text);
  if (size > MAX_MANIFEST_BYTES) {
    throw new InvalidInputError(
      `manifest ${target} would be ${size} bytes, more than the ${MAX_MANIFEST_BYTES} (16 MiB) ` +
        "vc reads; it was not written (split it: several manifests may share a bucket)",
    );
  }
  refuseReadOnlyFile(target, `manifest ${target}`);
  // A checked-in file, which no cache sweep looks at: the temp file a writer
  // killed mid-write (kill -9) left beside it is removed by the next write,
  // and the file keeps its mode.
  await writeFileAtomic(target, text, { sweepAbandoned: true });
}

/**
 * The file a manifest path really names: symlinks (also dangling ones, and
 * chains) are followed, so writes replace the target and leave the link. A
 * path that does not exist names itself. Throws `InvalidInputError` for a
 * symlink loop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestTarget } from "./manifest.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.writeTextFile(`${dir}/real.json`, "{}");
 *   await Deno.symlink("real.json", `${dir}/link.json`);
 *   assert.equal(await manifestTarget(`${dir}/link.json`), `${dir}/real.json`);
 *   assert.equal(await manifestTarget(`${dir}/new.json`), `${dir}/new.json`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function manifestTarget(file: string): Promise<string> {
  checkPathArgument("manifestTarget(): the manifest", file);
  return linkTarget(file, "manifest");
}

/**
 * The cross-process lock file of a manifest: `.<name>.lock` beside the file
 * the manifest path really names (the manifest itself is replaced by rename,
 * so it cannot carry the lock).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestLockPath } from "./manifest.ts";
 * assert.equal(manifestLockPath("/repo/versioned_assets.json"), "/repo/.versioned_assets.json.lock");
 * ```
 */
export function manifestLockPath(target: string): string {
  checkPathArgument("manifestLockPath(): the manifest", target);
  return join(dirname(target), `.${basename(target)}.lock`);
}

/** Options of {@linkcode withManifestLock} and {@linkcode updateManifest}. */
const MANIFEST_LOCK_OPTIONS = { onWarning: true } as const;

/**
 * Throws `InvalidInputError` for options of `what` ({@linkcode withManifestLock},
 * {@linkcode updateManifest}) that are not `{ onWarning }` with a function.
 */
function checkManifestLockOptions(what: string, options: unknown): void {
  checkOptions(what, options, MANIFEST_LOCK_OPTIONS);
  const onWarning = (options as { onWarning?: unknown } | undefined)?.onWarning;
  if (onWarning !== undefined) checkFunction(`${what}: the option onWarning`, onWarning);
}

/**
 * Runs `fn` holding the manifest's cross-process lock (see
 * {@linkcode manifestLockPath}); `fn` gets the manifest's real path. Every
 * read-modify-write of the manifest, and of files kept consistent with it
 * (the integrity lock file), runs under it. On a file system that gives no
 * locks, `fn` runs without (in turn within the process), and `onWarning` is
 * told so once per process; without one, a `warning:` line on stderr says
 * it (the CLI passes its own).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withManifestLock } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const target = await withManifestLock(`${dir}/m.json`, (t) => t);
 *   assert(target.endsWith("m.json"));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function withManifestLock<T>(
  file: string,
  fn: (target: string) => Promise<T> | T,
  options: { onWarning?: ((warning: { message: string }) => void) | undefined } = {},
): Promise<T> {
  checkPathArgument("withManifestLock(): the manifest", file);
  checkFunction("withManifestLock(): fn", fn);
  checkManifestLockOptions("withManifestLock()", options);
  const target = await manifestTarget(file);
  return await withFileLock(
    manifestLockPath(target),
    () => fn(target),
    options.onWarning === undefined ? {} : { onWarning: options.onWarning },
  );
}

/**
 * Re-reads the manifest, applies `change` to its entries (waiting for it when
 * it is async; what it returns is not looked at), and writes it back
 * atomically; returns the entries written. Concurrent calls on the same file,
 * in this process or in others, run one after the other (a `flock` on the
 * manifest's lock file). The rewrite keeps the file's style and changes only
 * the lines of entries that changed (see `manifest_format.ts`); a missing
 * file counts as empty and is created in vc's style. The file is read back
 * before the lock is released, so a change that did not land is an error,
 * never a silent success. `onWarning` is told, once per process, when the
 * file system gives no locks (as {@linkcode withManifestLock}; default: a
 * `warning:` line on stderr).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readManifest, updateManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const file = `${dir}/m.json`;
 *   await Promise.all([
 *     updateManifest(file, (m) => { m["/a.csv"] = "1.0.0"; }),
 *     updateManifest(file, (m) => { m["/b.csv"] = "1.0.0"; }),
 *   ]);
 *   assert(Object.keys(await readManifest(file)).length === 2);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function updateManifest(
  file: string,
  change: (entries: ManifestEntries) => unknown,
  options: { onWarning?: ((warning: { message: string }) => void) | undefined } = {},
): Promise<ManifestEntries> {
  try {
    checkPathArgument("updateManifest(): the manifest", file);
    checkFunction("updateManifest(): change", change);
    checkManifestLockOptions("updateManifest()", options);
  } catch (error) {
    return Promise.reject(error);
  }
  return withManifestLock(file, (target) => rewriteManifest(target, file, change), options);
}

/**
 * The body of {@linkcode updateManifest} for a caller that already holds the
 * manifest's lock ({@linkcode withManifestLock}) and changes other files
 * under it too: reads `target`, applies `change`, writes back in the file's
 * style, and reads back what landed. `file` names the manifest in errors.
 * `read`, the caller's earlier {@linkcode readManifestSnapshot} of the file,
 * spares parsing it again when the file still holds exactly that text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rewriteManifest, withManifestLock } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const file = `${dir}/m.json`;
 *   await withManifestLock(file, (target) =>
 *     rewriteManifest(target, file, (m) => { m["/a.csv"] = "1.0.0"; }));
 *   assert.equal(await Deno.readTextFile(file), '{\n    "/a.csv": "1.0.0"\n}\n');
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function rewriteManifest(
  target: string,
  file: string,
  change: (entries: ManifestEntries) => unknown,
  read?: ManifestSnapshot,
): Promise<ManifestEntries> {
  checkPathArgument("rewriteManifest(): the manifest", target);
  checkFunction("rewriteManifest(): the change", change);
  const text = await readManifestText(target);
  // The caller's earlier read, when the file still holds exactly its bytes:
  // the same text parses to the same entries (any change shows in the bytes).
  const before = read !== undefined && read.text === text
    ? read.entries
    : text === undefined
    ? {}
    : parseManifest(text, file);
  const entries = { ...before };
  await change(entries);
  // Checked as the reader checks, so we never write a file we would refuse to
  // read; entries `before` holds unchanged were checked when it was parsed.
  const after = checkEntries(entries, "(entries to write)", before);
  const unchanged = text !== undefined && sameEntries(before, after);
  const written = unchanged && text !== undefined
    ? text
    : text === undefined
    ? renderManifest(after, VC_STYLE)
    : editManifestText(text, before, after, normalizeVersionedPath);
  if (!unchanged) await writeManifestText(target, written);
  // What landed is what was written when the bytes are the same; only other
  // bytes need parsing, to say which entry differs (or that none does).
  const landedText = await readManifestText(target);
  if (landedText === written) return after;
  const landed = parseManifest(landedText ?? "", file);
  for (const key of new Set([...Object.keys(after), ...Object.keys(landed)])) {
    if (landed[key] !== after[key]) {
      throw new VcError(
        `manifest ${file} was changed by another writer while vc held its lock: ${key} is ${
          JSON.stringify(landed[key] ?? null)
        }, expected ${JSON.stringify(after[key] ?? null)}`,
      );
    }
  }
  return after;
}

function sameEntries(a: Readonly<ManifestEntries>, b: Readonly<ManifestEntries>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * Throws `InvalidInputError` when pinning `path` at `version` would make the
 * manifest of `read` larger than {@linkcode MAX_MANIFEST_BYTES}: `add` and
 * `update` ask before they publish, since the write would be refused after.
 * Only a manifest near the limit is rendered to measure it (a rewrite in vc's
 * style at most doubles a file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkManifestRoom } from "./manifest.ts";
 * checkManifestRoom({ text: "{}", entries: {} }, "m.json", "/a.csv", "1.0.0");
 * // 399,000 lines of 42 bytes: 19 KB below the limit.
 * const keys = Array.from({ length: 399_000 }, (_, i) => `/${String(i).padStart(24, "0")}`);
 * const text = `{\n${keys.map((k) => `    "${k}": "1.0.0"`).join(",\n")}\n}\n`;
 * const read = { text, entries: Object.fromEntries(keys.map((k) => [k, "1.0.0"])) };
 * checkManifestRoom(read, "m.json", keys[0]!, "1.0.1"); // a new version fits
 * const long = `/${"y".repeat(20_000)}.csv`;
 * assert.throws(() => checkManifestRoom(read, "m.json", long, "1.0.0"), /nothing was published/);
 * ```
 */
export function checkManifestRoom(
  read: ManifestSnapshot,
  file: string,
  path: string,
  version: string,
): void {
  if (read.text === undefined) return;
  const size = utf8Length(read.text);
  // The new line: indentation (8 at most), the escaped path and version, punctuation.
  if (2 * size + 6 * (path.length + version.length) + 64 <= MAX_MANIFEST_BYTES) return;
  const after = utf8Length(
    editManifestText(
      read.text,
      read.entries,
      { ...read.entries, [path]: version },
      normalizeVersionedPath,
    ),
  );
  if (after <= MAX_MANIFEST_BYTES) return;
  throw new InvalidInputError(
    `manifest ${file} would be ${after} bytes with ${path} ${version}, more than the ` +
      `${MAX_MANIFEST_BYTES} (16 MiB) vc reads; nothing was published (split it: several ` +
      "manifests may share a bucket)",
  );
}

/**
 * Refuses `path` (normalized) at `version`, before anything is published,
 * where it and another entry of `entries` would be a file and a folder of
 * one name: a path below another (`/a` beside `/a/b`), which
 * {@linkcode SYNC} cannot write under one folder (checked for a path new to
 * the manifest: one already there clashes as it did), or a key below
 * another pinned version's key (`net.1.0.0/notes.1.0.0.txt`, of
 * `/net.1.0.0/notes.txt`, beside `net.1.0.0`, of `/net` at 1.0.0): an S3
 * bucket holds both, but a cache keeps each key as a file at its path, so
 * one of the two could never be cached, on any machine. `file` is the
 * manifest, named in the error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseFileFolderClash } from "./manifest.ts";
 * refuseFileFolderClash({ "/a/b": "1.0.0" }, "m.json", "/ab", "1.0.0");
 * assert.throws(() => refuseFileFolderClash({ "/a/b": "1.0.0" }, "m.json", "/a", "1.0.0"), /below \/a/);
 * assert.throws(
 *   () => refuseFileFolderClash({ "/net": "1.0.0" }, "m.json", "/net.1.0.0/x.txt", "1.0.0"),
 *   /key net\.1\.0\.0/,
 * );
 * ```
 */
export function refuseFileFolderClash(
  entries: Readonly<ManifestEntries>,
  file: string,
  path: string,
  version: string,
): void {
  const below = (a: string, b: string) => b.startsWith(`${a}/`);
  const isNew = !Object.hasOwn(entries, path);
  const key = checkedVersionedKey(path, version);
  for (const [other, value] of Object.entries(entries)) {
    if (other === path) continue;
    if (isNew && (below(path, other) || below(other, path))) {
      const [outer, inner] = below(path, other) ? [path, other] : [other, path];
      throw new InvalidInputError(
        `cannot add ${path} beside ${other}, which ${file} has: ${inner} is below ${outer}, ` +
          `so ${SYNC.library} could not write ${outer} as a file and a folder at once; ` +
          "nothing was published (give one of the two another name)",
      );
    }
    if (!isVersion(value)) continue;
    let otherKey: string;
    try {
      otherKey = checkedVersionedKey(other, value);
    } catch {
      continue; // a pin no key is made of: the commands that read it say so
    }
    if (!below(key, otherKey) && !below(otherKey, key)) continue;
    const [outer, inner] = below(key, otherKey) ? [key, otherKey] : [otherKey, key];
    throw new InvalidInputError(
      `cannot publish ${path} ${version}: its key ${key} and the key ${otherKey} of ${other} ` +
        `${value}, which ${file} pins, would be a file and a folder of one name (${inner} ` +
        `lies below ${outer}): a bucket holds both, but a cache keeps each key as a file at ` +
        "its path, so one of the two could never be cached, on any machine; nothing was " +
        `published (${isNew ? `give ${path} another name` : "publish another version of it"})`,
    );
  }
}

/** An entry that would be a file where another needs a folder, named with that one. */
export interface FileFolderClash {
  /** The entry that gives way: {@linkcode SYNC} fails it, or it cannot be cached. */
  path: string;
  /** The entry it clashes with. */
  other: string;
  /** Why, naming both, and the way out. */
  problem: string;
}

/**
 * The entries of `entries` that would be a file and a folder of one name
 * beside another, as {@linkcode refuseFileFolderClash} refuses them on the
 * way in, for a manifest that holds such a pair already (edited by hand,
 * merged): a path below another (`/a` beside `/a/b`), which
 * {@linkcode SYNC} cannot write under one folder (the outer one is named),
 * and a pinned version's key below another's (`net.1.0.0/notes.1.0.0.txt`
 * beside `net.1.0.0`), one of which can never be cached (both are named,
 * each with the other: which one fails is the one cached last).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileFolderClashes } from "./manifest.ts";
 * assert.deepEqual(fileFolderClashes({ "/a": "1.0.0", "/ab": "1.0.0" }), []);
 * const [clash] = fileFolderClashes({ "/a": "1.0.0", "/a/b.csv": "1.0.0" });
 * assert.equal(clash?.path, "/a");
 * assert.equal(clash?.other, "/a/b.csv");
 * assert.equal(fileFolderClashes({ "/net": "1.0.0", "/net.1.0.0/x.txt": "1.0.0" }).length, 2);
 * ```
 */
export function fileFolderClashes(entries: Readonly<ManifestEntries>): FileFolderClash[] {
  const found: FileFolderClash[] = [];
  for (const [outer, inner] of namesBelow(Object.keys(entries).map((p) => [p, p]))) {
    found.push({
      path: outer,
      other: inner,
      problem: `${inner} lies below ${outer} (both in the manifest), so ${SYNC.library} cannot ` +
        `write ${outer} as a file and a folder at once (give one of the two another name)`,
    });
  }
  const keyed: [string, string][] = [];
  for (const [path, value] of Object.entries(entries)) {
    if (!isVersion(value)) continue;
    try {
      keyed.push([checkedVersionedKey(path, value), path]);
    } catch {
      // a pin no key is made of: the commands that read it say so
    }
  }
  const pathOf = new Map(keyed);
  for (const [outerKey, innerKey] of namesBelow(keyed.map(([key]) => [key, key]))) {
    const pair = [[outerKey, innerKey], [innerKey, outerKey]] as const;
    for (const [key, otherKey] of pair) {
      const path = pathOf.get(key)!, other = pathOf.get(otherKey)!;
      found.push({
        path,
        other,
        problem: `its key ${key} and the key ${otherKey} of ${other} ${entries[other]} would be ` +
          `a file and a folder of one name (${innerKey} lies below ${outerKey}): a cache keeps ` +
          "each key as a file at its path, so one of the two can never be cached, on any " +
          "machine (pin another version of one of them)",
      });
    }
  }
  return found;
}

// Each [outer, inner] of `named` ([name, label] pairs, `/`-separated names)
// where the name of `inner` lies below the name of `outer`, with the first
// such inner one (in the order given): the outer labels, each once.
function namesBelow(named: readonly (readonly [string, string])[]): [string, string][] {
  const dirs = new Map<string, string>();
  for (const [name, label] of named) {
    // From 1: a leading `/` (a manifest path) makes no directory of its own.
    for (let at = name.indexOf("/", 1); at !== -1; at = name.indexOf("/", at + 1)) {
      const dir = name.slice(0, at);
      if (!dirs.has(dir)) dirs.set(dir, label);
    }
  }
  return named.flatMap(([name, label]) => {
    const inner = dirs.get(name);
    return inner === undefined ? [] : [[label, inner] as [string, string]];
  });
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Largest manifest read (16 MiB): a JSON object of paths and versions, never more. */
export const MAX_MANIFEST_BYTES: number = 16 * 1024 * 1024;

/** The manifest's text, or `undefined` when it does not exist; capped while reading. */
function readManifestText(file: string): Promise<string | undefined> {
  return readTextCapped(file, {
    maxBytes: MAX_MANIFEST_BYTES,
    what: "manifest",
    why: "not a manifest of paths and versions",
    allowMissing: true,
    // A rewrite keeps it (see editManifestText); parsing skips it.
    keepByteOrderMark: true,
  });
}

function entryPath(file: string, key: string): string {
  try {
    return normalizeVersionedPath(key);
  } catch (cause) {
    throw new InvalidInputError(
      `manifest ${file}: entry ${JSON.stringify(key)}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

// Everything that is not a version must look like a location; a value that
// looks like a version attempt (1.2, v1.2.3, 01.2.3) is reported as such.
function checkValue(file: string, key: string | undefined, value: string): void {
  if (isVersion(value)) return;
  const entry = key === undefined ? "" : ` entry ${JSON.stringify(key)}:`;
  const fail = (why: string) =>
    new InvalidInputError(`manifest ${file}:${entry} ${JSON.stringify(value)} ${why}`);
  if (value !== value.trim() && (/^v?\d[\d.]*$/i.test(value.trim()) || isVersion(value.trim()))) {
    throw fail("has spaces around the version; write it without them, e.g. 1.2.5");
  }
  if (/^v?\d[\d.]*$/i.test(value) || /^\d+\.\d+\.\d+[-+]/.test(value)) {
    // The one message for a bad version, which says when a part is too large to count with.
    assertVersion(
      value,
      `manifest ${file}${key === undefined ? "" : `: entry ${JSON.stringify(key)}`}`,
    );
  }
  const spelled = notVersionSpelling(value);
  if (spelled !== undefined) {
    throw fail(
      `${spelled}; vc pins exact versions (MAJOR.MINOR.PATCH, e.g. 1.2.5): pin one ` +
        `(${key === undefined ? VERSIONS.library : versionsOf(key)} lists the versions); ` +
        `for a local file of that name write ./${value}`,
    );
  }
  if (value.startsWith("~/")) {
    throw fail(
      "starts with ~/, which vc does not expand (a shell does): it would name a directory `~` " +
        "beside the manifest; write the absolute path, or one relative to the manifest",
    );
  }
  // A store location short of its `//` (`s3:b/x`, `arn:aws:s3:::b/x`, an
  // access point's ARN) is refused as parseUri refuses it, with the URI
  // meant, not taken for a local path beside the manifest.
  if (isUriNotPath(value) || mistypedUriHint(value) !== "") {
    try {
      const uri = parseUri(value);
      // A key ending in `/` is an object as any other (see parsePrefillItem).
      if (uri.scheme === "s3" && uri.key === "") {
        throw new InvalidInputError("names a bucket, not an object");
      }
    } catch (cause) {
      throw new InvalidInputError(
        // Shown as parseUri's message shows it: a password or a signed
        // query redacted, a file URI's `?` or `#` (part of a name) as given.
        `manifest ${file}:${entry} override ${
          JSON.stringify(/^file:/i.test(value) ? value : redactUrl(value))
        } is invalid: ${(cause as Error).message}`,
        { cause },
      );
    }
    return;
  }
  if (value.includes("\0")) throw fail("contains a NUL character");
  if (value.trim() === "") throw fail("is empty; expected a version or an override");
  // Anything else is a local path: absolute, or relative to the manifest's
  // directory, with or without a leading `./` (baiji-pod accepts "src/a.csv").
}

// Another tool's way to name versions (npm's `^1.0.0`, `~1.0.2`, `>=1.0.0`,
// `1.x`, `*`, `latest`): taken as a local override, it would be listed by
// `vc ls` as a pin and fail as a file that does not exist. What it is, or
// `undefined` for anything else.
function notVersionSpelling(value: string): string | undefined {
  if (/^(?:[\^~]|[<>]=?|=)\s*v?\d/.test(value)) return "is a version range";
  if (/^(?:v?\d+(?:\.(?:\d+|[xX*]))*\.)?[xX*]$/.test(value) && /\d|\*/.test(value)) {
    return "is a version range";
  }
  if (/^latest$/i.test(value)) return "is a tag, not a version";
  return undefined;
}

// JSON.parse keeps the last of two identical keys silently: a manifest could
// show a reviewer one version and pin another. Both lines and both values are
// named (a `merge=union` merge keeps both sides' lines, markers or not), so
// the reader need not hunt a long file for the other one; so are two
// spellings of one path (baiji-pod's `a.csv` merged beside vc's `/a.csv`).
function duplicateEntryError(text: string, file: string): InvalidInputError | undefined {
  const twice = duplicateKeyAt(text, { keyOf: pathOfKey });
  if (twice === undefined) return undefined;
  const firstKey = keyLiteralAt(text, twice.firstOffset);
  const spelled = firstKey !== twice.key;
  const first = valueAfterKey(text, twice.firstOffset);
  const second = valueAfterKey(text, twice.offset);
  const where = first !== undefined && first === second
    ? `, at lines ${twice.firstLine} and ${twice.line}, both ${first}; delete one`
    : ` (line ${twice.firstLine}: ${first ?? "another value"}; line ${twice.line}: ${
      second ?? "another value"
    }): ${
      spelled ? "" : "JSON would keep the last, so "
    }vc refuses to guess; ${MANIFEST_CONFLICT_HINT}${mergeDriverHint("")}`;
  return new InvalidInputError(
    `manifest ${file}:${twice.line}:${twice.column}: ${
      spelled
        ? `entries ${JSON.stringify(firstKey)} and ${JSON.stringify(twice.key)} both name ${
          pathOfKey(twice.key)
        }`
        : `entry ${JSON.stringify(twice.key)} appears more than once`
    }${where}`,
  );
}

// The path a manifest key names (`a.csv` and `/a.csv` name one), or the key
// itself when it names none (checkEntries says why).
function pathOfKey(key: string): string {
  try {
    return normalizeVersionedPath(key);
  } catch {
    return key;
  }
}

// The string of the key literal that starts at `offset`.
function keyLiteralAt(text: string, offset: number): string {
  const literal = /"(?:[^"\\]|\\.)*"/y;
  literal.lastIndex = offset;
  return JSON.parse(literal.exec(text)![0]) as string;
}

// The value of the member whose key starts at `offset`, quoted (an override
// URI redacted as checkValue shows one: the first of two values is never
// checked, as JSON.parse drops it; cut at 80 characters), or `undefined` when
// it is no string.
function valueAfterKey(text: string, offset: number): string | undefined {
  const member = /"(?:[^"\\]|\\.)*"\s*:\s*("(?:[^"\\]|\\.)*")/y;
  member.lastIndex = offset;
  const literal = member.exec(text)?.[1];
  if (literal === undefined) return undefined;
  const value = JSON.parse(literal) as string;
  const shown = JSON.stringify(
    isUriNotPath(value) && !/^file:/i.test(value) ? redactUrl(value) : value,
  );
  return shown.length > 80 ? `${shown.slice(0, 76)}..."` : shown;
}
