/**
 * How the command line reports failures: one clear line per error, the stack
 * only with `--verbose`, and an exit code (2 for usage errors, 1 otherwise).
 *
 * @module
 */
import { printable, withLongInputsCut } from "../printable.ts";
import { causes } from "../causes.ts";
import { type ErrorKind, errorKind, InvalidInputError, VcError } from "../errors.ts";
import { LIST_GIVEN_MANIFEST, NO_MANIFEST, OUT_OF_FILES } from "../prefill/setting_words.ts";
import { COMMAND_WORDS, commandWords } from "../command_words.ts";

/** Exit code of a successful command. */
export const EXIT_OK = 0;
/** Exit code of a command that ran and failed (missing object, bad manifest, ...). */
export const EXIT_FAILURE = 1;
/** Exit code of a command line that could not be understood. */
export const EXIT_USAGE = 2;
/** Exit code after an interrupt (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * The command line itself is wrong: unknown command or flag, missing argument,
 * malformed value. `hint` is a follow-up line such as "did you mean --bucket?".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./errors.ts";
 * const e = new UsageError("unknown command \"ad\"", { hint: "did you mean \"add\"?" });
 * assert(e.hint === "did you mean \"add\"?");
 * ```
 */
export class UsageError extends Error {
  /** A suggestion shown under the message, when there is one. */
  readonly hint: string | undefined;
  /** The command whose usage was wrong, so `--help` can be suggested for it. */
  readonly command: string | undefined;
  /** Creates the error. */
  constructor(message: string, options: { hint?: string; command?: string } = {}) {
    super(message);
    this.name = "UsageError";
    this.hint = options.hint;
    this.command = options.command;
  }
}

/**
 * `parse()`, with the library's verdict on a flag's value (an
 * `InvalidInputError`) turned into a usage error naming the flag: the
 * command line is what was wrong, so it exits 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagValue, UsageError } from "./errors.ts";
 * import { InvalidInputError } from "../errors.ts";
 * assert.throws(
 *   () => flagValue("--x", () => { throw new InvalidInputError("bad"); }),
 *   (e) => e instanceof UsageError && e.message === "--x: bad",
 * );
 * assert.equal(flagValue("--x", () => 1), 1);
 * ```
 */
export function flagValue<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof InvalidInputError) {
      throw new UsageError(e.message.includes(flag) ? e.message : `${flag}: ${e.message}`);
    }
    throw e;
  }
}

/**
 * The reverse of {@linkcode flagValue}: a value read from the environment
 * (`VC_MANIFEST`, `VC_LOCK`) that a command-line check refuses (a URI, a
 * blank path, a `~` with HOME unset) is the environment's fault, a failure
 * (exit 1) as a malformed `VC_BUCKET` or `VC_CACHE_DIR` is, not a usage
 * error (exit 2, "Run vc CMD --help") that no command line fixes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentValue, UsageError } from "./errors.ts";
 * import { InvalidInputError } from "../errors.ts";
 * assert.throws(
 *   () => environmentValue(() => { throw new UsageError("VC_LOCK is empty", { hint: "give one" }); }),
 *   (e) => e instanceof InvalidInputError && e.message === "VC_LOCK is empty (give one)",
 * );
 * assert.equal(environmentValue(() => 1), 1);
 * ```
 */
export function environmentValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof UsageError) {
      throw new InvalidInputError(
        e.hint === undefined ? e.message : `${e.message} (${e.hint})`,
      );
    }
    throw e;
  }
}

