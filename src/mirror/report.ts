/**
 * Mirror reports: how failures are described. Every failure entry is made
 * by {@linkcode failure}, the one place an error becomes a line about a
 * path: the path is the line's subject (the command line prints
 * `PATH: ERROR`), so the error's own text never names it again.
 *
 * @module
 */
import { isTempName } from "../atomic_write.ts";
import {
  CallbackError,
  errorKind,
  InvalidInputError,
  isMissingKey,
  KeyConflictError,
  ObjectArchivedError,
  OfflineError,
  StoreError,
  VcError,
} from "../errors.ts";
import { basename } from "../path.ts";
import { printable } from "../printable.ts";
import { fsPlatform } from "../fs_platform.ts";
import { isSharingViolation } from "../replace_file.ts";
import { isFileTooLargeError } from "../file_size_limit.ts";
import { isNoSpaceError } from "../no_space.ts";
import { isReadOnlyFs } from "../read_only_fs.ts";
import { formatBytes } from "../progress.ts";
import type { MirrorFailure, MirrorReport } from "./types.ts";
import { keptPartialsSaid } from "../kept_partial_words.ts";

/** What a mirror's failure to write a local file on a read-only mount says to do. */
export const READ_ONLY_MOUNT =
  "its file system is mounted read-only; remount it read-write, or mirror into a directory on a writable disk";

// Why either can happen with nothing else writing the target: a bucket (aws
// s3 cp and rclone write such keys) can hold "a" and "a/b" at once.
const BOTH_KEYS = '(a bucket may hold keys "a" and "a/b" at once, a file system cannot)';

/** What to do about a failure that a later run gets past by itself. */
const NEXT_RUN = "the next run tries it again";

/**
 * A failure entry for `path` (a local path or a store URI) and its `key`
 * (when known). `error` is an error, or vc's own reason as a string. The
 * text says what failed and, where it helps, what to do ("vanished", "in the
 * way", a store's transient error tried again by the next run), on one line
 * and without naming `path` again: an error of a lower layer names what it
 * was about (`DELETE s3://b/k failed: …`, Deno's `… (os error 2): open
 * '/x/a'`), which here is the entry's own subject.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failure } from "./report.ts";
 * const f = failure("a", "/x/a", new Deno.errors.NotFound("No such file or directory (os error 2): open '/x/a'"));
 * assert.equal(f.error, "vanished: No such file or directory (os error 2); the next run mirrors what is there then");
 * const d = failure("a/b", "/x/a/b", new Deno.errors.NotADirectory("Not a directory"));
 * assert(d.error.startsWith("in the way: a file is where one of its directories belongs"));
 * const s = failure("k", "s3://b/k", new Error("DELETE s3://b/k failed: 500 InternalError"));
 * assert.equal(s.error, "DELETE failed: 500 InternalError");
 * assert.equal(failure(undefined, "/x/a", "/x/a changed").error, "changed");
 * ```
 *
 * Throws `error` when it is a {@linkcode CallbackError}: the caller's
 * callback threw, which is no failure of the file (it would be the same for
 * every file), and stops the run. Every catch site that counts a failure
 * comes through here, so none of them counts one by mistake.
 */
