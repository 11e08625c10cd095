/**
 * The asset cache's error messages: each names the URI or path, and says
 * what to do. A failure that has a cause the user can act on (a full disk, a
 * read-only or misplaced cache dir, an endpoint that is not S3) is turned
 * into a message saying so, with the original error as `cause`.
 *
 * @module
 */
import {
  AccessDeniedError,
  deniedWithin,
  IntegrityError,
  InvalidInputError,
  IsDirectoryError,
  NotFoundError,
  OfflineError,
  StoreNotFoundError,
  VcError,
} from "../errors.ts";
import { type EntryLocation, fileInTheWay, keysBelowIn } from "./layout.ts";
import { fromFileUrl } from "../path.ts";
import { LINK_LOOP, notRegularFileKind } from "../regular_file.ts";
import { quoted, shortened } from "../printable.ts";
import { isNoSpaceError } from "../no_space.ts";
import { isReadOnlyFs } from "../read_only_fs.ts";
import { isNameTooLong, tooLongReason } from "../name_too_long.ts";
import { isFileTooLargeError } from "../file_size_limit.ts";
import { fileAbove, statusOrUndefinedSync } from "../file_status.ts";
import { beforeInlineComment, INLINE_COMMENT_HINT } from "../inline_comment.ts";
import { closedDirOn } from "./closed_dir.ts";
import { parseRequestTimeout } from "../store/s3_config.ts";
import { bucketNameHint } from "../store/bucket_name_hint.ts";
import { endpointPathHintIn } from "../store/endpoint_path_hint.ts";
import { durationMs } from "../duration.ts";
import { unwritableCacheDirError } from "./unwritable_cache_dir.ts";
import { CACHE_PRUNE, removeCopy } from "../command_words.ts";

/** Default seconds to wait for another process's entry lock (`VC_LOCK_WAIT`). */
export const DEFAULT_LOCK_WAIT = 60;

/**
 * Parses `VC_LOCK_WAIT`: seconds, or a duration such as `2m` or `500ms` (as
 * `VC_REVALIDATE_TIMEOUT` and `VC_REQUEST_TIMEOUT` take it); unset or empty
 * gives {@linkcode DEFAULT_LOCK_WAIT}, a blank value (spaces, a tab) is
 * refused as any other malformed one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLockWait } from "./cache_errors.ts";
 * assert(parseLockWait("5") === 5 && parseLockWait(undefined) === 60);
 * assert(parseLockWait("2m") === 120 && parseLockWait("500ms") === 0.5);
 * assert.throws(() => parseLockWait("soon"), /VC_LOCK_WAIT/);
 * assert.throws(() => parseLockWait("0x10"), /VC_LOCK_WAIT/);
 * assert.throws(() => parseLockWait("1e3"), /VC_LOCK_WAIT/);
 * ```
 */
