/**
 * Where cached objects live on disk. Keys come from remote stores and are
 * untrusted, so every path segment is encoded: the mapping from URI to path is
 * injective (two objects never share a file) and every path stays inside the
 * cache directory, on Linux, macOS and Windows alike.
 *
 * Layout, relative to the cache dir:
 * - data: `<ns>/<bucket>/<encoded key>`; `<ns>` is `s3` for AWS, `s3@<host>_<port>`
 *   for a custom endpoint, `file` for `file://` URIs (`file/<path>`).
 * - records: `.meta/<same relative directory>/%records.jsonl`, one journal per
 *   data directory, a line per record write, split into
 *   {@linkcode JOURNAL_SHARDS} journals `%records-<h>.jsonl` by a hash of
 *   the entry's name when the directory grows large (see `record_journal.ts`);
 *   earlier versions kept one file per entry, `.meta/<relative path>%.json`,
 *   which is still read. Beside them, per endpoint: `.meta/<ns>/%endpoint`
 *   (its URL's path); per bucket: `.meta/<ns>/<bucket>/%unanswered` (a
 *   revalidation it did not answer, for a minute: see `silent_store.ts`).
 * - the entry's cross-process lock is its download's shared temp file
 *   (`.<name>.vc-tmp-0-shared` beside the data, see `entry_lock.ts`), so a
 *   cold object costs one file creation and there is no lock tree.
 *
 * @module
 */
import {
  basename,
  dirname,
  fromFileUrl,
  isAbsolute,
  join,
  relative,
  resolve,
  sep,
  toFileUrl as pathToFileURL,
  win32Root,
} from "../path.ts";
import { fsPlatform } from "../fs_platform.ts";
import { namesFoldIn } from "../name_probe.ts";
import { WINDOWS_DEVICE_NAME, WINDOWS_SHORT_NAME } from "../file_names.ts";
import { InvalidInputError } from "../errors.ts";
import type { FileUri, S3Uri } from "../uri.ts";
import { formatUri, parseUri } from "../uri.ts";
// Not hash.ts: this module is on the warm `vc path`, and a long name hashed
// there must load neither node:crypto nor the hashing of files.
import { sha256HexOfString } from "../sha256_js.ts";
import { isTempName, writeFileAtomicSync } from "../atomic_write.ts";
import { fnv1a32 } from "../fnv.ts";
import { redactUrl } from "../redact.ts";
import { printable } from "../printable.ts";

/** Longest encoded segment, in UTF-8 bytes; leaves room for temp-file affixes under the usual 255-byte limit. */
export const MAX_SEGMENT_BYTES = 200;

/** Name of the hidden metadata tree inside the cache dir. */
export const META_DIR = ".meta";

/**
 * Suffix of an entry's metadata record (`.meta/<data path>%.json`). It must be
 * something {@linkcode encodeSegment} never produces (`%` is always escaped as
 * `%25`), or the record of key `x` (`x` + suffix) could be the directory that
 * holds the records of keys `x.json/...`.
 */
export const RECORD_SUFFIX = "%.json";
/** File name of a directory's record journal (`.meta/<dir>/%records.jsonl`): never an encoded name. */
export const JOURNAL_NAME = "%records.jsonl";

/**
 * Journals a large directory's records are split into. A directory's
 * records start in one journal ({@linkcode JOURNAL_NAME}), so a cold fill
 * of a small directory creates one file for them; when its live records
 * outgrow a threshold (see `record_journal.ts`) they are split, by a hash
 * of the entry's name, into this many journals (`%records-<h>.jsonl`), and
 * a lookup then reads only its name's: for a flat directory of 100k
 * entries, ~0.8 MB instead of ~25 MB.
 */
export const JOURNAL_SHARDS = 32;

/** File names of split journals (`%records-<2 hex digits>.jsonl`): never an encoded name. */
export const JOURNAL_PATTERN: RegExp = /^%records-[0-9a-f]{2}\.jsonl$/;

/**
 * File name of the split journal that holds the record of the entry named
 * `recordName` in a split directory: `%records-<h>.jsonl`, `<h>` its FNV-1a
 * hash (over UTF-8 bytes) modulo `shards` (default {@linkcode JOURNAL_SHARDS},
 * at most 256), in hex. Pure JS on purpose: the warm path loads no `node:`
 * module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JOURNAL_PATTERN, journalName } from "./layout.ts";
 * assert.match(journalName("x.csv"), JOURNAL_PATTERN);
 * assert.equal(journalName("x.csv", 1), "%records-00.jsonl");
 * ```
 */
export function journalName(recordName: string, shards: number = JOURNAL_SHARDS): string {
  const shard = fnv1a32(recordName) % shards;
  return `%records-${shard.toString(16).padStart(2, "0")}.jsonl`;
}
/**
 * Name of the hidden lock directory that earlier versions kept inside the
 * cache dir; maintenance still sweeps what they left there.
 */