export function failure(key: string | undefined, path: string, error: unknown): MirrorFailure {
  if (error instanceof CallbackError) throw error;
  // The key and path may hold a newline (a file name may): the message's
  // first line must not end inside them, or the cause is cut off.
  const names = key === undefined ? [path] : [key, path];
  let text = withoutSubject(typeof error === "string" ? error : message(error, names), path);
  // A VcError's message shows the path escaped (`a\x1bb`), as it prints.
  const shown = printable(path);
  if (shown !== path) text = withoutSubject(text, shown);
  if (error instanceof Deno.errors.NotFound) {
    text = `vanished: ${text}; the next run mirrors what is there then`;
  } else if (/another program has it open|it is read-only/.test(text)) {
    // vc's own words for a file held open or read-only on Windows (a
    // replace or remove refused): they say what to do; no access to grant.
  } else if (fsPlatform.mandatoryLocks && isSharingViolation(error)) {
    // Windows: a file another program holds open without sharing it (a
    // database or mail store in its program): passing, once it is closed.
    text = `in use: another program has it open (Windows refuses it while it does): ${text}; ` +
      "close it and the next run mirrors it, or leave it out with --exclude";
  } else if (!(error instanceof VcError) && isReadOnlyFs(error)) {
    // A read-only mount (a volume mounted `:ro`) refuses every file the
    // same, root too, and no chmod mends it. The OS's `: mkdir '/t/d1'`
    // (a directory's name) is left out: it kept a line for each directory.
    text = `${text.replace(/: [a-z_]+ '[^']*'(?: -> '[^']*')?$/, "")}: ${READ_ONLY_MOUNT}`;
  } else if (error instanceof Deno.errors.PermissionDenied) {
    text = `no access: ${text}; give the user vc runs access to it, or leave it out with --exclude`;
  } else if (error instanceof Deno.errors.NotADirectory) {
    text = `in the way: a file is where one of its directories belongs ${BOTH_KEYS}: ${text}; ` +
      "rename or remove one of the two";
  } else if (error instanceof Deno.errors.IsADirectory) {
    text = `in the way: a directory with files is where this file goes ${BOTH_KEYS}: ${text}; ` +
      "rename or remove one of the two";
  } else if (pathTooLong(error)) {
    // A tree deeper than the system opens (made with relative paths): no
    // run gets past it, and while it fails a --delete deletes nothing.
    text = `path too long for the system to open (4096 bytes on Linux, 1024 on macOS): ${text}; ` +
      "leave it out with --exclude, or shorten the names above it";
  } else if (transient(error)) {
    text = `${text}; ${NEXT_RUN}`;
  }
  // A message of vc's own (a clash, a link in the way) is said as a VcError.
  const errorName = typeof error === "string" ? "VcError" : errorKind(error);
  const entry: MirrorFailure = key === undefined
    ? { path, error: text, errorName }
    : { key, path, error: text, errorName };
  if (pathTooLong(error)) entry.untilChanged = true;
  // Refused for what it is (its key too long for the store, a name the
  // store cannot hold): the same again at every try until it changes.
  if (error instanceof InvalidInputError && !(error instanceof KeyConflictError)) {
    entry.untilChanged = true;
    // No run gets past it: say the way out, unless the error says one.
    if (!text.includes("--exclude")) entry.error = `${text}; leave it out with --exclude`;
  }
  // Archived: every pass fails it the same until it is restored (a pass
  // still tries it, as a restore makes it readable), so a watch says it once.
  if (error instanceof ObjectArchivedError) entry.untilChanged = true;
  return entry;
}

/** An error of the system refusing a path longer than it opens (`ENAMETOOLONG`). */
function pathTooLong(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "ENAMETOOLONG";
}

/**
 * The message of an error as one line (its first: a message of Deno's or a
 * library's may go on with hints and a trace), or the value as text; never
 * `[object Object]`. A newline inside one of `names` (a key or path the
 * message quotes) does not end the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { message } from "./report.ts";
 * assert.equal(message(new Error("x")), "x");
 * assert.equal(message(new Error("first\n    at f (file:///a.ts:1:1)")), "first");
 * assert.equal(message(new Error("PUT s3://b/a\nb failed: 500"), ["a\nb"]), "PUT s3://b/a\nb failed: 500");
 * assert.equal(message({ code: 7 }), '{"code":7}');
 * ```
 */
export function message(error: unknown, names: readonly string[] = []): string {
  if (error instanceof Error) {
    return firstLine(error.message, names).trim() || error.name;
  }
  if (typeof error === "object" && error !== null) {
    try {
      const json = JSON.stringify(error);
      if (json !== undefined && json !== "{}") return json;
    } catch {
      // A cycle: its class is all there is to say.
    }
    return error.constructor?.name ?? "unknown error";
  }
  return String(error);
}

/** How many of a batch's held-back reasons {@linkcode heldBack} names. */
export const HELD_NAMED = 3;

/**
 * The `deletesSkipped` text of a batch whose paths in `held` (each a reason,
 * `PATH could not be mirrored`) held back their deletes. It names the first
 * {@linkcode HELD_NAMED} and counts the rest: every one is already a
 * failure entry of the report (stderr shows the first 20 of them), and a
 * batch of thousands of paths with the store down made this one line list
 * them all again (66 kB for 2,000 files, printed at every retry).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heldBack } from "./report.ts";
 * assert.equal(heldBack(["/a could not be mirrored"]), "/a could not be mirrored; nothing was deleted for that path");
 * const many = ["/a", "/b", "/c", "/d", "/e"].map((p) => `${p} could not be mirrored`);
 * assert.equal(
 *   heldBack(many),
 *   "/a could not be mirrored; /b could not be mirrored; /c could not be mirrored; and 2 more paths could not be mirrored; nothing was deleted for those paths",
 * );
 * ```
 */