export function parseLockWait(text: string | undefined): number {
  // Empty is unset; blank is refused, as VC_CACHE_TIMEOUT's is: taken for
  // unset, a " " meant as a value fell back to the default without a word.
  if (text === undefined || text === "") return DEFAULT_LOCK_WAIT;
  // Decimal seconds, as VC_CACHE_TIMEOUT's bare numbers (Number() took
  // "0x10" for 16 s, "0b1" for 1 s and "1e3" for 1000 s), or a duration as
  // the other waits take it: `VC_LOCK_WAIT=2m` was refused.
  const trimmed = text.trim();
  const seconds = /^\d+(?:\.\d+)?$/.test(trimmed)
    ? Number(trimmed)
    : (durationMs(trimmed) ?? NaN) / 1000;
  if (!Number.isFinite(seconds)) {
    throw new InvalidInputError(
      `VC_LOCK_WAIT must be a number of seconds (0 or more) or a duration such as 90s, 2m, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return seconds;
}

/** Default seconds a revalidation waits for the store before serving the cached copy. */
export const DEFAULT_REVALIDATE_TIMEOUT = 5;

/**
 * Parses `VC_REVALIDATE_TIMEOUT` (seconds, or a duration such as `500ms`, as
 * `VC_REQUEST_TIMEOUT`; 0: no limit of its own) into seconds; unset or empty
 * gives {@linkcode DEFAULT_REVALIDATE_TIMEOUT}, a blank value is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRevalidateTimeout } from "./cache_errors.ts";
 * assert(parseRevalidateTimeout("2") === 2 && parseRevalidateTimeout(undefined) === 5);
 * assert(parseRevalidateTimeout("500ms") === 0.5 && parseRevalidateTimeout("0") === 0);
 * assert.throws(() => parseRevalidateTimeout("soon"), /VC_REVALIDATE_TIMEOUT/);
 * ```
 */
export function parseRevalidateTimeout(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_REVALIDATE_TIMEOUT;
  return parseRequestTimeout("VC_REVALIDATE_TIMEOUT", text, "a revalidation wait") / 1000;
}

/**
 * Parses `VC_ON_UNREACHABLE`, what a revalidation does when the store cannot
 * confirm a cached copy (the `onUnreachable` option's values): `warn` (serve
 * the copy with a warning, the default when unset or empty) or `fail` (throw
 * `OfflineError`), in any case; anything else, a blank value too, is
 * refused naming the variable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOnUnreachable } from "./cache_errors.ts";
 * assert(parseOnUnreachable(undefined) === "warn" && parseOnUnreachable("") === "warn");
 * assert(parseOnUnreachable("fail") === "fail" && parseOnUnreachable(" FAIL ") === "fail");
 * assert.throws(() => parseOnUnreachable("strict"), /VC_ON_UNREACHABLE/);
 * ```
 */
export function parseOnUnreachable(text: string | undefined): "warn" | "fail" {
  if (text === undefined || text === "") return "warn";
  const value = text.trim().toLowerCase();
  if (value === "warn" || value === "fail") return value;
  throw new InvalidInputError(
    `VC_ON_UNREACHABLE must be "warn" (serve a cached copy the store cannot confirm, with a ` +
      `warning) or "fail" (fail instead), got ${JSON.stringify(text)}`,
  );
}

/**
 * How a message names the S3 endpoint in use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointName } from "./cache_errors.ts";
 * assert(endpointName("http://127.0.0.1:9000") === "endpoint http://127.0.0.1:9000");
 * ```
 */
export function endpointName(endpoint: string | undefined): string {
  return endpoint !== undefined
    ? `endpoint ${endpoint}`
    : "the default AWS endpoint (set AWS_ENDPOINT_URL for another)";
}

/**
 * The error for an object the store said is deleted: it points to
 * `vc cache rm`, not to library calls. `storeGone`: the store's answer that
 * the whole store is (S3's `NoSuchBucket`), said after the object's URI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { goneError } from "./cache_errors.ts";
 * import { StoreNotFoundError } from "../errors.ts";
 * const e = goneError({ uri: "s3://b/k", dataPath: "/c/s3/b/k" });
 * assert(e.message.includes(`delete("s3://b/k")`));
 * const bucket = new StoreNotFoundError("bucket s3://b does not exist at http://minio:9000");
 * assert(goneError({ uri: "s3://b/k", dataPath: "/c/s3/b/k" }, bucket).message.includes("bucket s3://b"));
 * ```
 */
export function goneError(
  loc: Pick<EntryLocation, "uri" | "dataPath">,
  storeGone?: StoreNotFoundError,
): NotFoundError {
  return new NotFoundError(
    `${loc.uri} no longer exists in the store${
      storeGone === undefined ? "" : `: ${storeGone.message}`
    }; the cached copy at ${loc.dataPath} is kept but not served (remove it with ${
      removeCopy(loc.uri)
    })`,
    storeGone === undefined ? undefined : { cause: storeGone },
  );
}

/**
 * Whether `e` says a file could not be written for want of permission or on
 * a read-only file system.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPermissionError } from "./cache_errors.ts";
 * assert(isPermissionError(new Error("Read-only file system (os error 30)")));
 * assert(!isPermissionError(new Error("No space left on device (os error 28)")));
 * assert(!isPermissionError(new Deno.errors.NotCapable('Requires env access to "AWS_REGION"')));
 * ```
 */
export function isPermissionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  // Deno's denial of env, net or sys access (a store's, while downloading)
  // is no file the cache could not write.
  const deniedFile = e instanceof Deno.errors.NotCapable &&
    /\b(read|write) access\b/.test(e.message);
  return e instanceof Deno.errors.PermissionDenied || deniedFile ||
    code === "EROFS" || code === "EACCES" || code === "EPERM" ||
    /read-only file system|permission denied/i.test((e as Error | undefined)?.message ?? "");
}

// Where the cache and the scratch directories in TMPDIR (src/scratch_dir.ts) tell a full disk.
export { isNoSpaceError };

/**
 * `e` as a clear error when it says the cache dir is not writable (`what`
 * failed on `path`); other errors are returned unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readOnlyError } from "./cache_errors.ts";
 * const e = readOnlyError(new Deno.errors.PermissionDenied("EROFS"), "remove x", "/c/x", "/c");
 * assert((e as Error).message.includes("not writable"));
 * // The file the system refused is named, the entry's record journal here.
 * const journal = "/c/.meta/x/%records.jsonl";
 * const denied = new Deno.errors.PermissionDenied(`Permission denied (os error 13): open '${journal}'`);
 * const named = readOnlyError(denied, "remove the cached copy of s3://b/k", "/c/s3/b/k", "/c");
 * assert((named as Error).message.includes(`${journal} in the cache dir /c is not writable`));
 * ```
 */
export function readOnlyError(e: unknown, what: string, path: string, cacheDir: string): unknown {
  const denied = cacheDirPermissionError(e, what, cacheDir) ?? closedDirError(e, what, cacheDir);
  if (denied !== undefined) return denied;
  if (!isPermissionError(e)) return e;
  // The refusal may be another file of the entry's (its record journal):
  // name the one the system named, when it is in the cache dir.
  const named = deniedPath(e);
  const refused = named !== undefined && inCacheDir(named, cacheDir) ? named : path;
  const where = placeIn(refused, cacheDir);
  return new VcError(
    `cannot ${what}: ${where} is not writable (${(e as Error).message}); ` +
      (isReadOnlyFs(e) ? READ_ONLY_FS_HINT : "run as the cache's owner or make it writable"),
    { cause: e },
  );
}

/** What to do about a cache dir on a read-only file system, which no chmod makes writable. */
const READ_ONLY_FS_HINT =
  "it is on a read-only file system: set the cacheDir option / VC_CACHE_DIR to a writable directory or remount it read-write";

// The path a system error names last (`… (os error 13): open '/c/x'`).
function deniedPath(e: unknown): string | undefined {
  return /'([^']*)'\s*$/.exec((e as Error | undefined)?.message ?? "")?.[1];
}