/**
 * A whole number given to a flag (`--concurrency 16`, `--limit 5`,
 * `--port 8080`): from `min` (default 1) to `max` (default 1024; up to
 * 2^53 − 1), else a `UsageError` naming the flag, the value and the command.
 * Every such flag is read here, one way: digits only, as typed (no spaces at
 * an end, no sign, no `1e3`, `0x10` or `5.0`, which `Number()` would take).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countFlag, UsageError } from "./errors.ts";
 * assert.equal(countFlag("16", "--concurrency", "mirror"), 16);
 * assert.throws(() => countFlag("0", "--concurrency", "mirror"), UsageError);
 * assert.throws(() => countFlag("1.5", "--concurrency", "mirror"), /from 1 to 1024, got "1.5"/);
 * assert.throws(() => countFlag(" 5", "--limit", "repo ls", Infinity), /1 or more, got " 5"/);
 * assert.throws(() => countFlag("1".repeat(20), "--limit", "repo ls", Infinity), /from 1 to 9007199254740991/);
 * assert.equal(countFlag("0", "--max-delete", "mirror", Infinity, 0), 0);
 * ```
 */
export function countFlag(
  text: string,
  flag: string,
  command: string,
  max = 1024,
  min = 1,
): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    // A whole number too large to hold exactly is refused naming the largest
    // accepted, not as if it were no number ("1 or more" would hold for it).
    const top = Math.min(max, Number.MAX_SAFE_INTEGER);
    const range = max >= Number.MAX_SAFE_INTEGER && !(/^\d+$/.test(text) && n > top)
      ? `${min} or more`
      : `from ${min} to ${top}`;
    throw new UsageError(
      `${flag} must be a whole number ${range}, got ${JSON.stringify(text)}`,
      { command },
    );
  }
  return n;
}

/**
 * The downloads in flight of `vc prefill` and `vc mirror`: the flag
 * `--concurrency N` (a usage error when malformed), else `VC_CONCURRENCY`
 * (an `InvalidInputError` naming it when malformed, as every malformed
 * variable is; empty is unset), else `undefined` (the command's default);
 * `source` says which, as `vc config` shows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concurrencySetting } from "./errors.ts";
 * const env = (name: string) => name === "VC_CONCURRENCY" ? "32" : undefined;
 * assert.deepEqual(concurrencySetting(undefined, env, "prefill"), {
 *   value: 32,
 *   source: "env VC_CONCURRENCY",
 * });
 * assert.equal(concurrencySetting("4", env, "prefill").value, 4);
 * assert.equal(concurrencySetting(undefined, () => "", "prefill").value, undefined);
 * ```
 */
export function concurrencySetting(
  flag: string | undefined,
  env: (name: string) => string | undefined,
  command: string,
): { value: number | undefined; source: string } {
  if (flag !== undefined) {
    return { value: countFlag(flag, "--concurrency", command), source: "flag --concurrency" };
  }
  const text = env("VC_CONCURRENCY");
  if (text === undefined || text === "") return { value: undefined, source: "default" };
  // Spaces or a line break at an end (a YAML block, a CRLF .env file) are
  // dropped, as for every number variable (VC_LOCK_WAIT, AWS_MAX_ATTEMPTS);
  // a value still malformed is quoted as given.
  const read = (value: string) => countFlag(value, "VC_CONCURRENCY", command);
  return {
    value: environmentValue(() => {
      try {
        return read(text.trim());
      } catch {
        return read(text);
      }
    }),
    source: "env VC_CONCURRENCY",
  };
}

/**
 * The exit code for an error thrown by a command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCodeFor, UsageError } from "./errors.ts";
 * assert(exitCodeFor(new UsageError("x")) === 2);
 * assert(exitCodeFor(new Error("x")) === 1);
 * ```
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  // An interrupt, or an error that says what an interrupt left behind.
  if (isAbort(error) || (error instanceof Error && isAbort(error.cause))) return EXIT_INTERRUPTED;
  return EXIT_FAILURE;
}

/**
 * The `kind` of a failed command's JSON error document: one of the kinds
 * `errorName` uses in `vc prefill --json` and `vc sync --json`
 * (`ERROR_KINDS`), so a script branches on one set of names. A usage error
 * is `InvalidInputError` (the command line is the invalid input) and an
 * interrupt `VcError`; the exit code (2, 130) tells them apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandErrorKind, UsageError } from "./errors.ts";
 * import { IsDirectoryError } from "../errors.ts";
 * assert.equal(commandErrorKind(new UsageError("x")), "InvalidInputError");
 * assert.equal(commandErrorKind(new DOMException("interrupted", "AbortError")), "VcError");
 * assert.equal(commandErrorKind(new IsDirectoryError("d")), "NotFoundError");
 * ```
 */