export function heldBack(held: readonly string[]): string {
  const reasons = [...new Set(held)];
  const named = reasons.slice(0, HELD_NAMED);
  const more = reasons.length - named.length;
  if (more > 0) {
    named.push(`and ${more} more ${more === 1 ? "path" : "paths"} could not be mirrored`);
  }
  return `${named.join("; ")}; nothing was deleted for ${
    reasons.length === 1 ? "that path" : "those paths"
  }`;
}

/** `text` up to its first newline that is not inside an occurrence of one of `names`. */
function firstLine(text: string, names: readonly string[]): string {
  const spans: [number, number][] = [];
  for (const name of names) {
    if (!name.includes("\n")) continue;
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      spans.push([at, at + name.length]);
    }
  }
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", nl + 1)) {
    if (!spans.some(([from, to]) => from <= nl && nl < to)) return text.slice(0, nl);
  }
  return text;
}

/**
 * Whether a failure entry (made by {@linkcode failure}) is a store's
 * transient one (the store down, a 5xx, throttling), not the file's own
 * (unreadable, vanished, refused): a watch tries those again as soon as the
 * store answers again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OfflineError } from "../errors.ts";
 * import { failure, storeTransient } from "./report.ts";
 * assert(storeTransient(failure("k", "/x/k", new OfflineError("cannot reach the store"))));
 * assert(!storeTransient(failure("k", "/x/k", new Deno.errors.PermissionDenied("Permission denied"))));
 * ```
 */
export function storeTransient(entry: MirrorFailure): boolean {
  return entry.error.endsWith(`; ${NEXT_RUN}`);
}

/** A store error a later attempt may not meet: the store down, a 5xx, throttling. */
function transient(error: unknown): boolean {
  if (error instanceof OfflineError) return true;
  if (error instanceof StoreError) return error.status === undefined || error.status >= 500;
  return error instanceof Deno.errors.ConnectionRefused ||
    error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.TimedOut;
}

/**
 * `text` without the mentions of `path` that only repeat the entry's
 * subject: a leading `PATH` (`/x/a changed while …`), a store operation's
 * `OP PATH` (`DELETE s3://b/k failed: …` → `DELETE failed: …`), and the
 * `: open '/x/a'` (or `: rename '/x/.a.vc-tmp-…' -> '/x/a'`) Deno puts after
 * a system error when it names that path or vc's temp file for it, and a
 * download's `downloading to /x/a`. A path the text names that is something
 * else (a link, a directory above) stays.
 */
function withoutSubject(text: string, path: string): string {
  if (path === "") return text;
  // A download's own words about where it wrote (`(200000 bytes,
  // downloading to /x/a)`, `… while downloading to /x/a: …`).
  text = text.replaceAll(`, downloading to ${path})`, ")")
    .replaceAll(` (downloading to ${path})`, "")
    .replaceAll(` while downloading to ${path}`, "");
  if (text.startsWith(path)) {
    const rest = text.slice(path.length);
    const after = /^:?\s+/.exec(rest);
    if (after !== null) return rest.slice(after[0].length);
  }
  const op = /^([A-Z]+) /.exec(text);
  if (op !== null && text.startsWith(path, op[0].length)) {
    const rest = text.slice(op[0].length + path.length);
    if (rest === "" || /^[:\s]/.test(rest)) return op[1] + rest;
  }
  const system = systemDetail(text, path);
  return system === undefined ? text : text.slice(0, system);
}

/**
 * Where Deno's `: OP 'NAME'` (or `: OP 'FROM' -> 'TO'`) at the end of `text`
 * starts, when every name in it is `path` or vc's temp file for it. Names
 * are quoted as they are, so a name may hold `'` (`it's.txt`) or even
 * `' -> '`: each way of reading the detail is tried.
 */