function inCacheDir(path: string, cacheDir: string): boolean {
  const top = cacheDir.replace(/[\\/]+$/, "");
  return path.startsWith(top) && /^[\\/]/.test(path.slice(top.length));
}

function placeIn(path: string, cacheDir: string): string {
  if (path === cacheDir || path === cacheDir.replace(/[\\/]+$/, "")) {
    return `the cache dir ${cacheDir}`;
  }
  return inCacheDir(cacheDir, path)
    ? `${path}, above the cache dir ${cacheDir}`
    : `${path} in the cache dir ${cacheDir}`;
}

/**
 * A refused look into the cache (`lstat`, `stat`, `open`, `readdir`) as an
 * error naming the directory this user may not enter or list (see
 * `closed_dir.ts`): the cache dir itself, when another user made it private
 * (mode 700, a `sudo vc …`), or a directory in it; `undefined` for any other
 * error, or a refusal of the file itself (not writable: {@linkcode readOnlyError}).
 * It was taken for a cache dir "not writable", or a journal to make
 * readable, or, for `vc cache ls`, a bare `Permission denied`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closedDirError } from "./cache_errors.ts";
 * const dir = Deno.makeTempDirSync();
 * try {
 *   const refused = new Deno.errors.PermissionDenied(`Permission denied (os error 13): readdir '${dir}'`);
 *   const e = closedDirError(refused, "list the cache", dir);
 *   assert(e?.message.includes(`this user may not list the cache dir ${dir}`));
 *   assert.equal(closedDirError(new Error("No space left"), "list the cache", dir), undefined);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export function closedDirError(e: unknown, what: string, cacheDir: string): VcError | undefined {
  if (!(e instanceof Deno.errors.PermissionDenied)) return undefined;
  const named = deniedPath(e);
  if (named === undefined) return undefined;
  const listing = /:\s*readdir '[^']*'\s*$/.test(e.message);
  const closed = listing ? named : closedDirOn(named);
  if (closed === undefined) return undefined;
  return new VcError(
    `cannot ${what}: this user may not ${listing ? "list" : "enter"} ${
      placeIn(closed, cacheDir)
    } (${e.message}): another user's? Run as its owner, give this user access to it ` +
      `(chmod, or a group you share), or set the cacheDir option / VC_CACHE_DIR to a cache of your own`,
    { cause: e },
  );
}

/**
 * Deno's refusal of read or write access to the cache dir or a file in it (a
 * script whose `--allow-read` / `--allow-write` leave it out) as an
 * `AccessDeniedError` naming the cache dir and the flags to run with, or
 * undefined for any other error. It was a bare `NotCapable`, or taken for a
 * cache dir the file system would not let be written ("run as the cache's
 * owner or make it writable").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheDirPermissionError } from "./cache_errors.ts";
 * const denied = new Deno.errors.NotCapable('Requires read access to "/c/.meta/x", run again with the --allow-read flag');
 * const e = cacheDirPermissionError(denied, "list the cache", "/c");
 * assert(e?.message.includes("run with --allow-read=/c --allow-write=/c"));
 * assert.equal(cacheDirPermissionError(denied, "list the cache", "/other"), undefined);
 * ```
 */