export function commandErrorKind(error: unknown): ErrorKind {
  const code = exitCodeFor(error);
  if (code === EXIT_USAGE) return "InvalidInputError";
  if (code === EXIT_INTERRUPTED) return "VcError";
  return errorKind(error);
}

/**
 * True for the error an aborted operation throws (Ctrl-C).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAbort } from "./errors.ts";
 * const c = new AbortController();
 * c.abort();
 * assert(isAbort(c.signal.reason));
 * ```
 */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/**
 * What an interrupted command ends on, without the `vc: ` prefix: the
 * command named (`cat interrupted`), or `interrupted` before one is known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { interruptedMessage } from "./errors.ts";
 * assert.equal(interruptedMessage("cache get"), "cache get interrupted");
 * assert.equal(interruptedMessage(""), "interrupted");
 * ```
 */
export function interruptedMessage(command: string): string {
  return command === "" ? "interrupted" : `${command} interrupted`;
}

/** Options for {@linkcode formatError}. */
export interface FormatErrorOptions {
  /** Append the stack and the chain of causes. */
  verbose?: boolean;
  /** The command that ran (`cache get`), named by an interrupt's line. */
  command?: string;
}

/**
 * Whether a command line asks for stack traces: `--verbose` or `-v` among
 * its flags (before any `--`, after which they are arguments). Known before
 * parsing, so that even a usage error is reported in the form asked for;
 * the full command line and the lean `vc path` entry read it the same way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verboseRequested } from "./errors.ts";
 * assert(verboseRequested(["path", "/a.csv", "-v"]));
 * assert(verboseRequested(["--verbose", "ls"]));
 * assert(!verboseRequested(["path", "--", "-v"]));
 * ```
 */
export function verboseRequested(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  const flags = end === -1 ? args : args.slice(0, end);
  return flags.includes("--verbose") || flags.includes("-v");
}

/**
 * Renders an error for stderr: `vc: <message>` on one line, then the usage
 * hint if any, then (verbose only) the stack and causes. Ends with a newline.
 *
 * Errors vc raises on purpose (`VcError`, Deno's file-system errors) already
 * name the failing input, so their message is shown as is; anything else is a
 * bug or an unexpected condition and says so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatError } from "./errors.ts";
 * import { NotFoundError } from "../errors.ts";
 * const line = formatError(new NotFoundError("s3://b/k does not exist"));
 * assert(line === "vc: s3://b/k does not exist\n");
 * ```
 */