export const LOCKS_DIR = ".locks";

/**
 * Name of the directory inside the cache dir where `vc mirror` keeps its
 * state files by default (`mirror/<hash>.sqlite`). No entry's data lives
 * there (entries are under `s3`, `s3@<endpoint>` or `file`), so cache
 * maintenance leaves it alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIRROR_STATE_DIR, s3Namespace } from "./layout.ts";
 * assert.notEqual(MIRROR_STATE_DIR, s3Namespace(undefined));
 * ```
 */
export const MIRROR_STATE_DIR = "mirror";

/**
 * The namespace directory of `file://` entries in the cache dir.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FILE_NAMESPACE } from "./layout.ts";
 * assert.equal(FILE_NAMESPACE, "file");
 * ```
 */
export const FILE_NAMESPACE = "file";

// Control characters, Windows-forbidden characters, the backslash and `%` (the escape itself).
// deno-lint-ignore no-control-regex
const ESCAPE = /[\x00-\x1f\x7f<>:"|?*\\%]/g;
// Temp files are `.<name>.vc-tmp-<pid>-<random>` (isTempName), and were
// `.<name>.vc-tmp-<random>` in earlier versions: a key must never look like
// either, or the stale-temp sweep could delete a cached file.
const LEGACY_TEMP_LIKE = /^\..*\.vc-tmp-/;
// A relative path with an empty, `.` or `..` segment, or absolute: never what encodeKey makes.
const UNSAFE_REL = /(^|[/\\])\.{0,2}([/\\]|$)|^[/\\]|:/;
const looksLikeTemp = (name: string) => isTempName(name) || LEGACY_TEMP_LIKE.test(name);

const encoder = new TextEncoder();
// Needs no encoding: ASCII letters, digits, `_`, `-`, `.` inside (not first,
// so never temp-like; not last, so no trailing dot), within the length limit.
const PLAIN = new RegExp(
  `^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,${MAX_SEGMENT_BYTES - 2}}[A-Za-z0-9_-])?$`,
);

function escapeChar(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
}

// Where names differ only in case name one file (Windows, macOS): also
// uppercase ASCII letters and every non-ASCII character (case-folded, and
// normalized on macOS, in ways a letter list would miss), as UTF-8 bytes.
// A name then holds no uppercase letter outside its escapes (whose hex
// digits are always uppercase), so folding case never joins two names.
// deno-lint-ignore no-control-regex
const ESCAPE_FOLDED = /[\x00-\x1f\x7f<>:"|?*\\%A-Z]|[^\x00-\x7f]/gu;
const UPPER = /[A-Z]/;

function escapeFolded(c: string): string {
  if (c.length === 1 && c.charCodeAt(0) < 0x80) return escapeChar(c);
  let out = "";
  for (const byte of encoder.encode(c)) {
    out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

// What never stands unescaped in an encoded name: a separator, a control
// character, a Windows-forbidden character.
// deno-lint-ignore no-control-regex
const NEVER_IN_NAME = /[\x00-\x1f\x7f<>:"|?*\\/]/;

/**
 * True when `name` could be one a download writes in a data directory (an
 * {@linkcode encodeSegment} result): one path component, never `.` or `..`,
 * no separator or control character, at most {@linkcode MAX_SEGMENT_BYTES}.
 * A record journal is plain text a hand edit, damage or a restored cache may
 * fill with anything: a line whose name fails this names no entry, so no
 * path outside its directory (`../../x`, `/abs`) is ever read or removed
 * through it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSegment, isEncodedName } from "./layout.ts";
 * assert(isEncodedName(encodeSegment("..")));
 * assert(isEncodedName("bar.csv"));
 * assert(!isEncodedName("../../etc/passwd"));
 * assert(!isEncodedName(".."));
 * assert(!isEncodedName("x".repeat(300)));
 * ```
 */
export function isEncodedName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !NEVER_IN_NAME.test(name) &&
    encoder.encode(name).length <= MAX_SEGMENT_BYTES;
}

/**
 * Encodes one untrusted path segment into a safe file or directory name.
 *
 * `%`, control characters, `<>:"|?*\`, what {@linkcode printable} escapes
 * (C1 controls, bidirectional overrides, invisible format characters, line
 * separators: as UTF-8 bytes), trailing dots and spaces, the first
 * character of Windows-reserved names, and on Windows (`fsPlatform.windowsNames`)
 * or wherever names fold (`folded`: a vfat or NTFS mount makes short names
 * on Linux too) the `~` of a name of 8.3 short-name form (`progra~1`) are percent-encoded; `.`/`..` become
 * `%2E`/`%2E%2E`; an empty segment becomes `%_`; segments longer than
 * {@linkcode MAX_SEGMENT_BYTES} are truncated and suffixed with `%~<hash>`,
 * keeping the extension. Since a literal `%` is always escaped, distinct
 * segments always encode differently. Where file names are case-insensitive
 * (`folded`: for a cache, what its directory's file system answers, see
 * `src/name_probe.ts`; by default `fsPlatform.caseInsensitive`: Windows, macOS) uppercase letters and
 * non-ASCII characters are escaped too (`A.csv` → `%41.csv`), so segments
 * that differ only in case never name one file; Linux names are unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSegment } from "./layout.ts";
 * assert(encodeSegment("bar.csv") === "bar.csv");
 * assert(encodeSegment("..") === "%2E%2E");
 * assert(encodeSegment("con.txt") === "%63on.txt"); // a Windows-reserved name
 * assert(encodeSegment("50%") === "50%25");
 * ```
 */
export function encodeSegment(
  segment: string,
  folded: boolean = fsPlatform.caseInsensitive,
): string {
  // The common case, plain ASCII names: nothing to escape, bytes = length.
  if (
    PLAIN.test(segment) && !WINDOWS_DEVICE_NAME.test(segment) && !(folded && UPPER.test(segment))
  ) {
    return segment;
  }
  if (segment === "") return "%_";
  let out = folded
    ? segment.replace(ESCAPE_FOLDED, escapeFolded)
    : segment.replace(ESCAPE, escapeChar);
  // What a terminal or a log would not show as itself (a C1 control, a
  // bidirectional override, an invisible format character, a line
  // separator: `printable`'s escapes), as its UTF-8 bytes, so every path the
  // cache hands out prints as one line (`vc cache get`, `vc path`).
  if (printable(out) !== out) out = escapeUnprintable(out);
  const trailing = /[. ]+$/.exec(out);
  if (trailing) {
    out = out.slice(0, trailing.index) + [...trailing[0]].map(escapeChar).join("");
  }
  if (WINDOWS_DEVICE_NAME.test(out) || looksLikeTemp(out)) out = escapeChar(out[0]!) + out.slice(1);
  // A name of 8.3 short-name form may open another file (PLAIN holds no `~`):
  // on Windows, and where names fold off it too (a vfat stick, an NTFS or
  // SMB mount on Linux make and resolve short names as Windows does).
  if ((fsPlatform.windowsNames || folded) && WINDOWS_SHORT_NAME.test(out)) {
    out = out.replace("~", "%7E");
  }
  if (encoder.encode(out).length > MAX_SEGMENT_BYTES) out = truncateSegment(out, segment);
  return out;
}

function escapeUnprintable(name: string): string {
  let out = "";
  for (const c of name) out += printable(c) === c ? c : escapeFolded(c);
  return out;
}

function truncateSegment(encoded: string, original: string): string {
  const hash = sha256HexOfString(original).slice(0, 16);
  // Keep a short, plain extension so loaders that sniff it still work.
  const ext = /\.[A-Za-z0-9]{1,16}$/.exec(encoded)?.[0] ?? "";
  const suffix = `%~${hash}${ext}`;
  const budget = MAX_SEGMENT_BYTES - encoder.encode(suffix).length;
  let prefix = "";
  let bytes = 0;
  for (const ch of encoded) {
    const n = encoder.encode(ch).length;
    if (bytes + n > budget) break;
    prefix += ch;
    bytes += n;
  }
  // Don't leave half an escape behind, and don't end in a dot or space (Windows strips them).
  prefix = prefix.replace(/%[0-9A-F]?$/, "").replace(/[. ]+$/, "");
  return prefix + suffix;
}

/**
 * Encodes an untrusted key (`/`-separated) into a relative path with `/`
 * separators, one {@linkcode encodeSegment} per segment. A leading `/` yields
 * a leading `%_` segment, so absolute keys stay relative.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey } from "./layout.ts";
 * assert(encodeKey("foo/bar.csv") === "foo/bar.csv");
 * assert(encodeKey("../../etc/passwd") === "%2E%2E/%2E%2E/etc/passwd");
 * assert(encodeKey("/abs") === "%_/abs");
 * ```
 */
export function encodeKey(key: string): string {
  return key.split("/").map((segment) => encodeSegment(segment)).join("/");
}

/**
 * The namespace directory for S3 objects: `s3` for the default AWS endpoint,
 * `s3@<host>_<port>` for a custom one, so the same bucket name on two servers
 * never shares files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { s3Namespace } from "./layout.ts";
 * assert(s3Namespace(undefined) === "s3");
 * assert(s3Namespace("http://127.0.0.1:9000") === "s3@127.0.0.1_9000");
 * assert(s3Namespace("https://minio.example.com") === "s3@minio.example.com_443");
 * assert(s3Namespace("http://gw:80/prefix") !== s3Namespace("http://gw:80/other"));
 * assert(s3Namespace("http://gw:80/") === "s3@gw_80");
 * ```
 */
export function s3Namespace(endpoint: string | undefined): string {
  if (endpoint === undefined || endpoint === "") return "s3";
  let url: URL;
  try {
    url = new URL(endpoint.includes("://") ? endpoint : `https://${endpoint}`);
  } catch (cause) {
    throw new InvalidInputError(`invalid S3 endpoint ${JSON.stringify(redactUrl(endpoint))}`, {
      cause,
    });
  }
  const port = url.port !== "" ? url.port : url.protocol === "http:" ? "80" : "443";
  const host = url.hostname.toLowerCase().replace(/[^a-z0-9.-]/g, "_");
  // A path in the endpoint (a gateway behind a proxy path) is part of where
  // objects come from: two paths on one host never share files.
  const path = endpointPathOf(url);
  return encodeSegment(`s3@${host}_${port}${endpointPathSuffix(path)}`);
}

/**
 * The file in `.meta/<namespace>/` that names the path of the endpoint
 * whose namespace carries its hash (`s3@gw_80~1a2b3c4d`), so `ls` can show
 * it: the hash alone cannot be read back.
 */
export const ENDPOINT_PATH_FILE = "%endpoint";

/** An endpoint URL's path as its namespace hashes it (no trailing `/`; `""` for none). */
function endpointPathOf(url: URL): string {
  return url.pathname.replace(/\/+$/, "");
}

/**
 * The suffix a namespace takes for an endpoint path (`~<fnv1a32 hex>`; `""` for none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointPathSuffix } from "./layout.ts";
 * assert.equal(endpointPathSuffix(""), "");
 * assert.match(endpointPathSuffix("/a"), /^~[0-9a-f]{8}$/);
 * ```
 */
export function endpointPathSuffix(path: string): string {
  return path === "" ? "" : `~${fnv1a32(path).toString(16).padStart(8, "0")}`;
}

/** Where one cached object lives, and how to fetch it. */
export interface EntryLocation {
  /** Canonical URI of the object (`s3://bucket/key` or `file:///path`). */
  uri: string;
  /** Root URI of the store to open for it (`s3://bucket`; for files, their directory). */
  storeRoot: string;
  /** Key of the object inside that store. */
  key: string;
  /** Bucket name for S3 objects; empty for files. */
  bucket: string;
  /** Path relative to the cache dir, `/`-separated. */
  relPath: string;
  /** Absolute path of the cached data. */
  dataPath: string;
  /** Absolute path of the record file of earlier versions (`.meta/<relPath>%.json`), still read. */
  metaPath: string;
  /** Absolute path of the record journal of the entry's directory. */
  journalPath: string;
  /** The entry's name in that journal: the last segment of `relPath`. */
  recordName: string;
  /** False: a `file://` object is read from `storeRoot` by `key`, not through links (see {@linkcode withinStore}). */
  followLinks?: false;
}

/**
 * Points `loc` (a `file://` object's) at its key in the directory store at
 * `root` (a `file://` URI, `CacheGetOptions.storeRoot`), to be read as that
 * store has it: a symbolic link at the key or on its way is no object. An
 * `s3://` object's `loc` is left as it is. Throws `InvalidInputError` when
 * `root` is no `file://` URI of a directory above the object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CacheLayout, withinStore } from "./layout.ts";
 * if (Deno.build.os !== "windows") {
 *   const loc = new CacheLayout("/tmp/vc-cache").locate({ scheme: "file", path: "/srv/b/d/x.1.0.0.csv" });
 *   withinStore(loc, "file:///srv/b");
 *   assert.deepEqual([loc.storeRoot, loc.key, loc.followLinks], ["file:///srv/b", "d/x.1.0.0.csv", false]);
 * }
 * ```
 */
export function withinStore(loc: EntryLocation, root: string): void {
  if (loc.bucket !== "") return; // S3 keys have no links
  const parsed = /^file:\/\//i.test(root) ? parseUri(root) : undefined;
  const key = parsed?.scheme === "file"
    ? relative(parsed.path, fromFileUrl(loc.uri)).replaceAll(sep, "/")
    : "";
  if (key === "" || key === ".." || key.startsWith("../") || isAbsolute(key)) {
    throw new InvalidInputError(
      `cache(): the option storeRoot must be the file:// URI of a directory holding ${loc.uri}, ` +
        `got ${JSON.stringify(redactUrl(root))}`,
    );
  }
  loc.storeRoot = root;
  loc.key = key;
  loc.followLinks = false;
}

/**
 * Maps object URIs to paths inside one cache directory. Pure: no I/O.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CacheLayout } from "./layout.ts";
 * const layout = new CacheLayout("/tmp/vc-cache");
 * const loc = layout.locate({ scheme: "s3", bucket: "bucket", key: "a/b.csv" });
 * assert(loc.dataPath === "/tmp/vc-cache/s3/bucket/a/b.csv");
 * assert(loc.metaPath === "/tmp/vc-cache/.meta/s3/bucket/a/b.csv%.json");
 * assert(loc.journalPath === "/tmp/vc-cache/.meta/s3/bucket/a/%records.jsonl");
 * assert(loc.recordName === "b.csv");
 * ```
 */
export class CacheLayout {
  /** Absolute cache directory. */
  readonly dir: string;
  /** Namespace directory used for S3 objects (see {@linkcode s3Namespace}). */
  readonly s3Namespace: string;
  readonly #os: typeof Deno.build.os;
  readonly #prefix: string;
  readonly #metaPrefix: string;
  // Directories this process found to be real directories: a cold miss then
  // checks only what is new (links are planted before a run, e.g. by a
  // restored CI cache, not raced against it).
  readonly #safeDirs = new Set<string>();
  // Files of the cache's own (record journals) this process checked already.
  readonly #safeFiles = new Set<string>();
  // The path of the S3 endpoint (`/a` of `http://gw/a`), when it has one.
  #endpointPath = "";
  #endpointPathNoted = false;
  #folded: boolean | undefined;

  /**
   * @param dir Cache directory (made absolute).
   * @param options `endpoint`: custom S3 endpoint, if any; `os`: path rules to apply (default: this platform).
   */
  constructor(dir: string, options: { endpoint?: string; os?: typeof Deno.build.os } = {}) {
    this.dir = resolve(dir);
    this.s3Namespace = s3Namespace(options.endpoint);
    if (this.s3Namespace.includes("~") && options.endpoint !== undefined) {
      const e = options.endpoint;
      this.#endpointPath = endpointPathOf(new URL(e.includes("://") ? e : `https://${e}`));
    }
    this.#os = options.os ?? Deno.build.os;
    this.#prefix = this.dir.endsWith(sep) ? this.dir : this.dir + sep;
    this.#metaPrefix = this.#prefix + META_DIR + sep;
  }

  /**
   * Whether the cache directory's file system takes names that differ only
   * in letter case or Unicode form for one file, so they are escaped
   * ({@linkcode encodeSegment}): asked of that file system at the first
   * lookup (`src/name_probe.ts`, once per directory and process; the OS
   * default where it cannot be asked).
   */
  get foldsNames(): boolean {
    return this.#folded ??= namesFoldIn(this.dir);
  }

  /**
   * {@linkcode encodeSegment} for this cache's file system. A lower-case
   * plain ASCII segment encodes alike whether names fold or not, so it asks
   * no probe: a warm `vc path` of such a key makes no temp file (issue 11).
   */
  #encode(segment: string): string {
    const folded = PLAIN.test(segment) && !UPPER.test(segment) ? false : this.foldsNames;
    return encodeSegment(segment, folded);
  }

  /**
   * Locates an object. Throws `InvalidInputError` for an S3 URI without a key.
   */
  locate(uri: S3Uri | FileUri): EntryLocation {
    let storeRoot: string;
    let key: string;
    let bucket = "";
    let relPath: string;
    if (uri.scheme === "s3") {
      if (uri.key === "") {
        throw new InvalidInputError(`s3://${uri.bucket}/ names a bucket, not an object`);
      }
      bucket = uri.bucket;
      storeRoot = `s3://${uri.bucket}`;
      key = uri.key;
      relPath = `${this.s3Namespace}/${this.#encode(uri.bucket)}/${
        uri.key.split("/").map((segment) => this.#encode(segment)).join("/")
      }`;
    } else {
      ({ storeRoot, key, relPath } = this.#fileParts(uri.path));
    }
    // Every segment is encoded (never empty, `.` or `..`, never holding a
    // separator), so joining by hand gives normalized paths inside the dir;
    // checked anyway, cheaply, as the last line of defence.
    if (UNSAFE_REL.test(relPath)) {
      throw new InvalidInputError(`refusing ${relPath}: not a plain relative path`);
    }
    const rel = sep === "/" ? relPath : relPath.replaceAll("/", sep);
    const slash = rel.lastIndexOf(sep);
    const recordName = rel.slice(slash + 1);
    const dataPath = this.#prefix + rel;
    const metaPath = this.#metaPrefix + rel + RECORD_SUFFIX;
    const journalPath = this.#metaPrefix + rel.slice(0, slash + 1) + JOURNAL_NAME;
    return {
      uri: formatUri(uri),
      storeRoot,
      key,
      bucket,
      relPath,
      dataPath,
      metaPath,
      journalPath,
      recordName,
    };
  }

  /**
   * Throws `InvalidInputError` unless `path` resolves to a location strictly
   * inside the cache dir. A last line of defence checked before any write.
   */
  assertInside(path: string): void {
    if (!this.contains(path)) {
      throw new InvalidInputError(
        `refusing to write ${path}: it is outside the cache dir ${this.dir}`,
      );
    }
  }

  /**
   * Like {@linkcode CacheLayout.assertInside}, and refuses a path that a
   * symbolic link below the cache dir would send elsewhere (see
   * {@linkcode assertNoLinks}). Called before every write, rename and delete.
   * Returns whether `path` existed (false: it or a directory above it was
   * missing at the look), so a reader need not look again.
   */
  assertSafe(path: string): boolean {
    this.assertInside(path);
    if (this.#safeDirs.size > 10_000) this.#safeDirs.clear(); // bounded memory
    return assertNoLinks(this.dir, path, this.#safeDirs);
  }

  /**
   * {@linkcode CacheLayout.assertSafe} once per process for a file only the
   * cache writes (a record journal): checked on first use, then taken as
   * safe, like the directories (links are planted before a run, not raced
   * against it). Returns whether the file existed when it was looked at
   * (see {@linkcode CacheLayout.assertSafe}), undefined when it was not.
   */
  assertSafeOnce(path: string): boolean | undefined {
    if (this.#safeFiles.has(path)) return undefined;
    const exists = this.assertSafe(path);
    // Only once it exists: a missing directory above it may become a link.
    if (!this.#safeDirs.has(dirname(path))) return exists;
    if (this.#safeFiles.size > 10_000) this.#safeFiles.clear(); // bounded memory
    this.#safeFiles.add(path);
    return exists;
  }

  /**
   * {@linkcode CacheLayout.assertSafe} for a path that is only ever replaced
   * by a rename (a download's destination): the directories leading to it
   * are checked, the last component is not, because `rename` replaces a
   * link there instead of following it. Saves a failing `lstat` (and its
   * thrown error) per cold download.
   */
  assertSafeRenameTarget(path: string): void {
    this.assertInside(path);
    const dir = dirname(path);
    if (this.#safeDirs.has(dir)) return; // the directory and all above it were checked
    if (this.#safeDirs.size > 10_000) this.#safeDirs.clear(); // bounded memory
    const { file } = assertNoLinksIn(this.dir, dir, this.#safeDirs);
    // A file where a directory of the path belongs: another key's copy (S3
    // allows `a/b` beside `a`). Found by the walk's own `lstat`s, before any
    // download, which would otherwise fail only once it opens its temp file.
    if (file !== undefined) throw new Deno.errors.NotADirectory(fileInTheWay(file, path));
  }

  /**
   * Writes, once, the file naming the path of this layout's S3 endpoint in
   * its namespace's record tree ({@linkcode ENDPOINT_PATH_FILE}), after an
   * entry was recorded there: `ls` names the endpoint by it. Best effort: a
   * failure only leaves `ls` showing the namespace's hash.
   */
  noteEndpointPath(): void {
    if (this.#endpointPath === "" || this.#endpointPathNoted) return;
    this.#endpointPathNoted = true;
    const path = this.#metaPrefix + this.s3Namespace + sep + ENDPOINT_PATH_FILE;
    try {
      if (this.assertSafe(path)) return;
      writeFileAtomicSync(path, this.#endpointPath + "\n", { durable: false });
    } catch {
      // Not written (a read-only cache, a link): ls shows the hash instead.
    }
  }

  /** True when `path` (resolved) is strictly inside the cache dir. */
  contains(path: string): boolean {
    return resolve(path).startsWith(this.#prefix);
  }

  #fileParts(path: string): { storeRoot: string; key: string; relPath: string } {
    // The store is the file's directory and the key its name: FsStore refuses
    // to follow links below its root, and any directory above may be one.
    const storeRoot = pathToFileURL(dirname(path)).href;
    const key = basename(path);
    if (this.#os === "windows") {
      const p = path.replaceAll("/", "\\");
      const root = win32Root(p); // "C:\\" or "\\\\server\\share\\"
      const rest = p.slice(root.length).split("\\").filter((s) => s !== "");
      const drive = /^([A-Za-z]):\\?$/.exec(root)?.[1];
      const rootSegments = drive !== undefined
        ? [drive.toUpperCase()]
        : ["UNC", ...root.split("\\").filter((s) => s !== "")];
      return {
        storeRoot,
        key,
        relPath: [
          FILE_NAMESPACE,
          ...[...rootSegments, ...rest].map((segment) => this.#encode(segment)),
        ].join("/"),
      };
    }
    return {
      storeRoot,
      key,
      relPath: `file/${path.replace(/^\/+/, "").split("/").map((s) => this.#encode(s)).join("/")}`,
    };
  }
}

/**
 * What is in the way of a key's copy at `dataPath` when a directory is
 * there: the copies of keys below its name (S3 allows `a` beside `a/b`; a
 * file system does not).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keysBelowIn } from "./layout.ts";
 * assert.equal(keysBelowIn("/c/s3/b/a"), "/c/s3/b/a is a directory, of the copies of keys below this one's name");
 * ```
 */
export function keysBelowIn(dataPath: string): string {
  return `${dataPath} is a directory, of the copies of keys below this one's name`;
}

/**
 * What is in the way of a key's copy at `dataPath` when `file`, above it,
 * is a file: another key's copy (S3 allows `a/b` beside `a`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileInTheWay } from "./layout.ts";
 * assert.equal(fileInTheWay("/c/s3/b/a", "/c/s3/b/a/b"), "/c/s3/b/a is a file, so /c/s3/b/a/b cannot be made");
 * ```
 */
export function fileInTheWay(file: string, dataPath: string): string {
  return `${file} is a file, so ${dataPath} cannot be made`;
}

/**
 * Throws `InvalidInputError` when any existing component of `path` below
 * `cacheDir` (the last one included) is a symbolic link. The cache never
 * creates links, so one is planted (e.g. a CI cache restored from an
 * untrusted branch) and following it could write or delete outside the cache
 * dir. The cache dir itself may be a link: that is the user's choice.
 * Directories in `known` are taken as checked (and found ones are added).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertNoLinks } from "./layout.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/a`);
 *   assertNoLinks(dir, `${dir}/a/b/c.txt`); // missing components are fine
 *   await Deno.symlink("/tmp", `${dir}/l`);
 *   assert.throws(() => assertNoLinks(dir, `${dir}/l/c.txt`), /symbolic link/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function assertNoLinks(cacheDir: string, path: string, known?: Set<string>): boolean {
  return assertNoLinksIn(cacheDir, path, known).exists;
}

/** {@linkcode assertNoLinks}, returning what {@linkcode inspectPath} found. */
function assertNoLinksIn(
  cacheDir: string,
  path: string,
  known: Set<string> | undefined,
): PathInspection {
  const inspection = inspectPath(cacheDir, path, known);
  const link = inspection.link;
  if (link !== undefined) {
    throw new InvalidInputError(
      `refusing to use ${path}: ${link} is a symbolic link inside the cache dir ${
        resolve(cacheDir)
      } ` +
        `(vc never creates links there; the cache may have been restored from an untrusted ` +
        `source). Remove the link, or the whole cache dir, and run again`,
    );
  }
  return inspection;
}

/**
 * The first existing component of `path` below `cacheDir` (the last one
 * included) that is a symbolic link, or undefined when there is none (see
 * {@linkcode assertNoLinks}, which throws instead). For maintenance, which
 * reports what it cannot read through a link instead of failing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linkOnPath } from "./layout.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(linkOnPath(dir, `${dir}/a/b`), undefined);
 *   await Deno.symlink("/tmp", `${dir}/a`);
 *   assert.equal(linkOnPath(dir, `${dir}/a/b`), `${dir}/a`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function linkOnPath(
  cacheDir: string,
  path: string,
  known?: Set<string>,
): string | undefined {
  return inspectPath(cacheDir, path, known).link;
}

/**
 * {@linkcode linkOnPath}, and the `lstat` of `path` itself from the same
 * walk (`stat`; absent when it is missing, or could not be read: `exists`
 * then tells which), and the first component on its way that is neither a
 * directory nor a link (`file`: `path` itself when it is a file, else the
 * file where one of its directories belongs). Maintenance lists every entry
 * this way: one `lstat` of each data file, not a second one after the walk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inspectOnPath } from "./layout.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/x`, "12");
 *   assert.equal(inspectOnPath(dir, `${dir}/x`).stat?.size, 2);
 *   assert.equal(inspectOnPath(dir, `${dir}/none`).exists, false);
 *   assert.equal(inspectOnPath(dir, `${dir}/x/y`).file, `${dir}/x`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function inspectOnPath(
  cacheDir: string,
  path: string,
  known?: Set<string>,
): { link: string | undefined; exists: boolean; file?: string; stat?: Deno.FileInfo } {
  return inspectPath(cacheDir, path, known);
}

/**
 * {@linkcode linkOnPath}, and whether `path` exists: the walk stops at the
 * first missing component, and a reader that learns its file is missing
 * here need not fail a second `lstat` on it (each failed one costs a thrown
 * error, ~20 µs in Deno).
 */
/** What {@linkcode inspectPath} found on a path's way. */
interface PathInspection {
  /** The first component that is a symbolic link. */
  link: string | undefined;
  /** Whether the path exists. */
  exists: boolean;
  /** The first component that is neither a directory nor a link (the path itself, when a file). */
  file?: string;
  /** The path's own `lstat`, when it exists and no component on its way is a link. */
  stat?: Deno.FileInfo;
}

function inspectPath(
  cacheDir: string,
  path: string,
  known: Set<string> | undefined,
): PathInspection {
  const root = resolve(cacheDir);
  const rel = resolve(path).slice(root.length).split(sep).filter((s) => s !== "");
  let current = root;
  for (const [i, segment] of rel.entries()) {
    current = join(current, segment);
    if (i < rel.length - 1 && known?.has(current)) continue;
    let stat: Deno.FileInfo;
    try {
      stat = Deno.lstatSync(current);
    } catch (e) {
      // Missing: nothing below it exists to follow. Unreadable: not known to be missing.
      return { link: undefined, exists: !(e instanceof Deno.errors.NotFound) };
    }
    if (stat.isSymlink) return { link: current, exists: true };
    const last = i === rel.length - 1;
    if (!stat.isDirectory) {
      return { link: undefined, exists: last, file: current, ...(last ? { stat } : {}) };
    }
    known?.add(current);
    if (last) return { link: undefined, exists: true, stat };
  }
  return { link: undefined, exists: true };
}

/**
 * Where the record of the data file at `dataPath` (inside `cacheDir`) lives:
 * its directory's journal and its name there, and the record file of
 * earlier versions. Pure: no I/O.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordPathsOf } from "./layout.ts";
 * const r = recordPathsOf("/c", "/c/s3/b/x.csv");
 * assert.equal(r.journalPath, "/c/.meta/s3/b/%records.jsonl");
 * assert.equal(r.recordName, "x.csv");
 * assert.equal(r.metaPath, "/c/.meta/s3/b/x.csv%.json");
 * ```
 */
export function recordPathsOf(
  cacheDir: string,
  dataPath: string,
): { dataPath: string; metaPath: string; journalPath: string; recordName: string } {
  const root = resolve(cacheDir);
  const data = resolve(dataPath);
  const rel = data.slice(root.length + 1);
  const recordName = basename(data);
  return {
    dataPath: data,
    metaPath: join(root, META_DIR, rel) + RECORD_SUFFIX,
    journalPath: join(root, META_DIR, dirname(rel), JOURNAL_NAME),
    recordName,
  };
}

/**
 * Whether a record naming `uri` belongs to the data file at `dataPath`
 * (inside `cacheDir`): `uri` is the canonical URI this layout maps to that
 * path, as a lookup requires (it serves a record only when its URI is the
 * one looked up). A record journal is plain text a hand edit, damage or a
 * restored cache may fill with anything: a line for `trail%2E` that names
 * `s3://b/other` is no record of either, so maintenance never lists, checks
 * or removes one object's data as another's. An S3 URI names no endpoint,
 * so any S3 namespace (`s3`, `s3@host_port`) holds its bucket and key. Pure:
 * no I/O.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordBelongsTo } from "./layout.ts";
 * assert(recordBelongsTo("/c", "/c/s3/b/trail%2E", "s3://b/trail."));
 * assert(recordBelongsTo("/c", "/c/s3@h_9000/b/x", "s3://b/x"));
 * assert(!recordBelongsTo("/c", "/c/s3/b/trail%2E", "s3://b/other"));
 * assert(recordBelongsTo("/c", "/c/file/d/x.txt", "file:///d/x.txt"));
 * assert(!recordBelongsTo("/c", "/c/file/d/x.txt", "file:///d/y.txt"));
 * assert(!recordBelongsTo("/c", "/c/file/d/x.txt", "s3://d/x.txt"));
 * ```
 */
export function recordBelongsTo(cacheDir: string, dataPath: string, uri: string): boolean {
  const layout = new CacheLayout(cacheDir);
  let loc: EntryLocation;
  try {
    const parsed = parseUri(uri);
    if (parsed.scheme === "local") return false;
    loc = layout.locate(parsed);
  } catch {
    return false; // no URI a download records
  }
  if (loc.uri !== uri) return false;
  const path = resolve(dataPath);
  if (loc.bucket === "") return path === loc.dataPath;
  if (!layout.contains(path)) return false;
  // The namespace is the endpoint's, which the URI does not name.
  const rel = path.slice(layout.dir.length + (layout.dir.endsWith(sep) ? 0 : 1))
    .replaceAll(sep, "/");
  const slash = rel.indexOf("/");
  const ns = rel.slice(0, slash);
  return (ns === "s3" || ns.startsWith("s3@")) &&
    rel.slice(slash) === loc.relPath.slice(loc.relPath.indexOf("/"));
}