export function cacheDirPermissionError(
  e: unknown,
  what: string,
  cacheDir: string,
): AccessDeniedError | undefined {
  // The cache dir, a file in it, or a directory above it (made or looked at on the way).
  if (!(e instanceof Deno.errors.NotCapable) || deniedWithin(e, cacheDir) === undefined) {
    return undefined;
  }
  return new AccessDeniedError(
    `cannot ${what}: vc needs read and write permission for its cache dir ${cacheDir}, ` +
      `which this script was not given (${e.message}); run with --allow-read=${cacheDir} ` +
      `--allow-write=${cacheDir}`,
    { cause: e },
  );
}

/**
 * Whether `e` is vc's refusal of an answer it cannot verify or that has no
 * form S3 gives it (no ETag and no `vc-md5`, a weak ETag that is no MD5, a
 * size or `Last-Modified` no object has): most likely not the store's own
 * answer but a captive portal's or a proxy's on the way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntegrityError } from "../errors.ts";
 * import { isRefusedAnswer } from "./cache_errors.ts";
 * assert(isRefusedAnswer(new IntegrityError("s3://b/k: refusing the store's answer: no ETag")));
 * assert(!isRefusedAnswer(new IntegrityError("s3://b/k: content does not match its ETag")));
 * ```
 */
export function isRefusedAnswer(e: unknown): e is IntegrityError {
  return e instanceof IntegrityError && /refusing the store's answer/.test(e.message);
}