export function formatError(error: unknown, options: FormatErrorOptions = {}): string {
  const lines = [`vc: ${errorMessage(error, options.command)}`];
  if (error instanceof UsageError) {
    const hint = errorHint(error);
    if (hint !== undefined) lines.push(`vc: ${hint}`);
    lines.push(`Run "vc ${error.command ? error.command + " " : ""}--help" for usage.`);
  } else if (!options.verbose && !isExpected(error)) {
    lines.push("vc: run again with --verbose for details");
  }
  if (options.verbose && !(error instanceof UsageError)) {
    // Bounded walk: cause chains are short, but never trust them to end.
    let depth = 0;
    for (const current of causes(error)) {
      const text = current instanceof Error
        ? (current.stack ?? `${current.name}: ${current.message}`)
        : String(current);
      // A message can name a key: each line of the trace is shown inert.
      const inert = text.split("\n").map(printable).join("\n");
      lines.push(depth++ === 0 ? inert : `caused by: ${inert}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * The follow-up line of a usage error (`did you mean "add"?`), as stderr
 * shows it after the message and `--json`'s error document as its `hint`;
 * `undefined` when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorHint, UsageError } from "./errors.ts";
 * assert.equal(errorHint(new UsageError("unknown command", { hint: "did you mean \"add\"?" })), 'did you mean "add"?');
 * assert.equal(errorHint(new UsageError("bad")), undefined);
 * assert.equal(errorHint(new Error("x")), undefined);
 * ```
 */
export function errorHint(error: unknown): string | undefined {
  if (!(error instanceof UsageError) || error.hint === undefined) return undefined;
  return printable(withLongInputsCut(error.hint));
}

/**
 * The one-line message of an error, without the `vc: ` prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorMessage } from "./errors.ts";
 * assert(errorMessage(new TypeError("bad\nsecond line")) === "internal error: TypeError: bad");
 * assert(errorMessage(new Deno.errors.NotFound("no such file: x")) === "no such file: x");
 * // A name with a newline in an expected error's message: kept whole, inert.
 * assert(errorMessage(new Deno.errors.NotFound("a\nb missing")) === "a\\nb missing");
 * // A 20,000-character argument: its ends and its length.
 * const long = new Deno.errors.NotFound(`no file ${JSON.stringify("x".repeat(20000))}`);
 * assert(errorMessage(long) === `no file "${"x".repeat(40)}…${"x".repeat(40)}" (20000 characters)`);
 * // An OS error Deno has no class for: its reason, as is.
 * const full = new Error("No space left on device (os error 28)");
 * assert(errorMessage(full) === "No space left on device (os error 28)");
 * // One that names no limit: the two it may be.
 * assert(errorMessage(new Error("File too large (os error 27)")).includes("ulimit -f"));
 * ```
 */
export function errorMessage(error: unknown, command?: string): string {
  // Cut before made printable: a length counts the characters given, not escapes.
  return printable(withLongInputsCut(rawErrorMessage(error, command)));
}

/**
 * `message` with Deno's advice to "run again with the --allow-all flag",
 * which the vc binary's user cannot follow (its permissions are fixed when
 * it is built), replaced by why: vc does not open files under /dev, /proc or
 * /sys. For messages the library kept as text (a prefill's failures).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutAllowAllAdvice } from "./errors.ts";
 * const text = withoutAllowAllAdvice('Requires read access to "/dev/shm/x", run again with the --allow-all flag');
 * assert(!text.includes("--allow-all") && text.includes("vc does not open files under /dev"));
 * ```
 */
export function withoutAllowAllAdvice(message: string): string {
  return message.replace(
    /,? run again with the --allow-all flag/,
    ": vc does not open files under /dev, /proc or /sys (/dev/shm included); use a path " +
      "elsewhere (a regular directory, or a tmpfs mounted outside /dev)",
  );
}

// The library's options that its messages name, and the flags that set them
// on the command line: a `vc` user is told of the flag (and the variable,
// where vc reads one the library does not). A library's words are said once,
// where the library says them (prefill's, in setting_words.ts).
const OPTION_FLAGS: readonly (readonly [string, string])[] = [
  ["the cacheDir option", "--cache-dir"],
  ["the sourcePrefix option", "--source-prefix"],
  ["the statePath option", "--state"],
  // A team's bucket is often a project file's (vc.json, deno.json's "vc"
  // block), which a newcomer told of the flag and variable alone never set.
  ["the bucket option", `--bucket, VC_BUCKET or a project file's "bucket" (vc config shows which)`],
  ["the manifest option", "--manifest"],
  ["the major option", "--major"],
  ["the patch option", "--patch"],
  ["the version option", "--version"],
  ["the force option", "--force"],
  ["the hash option", "--hash"],
  ["the graceMs option", "--grace"],
  ["the frozen option", "--frozen"],
  ["the lock option", "--lock"],
  ["the any option", "--any"],
  ["the all option", "--all"],
  ["the exclude option", "--exclude"],
  ["the minor option", "--minor"],
  ["the catalog option", "--catalog"],
  ["the url option", "--url (VC_CACHE_URL)"],
  ["the timeoutMs option, in ms", "--request-timeout or VC_REQUEST_TIMEOUT, in seconds"],
  ["the maxDownloadBytes option", "--max-bytes"],
  [LIST_GIVEN_MANIFEST.option, LIST_GIVEN_MANIFEST.flag],
  [NO_MANIFEST.option, NO_MANIFEST.flag],
  [OUT_OF_FILES.option, OUT_OF_FILES.flag],
  // The steps the library advises (`checkLock()`), as the commands that do them.
  ...COMMAND_WORDS.map(({ library, command }) => [library, command] as const),
];

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Each option's words as the library says them, not inside a path or a
// word: where the words begin (end) with a letter, they stand after (before)
// a space, a parenthesis or the message's start (a punctuation mark, its end).
// Built when a message is first rewritten: ~0.5 ms of CPU in a fresh
// process, which a warm `vc path` (no message) does not spend.
let optionWords: Map<string, RegExp> | undefined;
const optionWordsOf = (): Map<string, RegExp> =>
  optionWords ??= new Map(
    OPTION_FLAGS.map(([option]) => [
      option,
      new RegExp(
        (/^\w/.test(option) ? "(?<=^|[\\s(])" : "") + escaped(option) +
          (/[\w`]$/.test(option) ? "(?=$|[\\s),;:?]|\\.(?:\\s|$))" : ""),
        "g",
      ),
    ]),
  );

/**
 * `message` with the library's options it names (`the cacheDir option`)
 * said as the flags that set them (`--cache-dir`), and the calls it advises
 * (`checkLock()`) as the commands that do them (`vc lock --check`, see
 * src/command_words.ts): a script calling the library is told of its option
 * and call, a `vc` user of the flag and command. For thrown
 * errors and messages the library kept as text (a prefill's failures, a
 * mirror's warnings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withFlagNames } from "./errors.ts";
 * assert.equal(
 *   withFlagNames("set the cacheDir option / VC_CACHE_DIR to a larger disk"),
 *   "set --cache-dir / VC_CACHE_DIR to a larger disk",
 * );
 * assert.equal(
 *   withFlagNames("(check the bucket option)"),
 *   `(check --bucket, VC_BUCKET or a project file's "bucket" (vc config shows which))`,
 * );
 * assert.equal(withFlagNames("s3://b/the bucket option/k"), "s3://b/the bucket option/k");
 * ```
 */
export function withFlagNames(message: string): string {
  let out = message;
  const patterns = optionWordsOf();
  for (const [option, flag] of OPTION_FLAGS) {
    // The library's own words stand apart (after a space or a parenthesis):
    // the same words inside a name the message quotes or a path it names
    // (`/data/the cacheDir option/c`) are the user's, left as they are.
    // Looked for only in a message naming the option: a prefill's thousands
    // of failures name none, and ~40 scans each took seconds.
    const before = out;
    let inputs: [number, number][] | undefined;
    out = out.replace(patterns.get(option)!, (words, at: number) => {
      inputs ??= userInputSpans(before);
      return inputs.some(([from, to]) => from < at && at + words.length < to) ? words : flag;
    });
  }
  return commandWords(out);
}

// Where a message quotes a name (`"key"` as JSON.stringify writes it, or
// `a command` in backticks) or names a path or URI: from its first word
// to the last word with a slash before the clause ends (`;`, `(`, `)`, `: `,
// `, `), so that a directory named with spaces is one span. A name written
// bare, with a space and no slash after it (`s3://b/x the bucket option`),
// cannot be told from the message's words; the library quotes such names.
const QUOTED = /"(?:[^"\\\n]|\\.)*"|`[^`\n]*`/g;
const PATH_START = /(?<=^|[\s(])(?:\/|~\/|\.\.?\/|[a-z][a-z0-9+.-]*:\/\/|[A-Za-z]:[\\/])(?=\S)/gi;
const STARTS_PATH = new RegExp(`^${PATH_START.source.replace("(?<=^|[\\s(])", "")}`, "i");
const CLAUSE_END = /[;()]|[:,](?:\s|$)/;

function userInputSpans(message: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const m of message.matchAll(QUOTED)) spans.push([m.index, m.index + m[0].length]);
  for (const m of message.matchAll(PATH_START)) {
    const rest = message.slice(m.index);
    const clause = rest.search(CLAUSE_END);
    const window = clause === -1 ? rest : rest.slice(0, clause);
    // The first word, and every word up to the last one that goes on with a
    // slash (`y/f`), not past a word that starts another path.
    const first = window.search(/\s|$/);
    let end = first;
    for (const word of window.slice(first).matchAll(/\S+/g)) {
      if (STARTS_PATH.test(word[0])) break;
      if (/[\\/]/.test(word[0]) && word[0].length > 1) end = first + word.index + word[0].length;
    }
    spans.push([m.index - 1, m.index + end + 1]);
  }
  return spans;
}

function rawErrorMessage(error: unknown, command: string | undefined): string {
  // Named, as prefill, mirror and sync name themselves: a log of several
  // commands a CI job cancelled says which ones stopped.
  if (isAbort(error)) return interruptedMessage(command ?? "");
  if (!(error instanceof Error)) return `internal error: ${String(error).split("\n")[0]}`;
  // An expected error's message is one line but for the names it quotes (a
  // file name may hold a newline): it is kept whole, and printable() shows
  // each newline as `\n`, or the name and the reason after it were cut off.
  // Only a bug's message is cut to its first line.
  const expected = isExpected(error);
  // A VcError's message is escaped already: its exact text, cut and escaped
  // once below, so a cut counts the characters given, not their escapes.
  const text = error instanceof VcError ? error.rawMessage : error.message;
  let first = (expected ? text : (text.split("\n")[0] ?? "")).trim() || error.name;
  // Deno's advice ("run again with the --allow-all flag") cannot be followed
  // with the vc binary: its permissions are fixed when it is built. Also
  // where a message of vc's wraps Deno's (a settings file under /dev/shm).
  first = withFlagNames(withoutAllowAllAdvice(first));
  // EFBIG names no limit: say which two there are.
  // (Unless the message says why already: the cache's says which directory.)
  if (TOO_LARGE.test(first) && !first.includes("file-size limit")) first += TOO_LARGE_HINT;
  if (error instanceof Deno.errors.NotCapable) return first;
  return expected ? first : `internal error: ${error.name}: ${first}`;
}

// Deno's own I/O errors carry the path and the OS reason, which is what a
// user needs ("No such file or directory (os error 2): open '/x'").
const DENO_IO_ERRORS: readonly (new (...args: never[]) => Error)[] = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.AlreadyExists,
  Deno.errors.IsADirectory,
  Deno.errors.NotADirectory,
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.TimedOut,
  Deno.errors.BrokenPipe,
  Deno.errors.InvalidData,
  Deno.errors.WriteZero,
  Deno.errors.UnexpectedEof,
  Deno.errors.NotCapable,
  Deno.errors.FilesystemLoop,
  // A file another program holds open on Windows (src/replace_file.ts names it).
  Deno.errors.Busy,
];

function isExpected(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof VcError || isAbort(error)) return true;
  if (error instanceof SyntaxError) return true; // JSON.parse of a user's file
  if (DENO_IO_ERRORS.some((cls) => error instanceof cls)) return true;
  // An OS error Deno has no class for (a full disk, too many open files, a
  // read-only filesystem) comes as a plain Error whose message is the OS's
  // reason: what the user needs, not a bug of vc's.
  return error instanceof Error && error.constructor === Error && OS_ERROR.test(error.message);
}

const OS_ERROR = /\(os error \d+\)/;

// A write past this process's file-size limit (once SIGXFSZ is caught, see
// process.ts) or past the largest file the file system holds.
const TOO_LARGE = /File too large \(os error 27\)/;
const TOO_LARGE_HINT = ": a file reached this process's file-size limit (ulimit -f; raise it " +
  "with ulimit -f unlimited) or the largest file its file system holds (4 GiB on FAT32)";
