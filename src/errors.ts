/**
 * Error classes for conditions callers handle. Programmer errors use the
 * built-in `TypeError` / `RangeError`; everything here names the failing value
 * in its message and keeps the underlying error as `cause`.
 *
 * @module
 */
import { printable, withLongInputsCut } from "./printable.ts";
import { causes } from "./causes.ts";
import { resolve } from "./path.ts";

/**
 * Base class of every error vc raises on purpose.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VcError } from "./errors.ts";
 * try {
 *   throw new VcError("boom");
 * } catch (e) {
 *   assert(e instanceof VcError);
 * }
 * // A key from outside is printed inert; the exact text stays at hand.
 * const e = new VcError("no object s3://b/a\x1b[2J.csv");
 * assert.equal(e.message, "no object s3://b/a\\x1b[2J.csv");
 * assert.equal(e.rawMessage, "no object s3://b/a\x1b[2J.csv");
 * ```
 */
export class VcError extends Error {
  // The message as given (its long inputs cut), and as `message` first showed it.
  readonly #raw: string;
  readonly #shown: string;
  /**
   * The message with the names it quotes (a key, a path, a store's error
   * text) as they are, control characters and all: for code that needs the
   * exact text, and for JSON (which escapes them itself, as the cache
   * service's error answers do). `message` (and so `stack`) is what to
   * print. Text added to `message` after the error was made (`e.message +=
   * "; nothing was recorded"`) is part of it too, and a message that quotes
   * its `cause`'s (`${e.message}; nothing was cached`) has that cause's
   * exact text here, not its escapes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { IntegrityError } from "./errors.ts";
   * const inner = new IntegrityError("s3://b/a\u202e.csv: checksum mismatch");
   * const e = new IntegrityError(`${inner.message}; nothing was cached`, { cause: inner });
   * e.message += " (2 attempts)";
   * assert.equal(e.message, "s3://b/a\\u202e.csv: checksum mismatch; nothing was cached (2 attempts)");
   * assert.equal(e.rawMessage, "s3://b/a\u202e.csv: checksum mismatch; nothing was cached (2 attempts)");
   * ```
   */
  get rawMessage(): string {
    const now = this.message;
    if (now === this.#shown) return this.#raw;
    return replacedOnce(now, this.#shown, this.#raw) ?? now;
  }
  /**
   * Creates the error; `options.cause` keeps the underlying error. The
   * message names keys, URIs and paths from outside (a bucket's listing, a
   * manifest, a server's answer): its control characters are shown escaped
   * ({@linkcode printable}: `\x1b`, `\n`, `\u202e`), as on every line the
   * command line prints, so a script's `console.error(e.message)`, or an
   * uncaught error, cannot act on the terminal; `rawMessage` keeps them. An
   * input the message quotes that is longer than any path or key (over 4096
   * characters: a 9,000-character URI) is shown by its ends and its length,
   * as the command line prints it, so a library caller's message and log
   * stay short.
   */
  constructor(message: string, options?: ErrorOptions) {
    let raw = withLongInputsCut(message);
    // A message that quotes its cause's (a wrapper adding where or what was
    // left undone): the cause's exact text in place of its escapes.
    const cause = options?.cause;
    if (cause instanceof VcError && cause.message !== cause.rawMessage) {
      raw = replacedOnce(raw, cause.message, cause.rawMessage) ?? raw;
    }
    const shown = printable(raw);
    super(shown, options);
    // Private, so not among what `console.error(e)` lists: not to be printed.
    this.#raw = raw;
    this.#shown = shown;
    this.name = new.target.name;
  }
}

// `text` with the first `part` in it replaced by `by`; undefined when `text` has no `part`.
function replacedOnce(text: string, part: string, by: string): string | undefined {
  const at = text.indexOf(part);
  return at < 0 ? undefined : text.slice(0, at) + by + text.slice(at + part.length);
}

/**
 * The object, file or version does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "./errors.ts";
 * const e = new NotFoundError("s3://b/k does not exist");
 * assert(e.name === "NotFoundError");
 * ```
 */
export class NotFoundError extends VcError {}

/**
 * No object, because a directory is where it was looked for (an `FsStore`
 * key naming one): a `NotFoundError` to callers that look objects up, one a
 * message can tell from a missing name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IsDirectoryError, NotFoundError } from "./errors.ts";
 * assert(new IsDirectoryError("d is a directory") instanceof NotFoundError);
 * ```
 */
export class IsDirectoryError extends NotFoundError {}

/**
 * No object, because the store itself does not exist: its S3 bucket
 * (`NoSuchBucket`), or an `FsStore`'s root directory. A `NotFoundError` to
 * callers that only look a key up; one that must not read a vanished store
 * as an empty one (the cache service, whose every cache would be a miss)
 * tells it apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError, StoreNotFoundError } from "./errors.ts";
 * assert(new StoreNotFoundError("bucket s3://b does not exist") instanceof NotFoundError);
 * ```
 */
export class StoreNotFoundError extends NotFoundError {}

/**
 * Whether `error` says that a key is missing from a store that exists: a
 * `NotFoundError` other than {@linkcode StoreNotFoundError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMissingKey, NotFoundError, StoreNotFoundError } from "./errors.ts";
 * assert(isMissingKey(new NotFoundError("s3://b/k does not exist")));
 * assert(!isMissingKey(new StoreNotFoundError("bucket s3://b does not exist")));
 * ```
 */
export function isMissingKey(error: unknown): boolean {
  return error instanceof NotFoundError && !(error instanceof StoreNotFoundError);
}

/**
 * A conditional request failed: `If-None-Match: *` found an existing object,
 * or `If-Match` found a different ETag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PreconditionFailedError } from "./errors.ts";
 * const e = new PreconditionFailedError("s3://b/k already exists");
 * assert(e instanceof Error);
 * ```
 */
export class PreconditionFailedError extends VcError {}

/**
 * A conditional GET found the object unchanged (`If-None-Match` matched).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotModifiedError } from "./errors.ts";
 * assert(new NotModifiedError("same").name === "NotModifiedError");
 * ```
 */
export class NotModifiedError extends VcError {}

/**
 * Downloaded or uploaded bytes do not match the expected size or checksum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntegrityError } from "./errors.ts";
 * assert(new IntegrityError("md5 mismatch").name === "IntegrityError");
 * ```
 */
export class IntegrityError extends VcError {}

/**
 * The store cannot be reached (network down, DNS failure, connection refused,
 * or offline mode requested) and no usable local copy exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OfflineError } from "./errors.ts";
 * assert(new OfflineError("no network").name === "OfflineError");
 * ```
 */
export class OfflineError extends VcError {}

/**
 * Credentials are missing or were refused (HTTP 401/403).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AccessDeniedError } from "./errors.ts";
 * assert(new AccessDeniedError("403").name === "AccessDeniedError");
 * ```
 */
export class AccessDeniedError extends VcError {}

/**
 * A user-supplied value (URI, key, manifest entry, version, option) is invalid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidInputError } from "./errors.ts";
 * assert(new InvalidInputError("bad key").name === "InvalidInputError");
 * ```
 */
export class InvalidInputError extends VcError {}

/**
 * `resolveIt()`, for a setting read from the environment or a file; with
 * `report` given, an `InvalidInputError` it throws (a malformed value) is
 * reported under `name` and `fallback` stands in, so that `vc config` can
 * show every other setting beside the bad one's error. Other errors throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidInputError, resolvedOrReported } from "./errors.ts";
 * const bad = () => {
 *   throw new InvalidInputError("VC_OFFLINE must be true or false");
 * };
 * const seen: string[] = [];
 * assert.equal(resolvedOrReported((_e, name) => seen.push(name), "offline", bad, false), false);
 * assert.deepEqual(seen, ["offline"]);
 * assert.throws(() => resolvedOrReported(undefined, "offline", bad, false), InvalidInputError);
 * ```
 */
export function resolvedOrReported<T, N extends string>(
  report: ((error: InvalidInputError, name: N) => void) | undefined,
  name: N,
  resolveIt: () => T,
  fallback: T,
): T {
  if (report === undefined) return resolveIt();
  try {
    return resolveIt();
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    report(error, name);
    return fallback;
  }
}

/**
 * A settings file (the user config file, a project `vc.json`, or the
 * `"vc"` block of a `deno.json` / `deno.jsonc`) cannot be read, is not valid
 * JSON, or holds an invalid setting. `path` names the file; the message says
 * what is wrong (with the line and column where the JSON parser gives them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigFileError, InvalidInputError } from "./errors.ts";
 * const e = new ConfigFileError("invalid JSON in config file /c.json at line 1, column 2", "/c.json");
 * assert(e instanceof InvalidInputError && e.path === "/c.json");
 * ```
 */
export class ConfigFileError extends InvalidInputError {
  /** The settings file at fault. */
  readonly path: string;
  /** Creates the error for the settings file `path`. */
  constructor(message: string, path: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/**
 * A local file name that is not valid UTF-8 (Deno reads it with U+FFFD): it
 * cannot be a key. No key comes from it, so a mirror that skips it still
 * deletes what has no source (the objects at the name as read are kept).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidInputError, NotUtf8NameError } from "./errors.ts";
 * assert(new NotUtf8NameError("caf\uFFFD.txt: not UTF-8") instanceof InvalidInputError);
 * ```
 */
export class NotUtf8NameError extends InvalidInputError {}

/**
 * A directory store (`file://`) cannot hold a key and keys below it at once
 * (`a` and `a/b`): the key written has another in its way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidInputError, KeyConflictError } from "./errors.ts";
 * assert(new KeyConflictError("a is an object") instanceof InvalidInputError);
 * ```
 */
export class KeyConflictError extends InvalidInputError {}

/**
 * The store answered with an error vc does not map to a more specific class
 * (e.g. repeated 5xx after retries). `status` is the HTTP status when known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StoreError } from "./errors.ts";
 * const e = new StoreError("GET s3://b/k failed: 500", { status: 500 });
 * assert(e.status === 500);
 * ```
 */
export class StoreError extends VcError {
  /** HTTP status of the last failed response, when there was one. */
  readonly status: number | undefined;
  /** Creates the error with an optional HTTP status and cause. */
  constructor(message: string, options?: ErrorOptions & { status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}

/**
 * The object is archived (S3's 403 `InvalidObjectState`: a lifecycle rule
 * moved it to Glacier or Deep Archive): listed and HEADed, but no read
 * works until it is restored, however often it is tried.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ObjectArchivedError, StoreError } from "./errors.ts";
 * assert(new ObjectArchivedError("GET s3://b/k: archived", { status: 403 }) instanceof StoreError);
 * ```
 */
export class ObjectArchivedError extends StoreError {}

/**
 * The messages of an error and its causes, joined: fetch's own message is a
 * bare "fetch failed", and what went wrong is in its `cause`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { causeChain } from "./errors.ts";
 * const e = new TypeError("fetch failed", { cause: new Error("Connection refused") });
 * assert.equal(causeChain(e), "fetch failed: Connection refused");
 * ```
 */
export function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (const e of causes(error)) {
    const text = e instanceof Error ? e.message : String(e);
    if (text !== "" && !parts.some((p) => p.includes(text))) parts.push(text);
  }
  return parts.join(": ");
}

/**
 * The kinds of failure `errorKind` names, the `errorName` of a failure in
 * `vc prefill --json` and `vc sync --json` (and the library's
 * `PrefillFailure`) and the `kind` of a failed command's JSON error
 * document: one of these, whatever the error's own class.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ERROR_KINDS, errorKind, KeyConflictError } from "./errors.ts";
 * assert(ERROR_KINDS.includes(errorKind(new KeyConflictError("a is an object"))));
 * assert.equal(ERROR_KINDS.at(-1), "VcError");
 * ```
 */
export const ERROR_KINDS = [
  "NotFoundError",
  "IntegrityError",
  "AccessDeniedError",
  "OfflineError",
  "StoreError",
  "InvalidInputError",
  "PreconditionFailedError",
  "VcError",
] as const;

/** One of {@linkcode ERROR_KINDS}. */
export type ErrorKind = typeof ERROR_KINDS[number];

/**
 * What kind of failure `error` is, as a script tells them apart: a vc error
 * class's name, its documented base for a subclass (`IsDirectoryError` is a
 * `NotFoundError`, `KeyConflictError` an `InvalidInputError`);
 * `AccessDeniedError` for a permission problem also when the file system
 * refused (a cache dir or file that cannot be written or read, found in the
 * error or its causes); `VcError` for anything else (a full disk, an
 * unexpected error).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorKind, IsDirectoryError, VcError } from "./errors.ts";
 * assert.equal(errorKind(new IsDirectoryError("d is a directory")), "NotFoundError");
 * assert.equal(errorKind(new Deno.errors.PermissionDenied("Permission denied")), "AccessDeniedError");
 * const wrapped = new VcError("cannot write to the cache dir", {
 *   cause: new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
 * });
 * assert.equal(errorKind(wrapped), "AccessDeniedError");
 * assert.equal(errorKind(new TypeError("x is undefined")), "VcError");
 * ```
 */
export function errorKind(error: unknown): ErrorKind {
  const kinds: ReadonlyArray<[new (...args: never[]) => Error, ErrorKind]> = [
    [NotFoundError, "NotFoundError"],
    [IntegrityError, "IntegrityError"],
    [AccessDeniedError, "AccessDeniedError"],
    [OfflineError, "OfflineError"],
    [StoreError, "StoreError"],
    [InvalidInputError, "InvalidInputError"],
    [PreconditionFailedError, "PreconditionFailedError"],
  ];
  for (const e of causes(error)) {
    for (const [cls, kind] of kinds) if (e instanceof cls) return kind;
    if (deniedByFileSystem(e)) return "AccessDeniedError";
  }
  return "VcError";
}

// A refusal by the file system: EACCES, EPERM, EROFS, or Deno's permission
// errors (as the cache's `isPermissionError` tells them).
function deniedByFileSystem(e: unknown): boolean {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable ||
    code === "EROFS" || code === "EACCES" || code === "EPERM" ||
    /read-only file system|permission denied/i.test(
      e instanceof Error ? e.message : "",
    );
}

/**
 * A small object's bytes that do not match its MD5 ETag: damaged on the way
 * (a proxy, a flaky link), since a store computes the ETag of what it holds.
 * A `StoreError`, as the answer is wrong; a caller may read the object again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmallObjectDamagedError, StoreError } from "./errors.ts";
 * assert(new SmallObjectDamagedError("s3://b/k: damaged") instanceof StoreError);
 * ```
 */
export class SmallObjectDamagedError extends StoreError {}

/**
 * A callback the caller passed (`mirror`'s `onAction` or `onProgress`, ...)
 * threw: the operation stopped there, and rejects with this error, naming
 * the callback, with what it threw as `cause`. Never counted as a failure of
 * the file or item the callback was told about: the file was fine, the
 * caller's code was not, and the same call would fail on every item.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallbackError, VcError } from "./errors.ts";
 * const boom = new Error("boom");
 * const e = new CallbackError("onAction", boom);
 * assert(e instanceof VcError);
 * assert.equal(e.cause, boom);
 * assert.equal(e.callback, "onAction");
 * ```
 */
export class CallbackError extends VcError {
  /** The option the callback was passed as (`onAction`). */
  readonly callback: string;
  /** Wraps `thrown`, what the callback `callback` threw. */
  constructor(callback: string, thrown: unknown) {
    const text = thrown instanceof Error ? thrown.message : String(thrown);
    super(`the ${callback} callback threw: ${text}; the operation stopped there`, {
      cause: thrown,
    });
    this.callback = callback;
  }
}

/**
 * What a Deno permission refusal (`NotCapable`) denied within `dir`: its
 * access (`read` or `write`) when the path it names is `dir`, below it, or a
 * directory above it (made or looked at on the way); undefined otherwise, or
 * under `/dev`, `/proc` and `/sys`, which only `--allow-all` opens. For the
 * messages that name the directory to allow, not Deno's path of one file in
 * it (a temp file's, which allowing would not help).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deniedWithin } from "./errors.ts";
 * const e = new Deno.errors.NotCapable('Requires write access to "/srv/c/.a.vc-tmp-1", run again with the --allow-write flag');
 * assert.equal(deniedWithin(e, "/srv/c/"), "write");
 * assert.equal(deniedWithin(e, "/srv/other"), undefined);
 * const relative = new Deno.errors.NotCapable('Requires write access to ".a.vc-tmp-1", run again with the --allow-write flag');
 * assert.equal(deniedWithin(relative, "."), "write");
 * ```
 */
export function deniedWithin(e: unknown, dir: string): "read" | "write" | undefined {
  if (!(e instanceof Deno.errors.NotCapable)) return undefined;
  const denied = /Requires (read|write) access to "([^"]*)"/.exec(e.message);
  if (denied === null || /--allow-all\b/.test(e.message)) return undefined;
  // Deno names the path as vc gave it, maybe relative (a temp file beside
  // the destination `a.txt` is `.a.txt.vc-tmp-…`, in the directory "."):
  // both compared resolved.
  const top = absolute(dir).replace(/[\\/]+$/, "");
  const path = absolute(denied[2]!);
  const related = path === top || path.startsWith(top) && /^[\\/]/.test(path.slice(top.length)) ||
    top.startsWith(path) && /^[\\/]/.test(top.slice(path.length));
  return related ? denied[1] as "read" | "write" : undefined;
}

// `path` resolved against the working directory, or as it is when that is gone.
function absolute(path: string): string {
  try {
    return resolve(path);
  } catch {
    return path;
  }
}

/**
 * Deno's refusal (`NotCapable`) of access to `path` (a file or directory of
 * the user's: a manifest, a file to publish, a DEST) or to a path in it,
 * below it or above it, as an `AccessDeniedError` saying `what` failed,
 * naming `path` and the flags to run with; undefined for any other error.
 * Deno's own words named the flag without a path, and often a file of
 * vc's (a lock or temp file beside it) that allowing would not help.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AccessDeniedError, asAccessDenied } from "./errors.ts";
 * const e = new Deno.errors.NotCapable('Requires write access to "/d/.a.vc-tmp-1", run again with the --allow-write flag');
 * const denied = asAccessDenied(e, "cannot write /d/a", "/d");
 * assert(denied instanceof AccessDeniedError);
 * assert(denied.message.endsWith("run with --allow-read=/d --allow-write=/d"));
 * assert.equal(asAccessDenied(e, "cannot write /e/a", "/e"), undefined);
 * ```
 */
export function asAccessDenied(
  e: unknown,
  what: string,
  path: string,
): AccessDeniedError | undefined {
  const access = deniedWithin(e, path);
  if (access === undefined) return undefined;
  return new AccessDeniedError(
    `${what}: this script may not ${access} ${path} (${(e as Error).message}); run with ` +
      `--allow-read=${path}${access === "write" ? ` --allow-write=${path}` : ""}`,
    { cause: e },
  );
}