/**
 * `e`, from caching `loc`, as an error that names the URI and the cache dir
 * and says what to do; errors already clear are returned unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainCacheError } from "./cache_errors.ts";
 * const loc = { uri: "s3://b/k", dataPath: "/c/s3/b/k", bucket: "b" };
 * const full = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * const e = explainCacheError(full, "/c", loc, undefined) as Error;
 * assert(e.message.includes("no space left") && e.message.includes("s3://b/k"));
 * ```
 */
export function explainCacheError(
  e: unknown,
  cacheDir: string,
  loc: Pick<EntryLocation, "uri" | "dataPath" | "bucket">,
  endpoint: string | undefined,
): unknown {
  if (e instanceof InvalidInputError && /not a directory \(it is a file\)/.test(e.message)) {
    return e;
  }
  const where = `${loc.uri} (to be cached at ${loc.dataPath})`;
  // A store that refuses the key (a `file://` name with a newline, or one
  // vc reserves for its own files) names only the key, which may be just
  // the file's name: name the URI the user gave.
  if (e instanceof InvalidInputError && /^invalid key /.test(e.message)) {
    return new InvalidInputError(`cannot cache ${loc.uri}: ${e.message}`, { cause: e });
  }
  if (e instanceof NotFoundError) {
    // Rewrapped in the store's own class: a caller tells a missing bucket
    // from a missing key by it (`isMissingKey`), not by the message.
    const Class = e instanceof StoreNotFoundError
      ? StoreNotFoundError
      : e instanceof IsDirectoryError
      ? IsDirectoryError
      : NotFoundError;
    // The whole bucket missing (a typo in its name, another endpoint) is not
    // the same advice as one missing key.
    const bucket = /^bucket s3:\/\/(\S+) does not exist/.exec(e.message)?.[1];
    if (bucket !== undefined) {
      // The store's own hint (`s3://My_Assets`: names are lower case) is kept.
      return new Class(
        `cannot download ${loc.uri}: its ${e.message.split(" (")[0]} (check the bucket name ` +
          `and the endpoint)${bucketNameHint(bucket)}`,
        { cause: e },
      );
    }
    return new Class(
      `${loc.uri} does not exist in the store (it would be cached at ${loc.dataPath})` +
        endsInWhitespace(loc.uri) +
        notAFile(loc.uri) + versionQuery(loc.uri) + percentEscapes(loc.uri) +
        notAPrefix(loc.uri, loc.dataPath) +
        inlineComment(loc.uri) + endpointPathHintIn(e.message),
      { cause: e },
    );
  }
  if (e instanceof OfflineError) {
    return new OfflineError(`cannot download ${where}: ${e.message}`, { cause: e });
  }
  // A multipart ETag whose part sizes the store will not tell: trying again
  // brings the same unverifiable bytes, and they need not be damaged.
  // (So is an object Google Cloud Storage serves decompressed: the store
  // says so, and how to have it served as stored; and any answer that
  // tells no size, chunked and ignoring Range: the same every time.)
  if (
    e instanceof IntegrityError &&
    (/cannot verify its content/.test(e.message) ||
      / tells no size for it: /.test(e.message) ||
      /x-goog-stored-content-encoding/.test(e.message))
  ) {
    return new IntegrityError(`${e.message}; nothing was cached`, { cause: e });
  }
  if (isRefusedAnswer(e)) {
    const from = loc.bucket === "" ? "" : ` from ${endpointName(endpoint)}`;
    return new IntegrityError(`${e.message}${from}; nothing was cached`, { cause: e });
  }
  // The same wrong bytes twice: the store holds them, and a retry fetches
  // them again. Not "try again": the object does not match its own ETag,
  // damaged or from a store whose ETags are no MD5 of the content.
  if (
    e instanceof IntegrityError && / the same content came \d+ times: /.test(e.message) &&
    !/ is pinned;/.test(e.message)
  ) {
    return new IntegrityError(
      `${e.message}; nothing was cached: the object in the store does not match its own ETag ` +
        `(or checksum), so a retry fetches the same bytes: it is damaged, or the store's ETags ` +
        `are no MD5 of the content (as some S3-compatible stores' are, with encryption or ` +
        `compression)`,
      { cause: e },
    );
  }
  if (e instanceof IntegrityError && !/ is pinned;/.test(e.message)) {
    return new IntegrityError(
      `${e.message}; nothing was cached. Try again; if it persists, the object in the store ` +
        `(or a proxy on the way) is damaged`,
      { cause: e },
    );
  }
  const message = (e as Error | undefined)?.message ?? String(e);
  if (isNoSpaceError(e)) {
    return new VcError(
      `no space left on the device of the cache dir ${cacheDir} while caching ${loc.uri}; ` +
        `nothing partial was kept. Free space (e.g. ${CACHE_PRUNE.library}) or ` +
        `set the cacheDir option / VC_CACHE_DIR to a larger disk`,
      { cause: e },
    );
  }
  // EFBIG names no file and no limit: a CI runner's `ulimit -f` failed each
  // item of a prefill with the bare "File too large (os error 27)".
  if (isFileTooLargeError(e)) {
    // The record journal names itself and the limit (record_journal.ts).
    const why = message.includes("file-size limit") ? message : `${message}: the write into ` +
      `the cache dir ${cacheDir} reached this process's file-size limit (ulimit -f, ` +
      `RLIMIT_FSIZE) or the largest file that file system holds (4 GiB on FAT32); nothing ` +
      `partial was kept. Raise the limit (ulimit -f unlimited) or set the cacheDir option / ` +
      `VC_CACHE_DIR to another file system`;
    return new VcError(`cannot cache ${where}: ${why}`, { cause: e });
  }
  // Keys are valid up to 1024 bytes, and escaping (`%3F`, `%_` for an empty
  // segment) makes their paths longer still: below a deep cache dir one can
  // pass the system's limit, which the OS error alone names by a cut path.
  if (isNameTooLong(e)) {
    const bytes = new TextEncoder().encode(loc.dataPath).length;
    return new VcError(
      `cannot cache ${loc.uri}: its path in the cache dir ${cacheDir} (${bytes} bytes) is ` +
        `longer than this system allows (${message}); set the cacheDir option / VC_CACHE_DIR to a ` +
        `directory with a shorter path`,
      { cause: e },
    );
  }
  // Marked: the items after it would fail alike (a prefill stops asking).
  const denied = cacheDirPermissionError(e, `cache ${where}`, cacheDir);
  if (denied !== undefined) return unwritableCacheDirError(denied, cacheDir);
  if (isPermissionError(e)) {
    return unwritableCacheDirError(
      new VcError(
        `cannot write to the cache dir ${cacheDir} while caching ${where}: ${message}; ` +
          (isReadOnlyFs(e)
            ? READ_ONLY_FS_HINT
            : "make it writable or set the cacheDir option / VC_CACHE_DIR to another directory"),
        { cause: e },
      ),
      cacheDir,
    );
  }
  if (
    e instanceof Deno.errors.NotADirectory || e instanceof Deno.errors.IsADirectory ||
    e instanceof Deno.errors.AlreadyExists
  ) {
    // In the records tree no key can collide (names are encoded, records
    // are journals): something there is damaged or planted.
    const path = /'([^']*)'\s*$/.exec(message)?.[1];
    const meta = `${cacheDir.replace(/[\\/]+$/, "")}/.meta/`;
    if (path !== undefined && path.replaceAll("\\", "/").startsWith(meta.replaceAll("\\", "/"))) {
      // "Not a directory" names the path opened below the culprit: name the
      // file in the way, the one to remove.
      const culprit = e instanceof Deno.errors.NotADirectory ? fileAbove(path) ?? path : path;
      return new VcError(
        `cannot cache ${where}: ${culprit} in the cache's records has the wrong type (a file where a ` +
          `directory belongs, or the reverse; damaged, or planted by a restored cache): ` +
          `${message}. Remove it (its entries are downloaded again), or the whole cache dir`,
        { cause: e },
      );
    }
    return new InvalidInputError(
      `cannot cache ${where}: the path is taken by a directory or a file of another key ` +
        `(S3 allows keys "a" and "a/b" in one bucket; a filesystem does not): ` +
        clashNamed(e, message, loc.dataPath),
      { cause: e },
    );
  }
  return e;
}