function systemDetail(text: string, path: string): number | undefined {
  if (!text.endsWith("'")) return undefined;
  const ours = (name: string) => name === path || isTempName(basename(name));
  for (const op of text.matchAll(/: [a-z_]+ '/g)) {
    const quoted = text.slice(op.index + op[0].length, -1);
    if (ours(quoted)) return op.index;
    for (
      let arrow = quoted.indexOf("' -> '");
      arrow >= 0;
      arrow = quoted.indexOf("' -> '", arrow + 1)
    ) {
      if (ours(quoted.slice(0, arrow)) && ours(quoted.slice(arrow + 6))) return op.index;
    }
  }
  return undefined;
}

/**
 * What `mirror()` (and `Mirror.run`) throws when its `signal` stopped it:
 * its `cause` is the abort, its `report` what was really done before
 * (`interrupted: true`, the aborted transfers as `cutShort`, not counted as
 * done), and its message says so in one line, so an interrupted run never
 * ends with only "interrupted" after hours of uploads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MirrorInterruptedError } from "./report.ts";
 * const report = {
 *   direction: "upload" as const, sources: ["/d"], target: "s3://b", dryRun: false,
 *   transferred: 6, bytes: 12_000_000, deleted: 0, deletedKeys: [], unchanged: 2, extra: 0,
 *   hashed: 7, heads: 0, failed: [], deferred: [], seconds: 3, interrupted: true,
 *   cutShort: ["big.bin"],
 * };
 * const e = new MirrorInterruptedError(report, new DOMException("interrupted", "AbortError"));
 * assert.match(e.message, /^mirror interrupted: 6 uploaded \(12\.0 MB\), 0 deleted, 2 unchanged, 1 cut short \(big\.bin;/);
 * ```
 */
export class MirrorInterruptedError extends VcError {
  /** What the run did before it was stopped. */
  readonly report: MirrorReport;
  /** The error of a run stopped by its signal, `cause` the abort, `report` what it did. */
  constructor(report: MirrorReport, cause: unknown) {
    super(interruptedLine(report), { cause });
    this.name = "MirrorInterruptedError";
    this.report = report;
  }
}

/** How many names of the transfers cut short the interrupted line shows. */
const CUT_NAMED = 3;

function interruptedLine(r: MirrorReport): string {
  const verb = r.direction === "upload" ? "uploaded" : "downloaded";
  const cut = r.cutShort ?? [];
  // Named as the keys cut short are (their JSON string's inside).
  const kept = keptPartialsSaid(
    (r.keptPartials ?? []).map((k) => ({ ...k, name: JSON.stringify(k.key).slice(1, -1) })),
  );
  const named = cut.slice(0, CUT_NAMED).map((k) => JSON.stringify(k).slice(1, -1));
  if (cut.length > named.length) named.push(`and ${cut.length - named.length} more`);
  return [
    `mirror interrupted: ${r.transferred} ${verb} (${formatBytes(r.bytes)})`,
    `${r.deleted} deleted`,
    `${r.unchanged} unchanged`,
    ...(r.failed.length > 0 ? [`${r.failed.length} failed`] : []),
    ...(cut.length > 0
      ? [
        `${cut.length} cut short (${named.join(", ")}; no half-written file is left under its name${
          kept === "" ? "" : `; ${kept}`
        })`,
      ]
      : []),
    `${r.seconds.toFixed(1)}s; the rest was not mirrored${
      r.deleted === 0 ? " and nothing was deleted" : ""
    }: run it again to finish`,
  ].join(", ");
}

/**
 * The failure text of a download whose object is gone from the store since
 * it was listed, or that could not be written for want of room (the
 * target's disk full, or past the file-size limit), naming the object, what
 * stopped it, that a file already there is kept, and what to do; undefined
 * for any other error. The bare texts (`File too large (os error 27)` under
 * the local path, an FsStore's `k not found in …`) named no object or no
 * limit, and left open whether the file there was damaged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downloadFailure } from "./report.ts";
 * const big = new Error("File too large (os error 27)");
 * assert(downloadFailure(big, "s3://b/x", "/d/x")!.includes("ulimit -f"));
 * assert.equal(downloadFailure(new Error("boom"), "s3://b/x", "/d/x"), undefined);
 * ```
 */
export function downloadFailure(
  error: unknown,
  uri: string,
  dest: string,
): string | undefined {
  const kept = "nothing partial was kept, and a file already there is as it was";
  if (isMissingKey(error)) {
    return `not written: ${uri} is gone from the store since it was listed (${message(error)}); ` +
      `a file already there is kept, and the next run mirrors what is there then`;
  }
  if (isNoSpaceError(error)) {
    return `not written: no space left on the device of ${dest} while downloading ${uri} ` +
      `(${message(error)}); ${kept}: free space on that disk, and the next run downloads it`;
  }
  if (isFileTooLargeError(error)) {
    return `not written: ${uri} is past this process's file-size limit (ulimit -f, ` +
      `RLIMIT_FSIZE) or the largest file the file system of ${dest} holds (4 GiB on FAT32) ` +
      `(${message(error)}); ${kept}: raise the limit (ulimit -f unlimited), or leave it out ` +
      `with --exclude`;
  }
  return undefined;
}