/**
 * A clash the system found (`message`: a rename onto a directory, an open
 * below a file, when another process cached the other key between this
 * one's checks and its write) in the words vc's own checks use, naming what
 * is in the way rather than a temp file; vc's own words, or a clash not
 * found again, as they are.
 */
function clashNamed(e: unknown, message: string, dataPath: string): string {
  if (!/\(os error \d+\)/.test(message)) return message;
  if (e instanceof Deno.errors.IsADirectory) {
    let dir = false;
    try {
      dir = statusOrUndefinedSync(dataPath)?.isDirectory === true;
    } catch {
      // not known to be in the way
    }
    return dir ? keysBelowIn(dataPath) : message;
  }
  const file = e instanceof Deno.errors.NotADirectory ? fileAbove(dataPath) : undefined;
  return file === undefined ? message : fileInTheWay(file, dataPath);
}

/**
 * `e`, from copying a cached copy out to `dest` (`vc sync`, `vc get`), as an
 * error that names `dest` and what is in the way; other errors unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyOutError } from "./cache_errors.ts";
 * const e = copyOutError(new Deno.errors.IsADirectory("Is a directory (os error 21)"), "/o/t.csv");
 * assert.match((e as Error).message, /cannot write \/o\/t\.csv: a directory is there/);
 * ```
 */
export function copyOutError(e: unknown, dest: string): unknown {
  const message = (e as Error | undefined)?.message ?? String(e);
  let why: string | undefined;
  if (e instanceof Deno.errors.IsADirectory) {
    return copyOutBlocked(dest, "directory", e);
  } else if (e instanceof Deno.errors.NotADirectory) {
    return copyOutBlocked(dest, "file above", e);
  } else if (isPermissionError(e)) {
    why = "permission denied, or a read-only file system";
  } else if ((e as { code?: unknown } | undefined)?.code === "ENOSPC") {
    why = "no space left on that device";
  } else if (isNameTooLong(e)) {
    // Deno's message names the temp file beside it (`.x~hash.vc-tmp-…`), or no path.
    return new InvalidInputError(`cannot write ${shortened(dest)}: it ${tooLongReason(dest)}`, {
      cause: e,
    });
  }
  if (why === undefined) return e;
  return new VcError(`cannot write ${dest}: ${why} (${message})`, { cause: e });
}

/**
 * The error of a copy out to `dest` that cannot be written: a directory is
 * at its name (`"directory"`), or a file where one of its directories
 * belongs (`"file above"`, named: the system's error names none, and a deep
 * DEST has many directories). `cause`, the system's error, when the write
 * found it; none when it was seen before (`vc sync` looks before it
 * downloads).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyOutBlocked } from "./cache_errors.ts";
 * const e = copyOutBlocked("/o/t.csv", "directory");
 * assert.equal(e.message, "cannot write /o/t.csv: a directory is there (remove it, or copy somewhere else)");
 * ```
 */
export function copyOutBlocked(
  dest: string,
  what: "directory" | "file above",
  cause?: unknown,
): VcError {
  let why = "a directory is there";
  if (what === "file above") {
    const file = fileAbove(dest);
    why = `a file is where one of its directories belongs${file === undefined ? "" : `: ${file}`}`;
  }
  const told = cause === undefined
    ? ""
    : ` (${(cause as Error | undefined)?.message ?? String(cause)})`;
  const text = `cannot write ${dest}: ${why} (remove it, or copy somewhere else)${told}`;
  return cause === undefined ? new VcError(text) : new VcError(text, { cause });
}

/**
 * For a `file://` URI naming something that is not a regular file (a
 * directory, a FIFO, a socket, a device), which a directory store does not
 * take for an object: what is there, so "does not exist" is not all it says.
 */
/**
 * An S3 key is taken as written, `?` and all: a `?versionId=` pasted from
 * the console names no object version, but a key with that text in it.
 */
function versionQuery(uri: string): string {
  return uri.startsWith("s3:") && /\?(.*&)?versionId=/i.test(uri)
    ? "; note: the key is taken as written, `?versionId=` included (S3 object versions are not " +
      "addressed by URI: cache an object's current version by its plain URI)"
    : "";
}

/**
 * An S3 key is taken as written, `%` and all: `s3://b/my%20file.csv`, built
 * from an object's https URL, names the key `my%20file.csv`, not the
 * `my file.csv` the user sees in `aws s3 ls` (S3 keys may hold `%`, so vc
 * cannot decode it for them).
 */
function percentEscapes(uri: string): string {
  if (!uri.startsWith("s3:") || !/%[0-9A-Fa-f]{2}/.test(uri)) return "";
  let decoded: string;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    return ""; // not a whole URL escape (`100%.txt`, `%FF`): nothing to suggest
  }
  return "; note: the key is taken as written, its `%` escapes included (S3 keys may hold `%`): " +
    `the URI of the key they spell is ${quoted(decoded)}`;
}

// S3 keys may end in spaces, so the key is kept as given; but printed, a
// pasted trailing space or newline is invisible, so point at it. A `file://`
// URI prints its spaces escaped (`a.csv%20%20`), a name that reads as another
// one: its path is quoted instead.
function endsInWhitespace(uri: string): string {
  if (!uri.startsWith("file:")) {
    return /\s$/.test(uri) ? `; note: its key ends in whitespace (${JSON.stringify(uri)})` : "";
  }
  let path: string;
  try {
    path = fromFileUrl(uri);
  } catch {
    return "";
  }
  return /\s$/.test(path)
    ? `; note: its file name ends in whitespace (${JSON.stringify(path)})`
    : "";
}

// A list line `s3://b/k  # raw data`: its comment was read as part of the key.
function inlineComment(uri: string): string {
  return beforeInlineComment(uri) === undefined ? "" : `; note: ${INLINE_COMMENT_HINT}`;
}

/**
 * A miss of a URI ending in `/` (`s3://b/models/`): it names the object at
 * the key `models/` (S3 allows a key ending in `/`), never the objects below
 * it, which is what one typing it usually meant.
 */
function notAPrefix(uri: string, dataPath: string): string {
  if (uri.endsWith("/")) {
    return "; a URI ending in / names the object at that key, not the objects below it: " +
      "give each object's URI";
  }
  // `s3://b/models` whose keys below were cached: a prefix, likely meant as
  // one. (A `file://` directory is said by notAFile.)
  if (uri.startsWith("file:")) return "";
  try {
    if (!Deno.lstatSync(dataPath).isDirectory) return "";
  } catch {
    return ""; // nothing there (the usual miss), or not to be read: no hint
  }
  return "; the cache holds copies of keys below it: a URI names the object at that key, not " +
    "the objects below it: give each object's URI";
}

function notAFile(uri: string): string {
  if (!uri.startsWith("file:")) return "";
  try {
    Deno.statSync(fromFileUrl(uri));
  } catch (e) {
    // Read as a miss by the store: `ln -s loop loop` is there, not nothing.
    if (e instanceof Deno.errors.FilesystemLoop) {
      return `; symbolic links at that path loop (${LINK_LOOP}), so it names no file`;
    }
  }
  const kind = notRegularFileKind(fromFileUrl(uri));
  return kind === undefined ? "" : `; ${kind} is at that path, not a regular file`;
}
