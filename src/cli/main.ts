/**
 * Dispatch of the `vc` command line: finds the command, parses its flags,
 * runs it, and turns every outcome into an exit code. Command modules and
 * the flag parser are imported only when a command runs, so `vc --help`
 * loads none of them (and no `node:` module), and `vc path` loads no
 * network code.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };
import type { Command } from "./command.ts";
import {
  commandErrorKind,
  errorHint,
  errorMessage,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeFor,
  formatError,
  UsageError,
  verboseRequested,
} from "./errors.ts";
// Help pages load when one is written (not at every command's start).
import type { CommandSummary } from "./help.ts";
import { COMMANDS } from "./command_table.ts";
import { type CliIo, denoIo } from "./io.ts";
import { Output, type OutputMode } from "./output.ts";
import { closest } from "../suggest.ts";
import { listenToStoreRetries } from "../store/retry_notice.ts";
import { listenToListWarnings } from "../store/list_warning_notice.ts";
import { listenToBucketRegions } from "../store/region_notice.ts";
import { bucketRegionLine } from "./region_lines.ts";
import { retryLines } from "./retry_lines.ts";
import { warnOfArgumentSecrets } from "./argument_secrets.ts";
import { inertJson } from "../printable.ts";
import { VcError } from "../errors.ts";

// The `vc` process (process.ts) runs the command line with this module's own
// `denoIo`, not one of its own making: in the release build the lean `vc
// path` entry is a bundle apart, with its own copies of io.ts and errors.ts,
// and an error its io raised (a failed write to stdout) would be no
// `VcError` to this module's copy, so reported as an internal error.
export { denoIo } from "./io.ts";
export { eraseDrawnBars } from "../progress.ts";

/** The version of vc, from deno.json. */
export const VERSION: string = denoJson.version;

/**
 * Flags that take a value, across all commands. Dispatch needs them to tell
 * `vc --bucket b ls` (command `ls`) from a command named `b`; a test checks
 * the list against every command's options.
 */
export const VALUE_FLAGS: ReadonlySet<string> = new Set([
  "bucket",
  "manifest",
  "lock",
  "version",
  "min-version",
  "cache-dir",
  "timeout",
  "list",
  "concurrency",
  "max-size",
  "older-than",
  "repo",
  "catalog",
  "tag",
  "untag",
  "date-tag",
  "to",
  "state",
  "path",
  "limit",
  "any",
  "all",
  "exclude",
  "ttl",
  "holder",
  "grace",
  "retention",
  "request-timeout",
  "parallel-threshold",
  "range-size",
  // vc serve / vc cache-client
  "store",
  "token-file",
  "auth-url",
  "auth-cache-ttl",
  "port",
  "host",
  "base-path",
  "max-upload-bytes",
  "max-json-bytes",
  "max-uploads",
  "max-uploads-per-identity",
  "max-downloads-per-identity",
  "max-bytes-per-identity",
  "max-bytes",
  "sweep-interval",
  "body-idle-timeout",
  "header-timeout",
  "max-idle-connections",
  "upload-queue-timeout",
  "download-queue-timeout",
  "drain-timeout",
  "upload-min-rate",
  "url",
  "token",
  "filename",
  "content-type",
  "filter",
  "exclude",
  "source-prefix",
  "target-prefix",
  "state",
  "debounce",
  "reconcile-interval",
  "max-delete",
  "abort-uploads-after",
]);

/**
 * The names of all commands (`"add"`, `"cache get"`, ...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandNames } from "./main.ts";
 * assert(commandNames().includes("cache get"));
 * ```
 */
export function commandNames(): string[] {
  return COMMANDS.map((c) => c.name);
}

/**
 * Loads a command's definition (for tests and documentation generators).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCommand } from "./main.ts";
 * const ls = await loadCommand("ls");
 * assert(ls?.name === "ls");
 * ```
 */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return await COMMANDS.find((c) => c.name === name)?.load();
}

/**
 * Runs `vc` with `args` (without the program name) and resolves to the exit
 * code: 0 success, 1 failure, 2 usage error, 130 interrupted. Never throws
 * and never exits the process; `cli.ts` does that.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli } from "./main.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo();
 * assert(await runCli(["--version"], io) === 0);
 * assert(io.stdout().startsWith("vc "));
 * assert(await runCli(["nope"], io) === 2);
 * const after = memoryIo();
 * assert(await runCli(["nope", "--", "--json"], after) === 2);
 * assert(after.stdout() === ""); // that --json is an argument: no JSON error document
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  // Known before parsing, so even a usage error is reported in the right form.
  // Flags only: after `--` a "--json" is an argument (a path, a key).
  const end = args.indexOf("--");
  const flags = end === -1 ? args : args.slice(0, end);
  const verbose = verboseRequested(args);
  const json = flags.includes("--json");
  const run: Run = {};
  const named = commandName(args);
  const command = COMMANDS.some((c) => c.name === named) ? named : "";
  const state: RunningCommand = running = { io, json, run, command };
  try {
    refuseReplacementCharacter(args);
    return await dispatch(args, quietOnceCutShort(io, state), json, run);
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) {
      return EXIT_OK; // the reader went away (`vc cat x | head`): nothing left to do
    }
    const code = exitCodeFor(error);
    // Ended at once meanwhile: the process said how (see sayCutShort).
    if (state.cutShort === true) return code;
    io.writeStderr(formatError(error, { verbose, command }));
    state.ownEnd = writeErrorDocument(state, error, code);
    await state.ownEnd;
    return code;
  }
}

/**
 * `io` for the command `state` runs, whose writes go nowhere once the
 * process ended it at once (see {@linkcode sayCutShort}): that line stays the
 * last, its `--json` document stdout's only one, whatever the command still
 * does in the second the document is given (a report, a progress line).
 */
function quietOnceCutShort(io: CliIo, state: RunningCommand): CliIo {
  const sync = io.writeStdoutSync;
  return {
    ...io,
    writeStdout: (data) => state.cutShort === true ? Promise.resolve() : io.writeStdout(data),
    writeStderr: (text) => {
      if (state.cutShort !== true) io.writeStderr(text);
    },
    ...(sync === undefined ? {} : {
      writeStdoutSync: (data: Uint8Array) => {
        if (state.cutShort !== true) sync.call(io, data);
      },
    }),
  };
}

/** The command {@linkcode runCli} runs (the last one started), for {@linkcode sayCutShort}. */
let running: RunningCommand | undefined;

/** What the error document of a command's failure needs, and who said how it ended. */
interface RunningCommand {
  io: CliIo;
  json: boolean;
  run: Run;
  /** The command's name, `""` for none known. */
  command: string;
  /** Its own end said its failure: stderr has the line, this writes its document. */
  ownEnd?: Promise<void>;
  /** The process ended it at once and said so: its own end says nothing more. */
  cutShort?: boolean;
}

/**
 * With `--json`, the error document of `error` (exit `code`) on stdout,
 * unless the command began a JSON document of its own (stdout holds one: a
 * listing cut short closed its array). A stdout gone is let be: stderr has
 * the message.
 */
async function writeErrorDocument(
  { io, json, run, command }: RunningCommand,
  error: unknown,
  code: number,
): Promise<void> {
  if (!json || run.output?.jsonDocumentBegun === true) return;
  const name = error instanceof Error ? error.name : "Error";
  const kind = commandErrorKind(error);
  const hint = errorHint(error);
  const doc = {
    error: {
      name,
      kind,
      message: errorMessage(error, command),
      exitCode: code,
      ...(hint === undefined ? {} : { hint }),
    },
  };
  try {
    await writeJson(io, doc);
  } catch {
    // stdout is gone; stderr already has the message.
  }
}

/**
 * For the process that ends the running command at once (still busy when
 * the grace period of a Ctrl-C is over, or a second signal: see
 * `process.ts`): says so once, as the last line (`vc: ` and `message` on
 * stderr) and, with `--json`, in the error document of that interrupt
 * (exit 130) on stdout, as an interrupted command's own end prints it.
 * Should the command reach its own end after it, that end says nothing
 * more (no second line after this one, no second document); a command
 * whose own end already said its failure is left to finish its document,
 * which the promise returned then waits for. Resolves to whether it said
 * the end (false: the command's own end did).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli, sayCutShort } from "./main.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo();
 * await runCli(["--version"], io);
 * const before = io.stdout();
 * await sayCutShort("prefill interrupted: ended at once");
 * assert.equal(io.stdout(), before); // no --json: stderr alone says it
 * assert.equal(io.stderr(), "vc: prefill interrupted: ended at once\n");
 * ```
 */
export async function sayCutShort(message: string): Promise<boolean> {
  const said = running;
  if (said?.ownEnd !== undefined) {
    await said.ownEnd;
    return false;
  }
  (said?.io ?? denoIo()).writeStderr(`vc: ${message}\n`);
  if (said === undefined) return true;
  said.cutShort = true;
  await writeErrorDocument(said, new VcError(message), EXIT_INTERRUPTED);
  return true;
}

/**
 * Deno hands the program its arguments as strings, each byte that is not
 * UTF-8 read as U+FFFD: a name typed in a Latin-1 terminal (`caf\xe9.csv`)
 * reaches vc as `caf\ufffd.csv`, another name, which `vc add` would publish
 * for good and `vc get` write a file of. The raw bytes are out of reach
 * (`/proc/self/cmdline` needs `--allow-all`), so any argument holding U+FFFD
 * is refused: in a name it is almost always such damage.
 */
function refuseReplacementCharacter(args: readonly string[]): void {
  const bad = args.filter((a) => a.includes("\ufffd"));
  if (bad.length === 0) return;
  const command = commandName(args);
  const named = bad.map((a) => `"${a.replaceAll("\ufffd", "\\ufffd")}"`).join(", ");
  throw new UsageError(
    `${named} ${bad.length === 1 ? "holds" : "hold"} U+FFFD, the character bytes that are not ` +
      "UTF-8 are read as (a name typed in a Latin-1 terminal, say): it would name another file, " +
      "key or path than the one meant; give it in UTF-8",
    COMMANDS.some((c) => c.name === command) ? { command } : {},
  );
}

/** What runCli learns of the command it ran: its printer, once it has one. */
interface Run {
  output?: Output;
}

// `json`: --json was given, so the pages printed here (help, --version) are
// JSON documents as well, like every command's output.
async function dispatch(
  args: readonly string[],
  io: CliIo,
  json: boolean,
  run: Run,
): Promise<number> {
  const found = findCommand(args);
  const helpFlag = hasFlag(args, "help", "h");
  if (found.words.length === 0) {
    if (hasFlag(args, "version", "V")) {
      // `vc --version --jsno`: named, as beside --help.
      await refuseUnknownFlags(args, ["--version", "-V", "-q", "--quiet", "-v", "--verbose"]);
      if (json) await writeJson(io, { version: VERSION });
      else await writeText(io, `vc ${VERSION}\n`);
      return EXIT_OK;
    }
    if (helpFlag) {
      await refuseUnknownFlags(args);
      await writeMainHelp(io, COMMANDS, json);
      return EXIT_OK;
    }
    io.writeStderr((await import("./help.ts")).mainHelp(VERSION, COMMANDS));
    if (args.length > 0) {
      throw await unknownFlagWithoutCommand(args) ?? missingCommand(args);
    }
    return EXIT_USAGE;
  }
  if (found.words[0] === "help") {
    // `vc help -- ls`: `--` ends the flags, and what follows is help's
    // operands, the topic, as without it (it was dropped: the main page).
    const end = found.rest.indexOf("--");
    const words = [...found.words.slice(1), ...(end === -1 ? [] : found.rest.slice(end + 1))];
    // `vc help cache --jsno`: a misspelt flag is named here too, and the
    // usage line points at the page that was asked for.
    const topic = words.join(" ");
    await refuseUnknownFlags(
      end === -1 ? found.rest : found.rest.slice(0, end),
      [],
      COMMANDS.some((c) => c.name === topic) || isGroup(topic) ? topic : undefined,
    );
    return await help(words, io, json);
  }
  // `vc "cache dir"`: one argument is one word of a command, as a shell
  // quoting mistake would otherwise run `cache dir` by accident of the join.
  const spaced = found.words.find((word) => /\s/.test(word));
  if (spaced !== undefined) {
    throw new UsageError(`unknown command ${JSON.stringify(spaced)}`, {
      hint: `a command's words are separate arguments: vc ${spaced.trim().split(/\s+/).join(" ")}`,
    });
  }
  const name = found.words.join(" ");
  if (!COMMANDS.some((c) => c.name === name) && isGroup(name)) {
    if (helpFlag) {
      await refuseUnknownFlags(found.rest);
      await writeMainHelp(io, groupCommands(name), json);
      return EXIT_OK;
    }
    throw new UsageError(`${name}: missing subcommand`, {
      hint: `one of: ${subcommands(name).join(", ")}`,
      command: name,
    });
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    // `vc repo help publish`: help comes first, `vc help repo publish`.
    if (found.words.length === 2 && found.words[1] === "help" && isGroup(found.words[0]!)) {
      const next = findCommand(found.rest).words[0];
      const meant = ["help", found.words[0]!, ...(next === undefined ? [] : [next])].join(" ");
      throw new UsageError(`unknown command "${name}"`, {
        hint: `did you mean "vc ${meant}"?`,
        command: found.words[0]!,
      });
    }
    // `vc --bukcet my-assets ls`: a misspelt value flag is not known to take
    // a value, so its value was taken for the command; the flag is the typo.
    if (found.flagsBefore.length > 0) {
      const flag = await unknownFlagWithoutCommand(found.flagsBefore);
      if (flag !== undefined) throw flag;
    }
    throw unknownCommand(name);
  }
  // The parser is loaded with the command, not at start-up: its `node:util`
  // brings up Deno's Node compatibility layer, which help and --version skip.
  const [command, { parseCommandArgs }] = await Promise.all([entry.load(), import("./args.ts")]);
  if (command.options["version"]?.type === "string" && versionSwitchFirst(args)) {
    // The parser sees no order: it would take the command's next word for
    // the version to publish (`vc --version add /a.csv a.csv`).
    throw new UsageError(
      `--version before "${name}" is vc's own switch, not the version to publish`,
      {
        hint:
          `give it after the command (vc ${name} … --version V); vc's own version: vc --version`,
        command: name,
      },
    );
  }
  try {
    const { flags, positionals } = parseCommandArgs(found.rest, {
      command: command.name,
      options: command.options,
      positionals: command.positionals,
      required: command.required,
      ...(command.variadic ? { variadic: true } : {}),
      ...(command.commaListLast ? { commaListLast: true } : {}),
      ...(command.extraHint ? { extraHint: command.extraHint } : {}),
      ...(command.unknownFlagHint ? { unknownFlagHint: command.unknownFlagHint } : {}),
      ...(isGroup(name) ? { subcommands: subcommands(name) } : {}),
    });
    if (flags.boolean("help")) {
      await writeCommandHelp(io, command, entry.summary, flags.boolean("json"));
      return EXIT_OK;
    }
    // The global --request-timeout is checked before any work by every
    // command, also those that open no store (`vc ls`, `vc serve add-token`)
    // or open one only after a look at it (`vc serve expire`).
    if (flags.string("request-timeout") !== undefined) {
      (await import("./store_options.ts")).cliStoreOptions({ flags });
    }
    const mode: OutputMode = flags.boolean("json")
      ? "json"
      : flags.boolean("quiet")
      ? "quiet"
      : "human";
    const out = new Output(io, { mode });
    run.output = out;
    // Once for every command, however it opens its stores: their retries
    // are said, and what a listing skipped, as the command's own warnings.
    const onRetry = retryLines((line) => out.warn(line));
    const stopRetryLines = listenToStoreRetries(onRetry);
    // Counted before a last line of the command's (an interruption's).
    out.beforeFailure(() => onRetry.finish());
    const stopListWarnings = listenToListWarnings((warning) => out.warn(warning.message));
    // A bucket in another region than configured, once per bucket.
    const stopRegionLines = listenToBucketRegions((notice) => out.warn(bucketRegionLine(notice)));
    // A secret in the arguments is in the process list for every user to read.
    warnOfArgumentSecrets({ flags, out });
    try {
      return (await command.run({ io, flags, args: positionals, out })) ?? EXIT_OK;
    } finally {
      stopRetryLines();
      // The retries of a run shorter than the lines' interval, not shown.
      onRetry.finish();
      stopListWarnings();
      stopRegionLines();
    }
  } catch (error) {
    // Usage errors raised deep in a command (a bad --max-size) point at its help.
    if (error instanceof UsageError && error.command === undefined) {
      throw new UsageError(error.message, {
        ...(error.hint === undefined ? {} : { hint: error.hint }),
        command: command.name,
      });
    }
    throw error;
  }
}

// `vc --help --bogus` is a usage error, as `vc prefill --help --bogus` is:
// a misspelt flag beside --help is not silently ignored. Only flags other
// than the help page's own pay for the check.
async function refuseUnknownFlags(
  args: readonly string[],
  alsoOwn: readonly string[] = [],
  command?: string,
): Promise<void> {
  const own = new Set(["--help", "-h", "--json", ...alsoOwn]);
  if (args.every((a) => own.has(a))) return;
  const error = await unknownFlagWithoutCommand(args);
  if (error === undefined) return;
  throw command === undefined ? error : new UsageError(error.message, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    command,
  });
}

// Flags but no command (`vc --jsno`): a flag no command takes is named, with
// a guess, rather than hidden behind "missing command". Every command's
// flags count as known (`vc --delete` lacks only its command); loading them
// all costs only this error path.
async function unknownFlagWithoutCommand(args: readonly string[]): Promise<UsageError | undefined> {
  const [commands, { unknownFlag }] = await Promise.all([
    Promise.all(COMMANDS.map((c) => c.load())),
    import("./args.ts"),
  ]);
  const end = args.indexOf("--");
  const flags = end === -1 ? args : args.slice(0, end);
  // `vc --version=x`: the main page's switch given a value, as `vc --help=x` is said.
  const valued = flags.find((a) => a.startsWith("--version="));
  if (valued !== undefined) {
    const value = valued.slice("--version=".length);
    return new UsageError(`--version does not take a value (got "${value}")`);
  }
  return unknownFlag(
    flags,
    // The main page's -V last: a command's own --version VALUE would hide it.
    Object.assign(
      {},
      ...commands.map((c) => c.options),
      { version: { type: "boolean", short: "V", description: "" } },
    ),
  );
}

// `vc -- cache dir`: what follows `--` is a command's arguments, never the
// command, so the command is missing; the hint says where it goes.
function missingCommand(args: readonly string[]): UsageError {
  const after = args.slice(args.indexOf("--") + 1);
  return new UsageError("missing command", {
    ...(args.includes("--") && after.length > 0
      ? { hint: `the command goes before "--": vc ${after.join(" ")}` }
      : {}),
  });
}

async function help(words: readonly string[], io: CliIo, json: boolean): Promise<number> {
  // `vc help help` asks about help itself: the main page is its help.
  if (words.length === 0 || (words.length === 1 && words[0] === "help")) {
    await writeMainHelp(io, COMMANDS, json);
    return EXIT_OK;
  }
  const name = words.join(" ");
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined && isGroup(name)) {
    await writeMainHelp(io, groupCommands(name), json);
    return EXIT_OK;
  }
  if (entry === undefined) throw unknownCommand(name);
  await writeCommandHelp(io, await entry.load(), entry.summary, json);
  return EXIT_OK;
}

/** The main (or a group's) help page, as text or as one JSON document. */
async function writeMainHelp(
  io: CliIo,
  commands: readonly CommandSummary[],
  json: boolean,
): Promise<void> {
  const { mainHelp, mainHelpDoc } = await import("./help.ts");
  if (json) await writeJson(io, mainHelpDoc(VERSION, commands));
  else await writeText(io, mainHelp(VERSION, commands));
}

/** A command's help page, as text or as one JSON document. */
async function writeCommandHelp(
  io: CliIo,
  command: Command,
  summary: string,
  json: boolean,
): Promise<void> {
  const { commandHelp, commandHelpDoc } = await import("./help.ts");
  if (json) await writeJson(io, commandHelpDoc(command, summary));
  else await writeText(io, commandHelp(command, summary));
}

/**
 * The command `args` run (`"serve"`, `"serve expire"`, `"cache get"`), as
 * dispatch finds it: values of flags given before it are not taken for it.
 * The process uses it to tell the services that drain on SIGTERM.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandName } from "./main.ts";
 * assert.equal(commandName(["--store", "file:///srv", "serve", "expire"]), "serve expire");
 * assert.equal(commandName(["serve", "--port", "0"]), "serve");
 * ```
 */
export function commandName(args: readonly string[]): string {
  return findCommand(args).words.join(" ");
}

/**
 * Splits the command words (`["cache", "get"]`) from the rest of the
 * arguments. Flags may come before the command, so values of value-taking
 * flags are skipped rather than taken for the command.
 */
function findCommand(
  args: readonly string[],
): { words: string[]; rest: string[]; flagsBefore: string[] } {
  const positional: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break; // everything after belongs to the command
    if (arg.startsWith("-") && arg.length > 1) {
      if (takesValue(arg, positional.length > 0)) i++; // skip its value
      continue;
    }
    positional.push(i);
  }
  const word = (n: number) => positional[n] === undefined ? undefined : args[positional[n]!];
  const first = word(0);
  const second = word(1);
  // The longest command name that matches: `cache get` over `cache`, and
  // `serve expire` over `serve`; a group word alone stays one word.
  const take = first === undefined
    ? 0
    : first === "help"
    ? positional.length
    : second !== undefined && COMMANDS.some((c) => c.name === `${first} ${second}`)
    ? 2
    : second !== undefined && isGroup(first) && !COMMANDS.some((c) => c.name === first)
    ? 2 // `vc cache bogus`: an unknown subcommand, reported as such
    : 1;
  const chosen = new Set(positional.slice(0, take));
  return {
    words: [...chosen].map((i) => args[i]!),
    rest: args.filter((_, i) => !chosen.has(i)),
    flagsBefore: args.slice(0, positional[0] ?? 0),
  };
}

/**
 * True when the flag `--name` or `-letter` is given before any `--`, also
 * in a group of short flags (`-qh`, `-vV`), as the command parser reads
 * them. Values of value-taking flags are skipped, as {@linkcode findCommand}
 * skips them (`--bucket -h` names a bucket).
 */
function hasFlag(args: readonly string[], name: string, letter: string): boolean {
  let afterWord = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return false;
    if (arg === `--${name}`) return true;
    if (arg.startsWith("--")) {
      if (takesValue(arg, afterWord)) i++;
      continue;
    }
    if (arg.length > 1 && arg[0] === "-" && arg.slice(1).includes(letter)) return true;
    if (arg[0] !== "-" || arg === "-") afterWord = true;
  }
  return false;
}

/**
 * Whether `arg` is a flag whose value is the next argument. `--version` is
 * one only after a command's word (`vc add PATH FILE --version 2.0.0`):
 * before it, it is the main page's switch, so `vc --version cat x` does not
 * read `cat` as a version and `x` as the command.
 */
function takesValue(arg: string, afterWord: boolean): boolean {
  if (!arg.startsWith("--")) return false;
  const name = arg.slice(2);
  return VALUE_FLAGS.has(name) && (name !== "version" || afterWord);
}

/** True when a bare `--version` comes before the command's first word. */
function versionSwitchFirst(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--version") return true;
    if (!arg.startsWith("-") || arg === "-" || arg === "--") return false;
    if (takesValue(arg, false)) i++;
  }
  return false;
}

/** True when `word` is the first word of some two-word command (`cache`, `repo`). */
function isGroup(word: string): boolean {
  return COMMANDS.some((c) => c.name.startsWith(`${word} `));
}

function subcommands(group: string): string[] {
  return COMMANDS.filter((c) => c.name.startsWith(`${group} `)).map((c) =>
    c.name.slice(group.length + 1)
  );
}

function groupCommands(group: string): CommandSummary[] {
  return COMMANDS.filter((c) => c.name === group || c.name.startsWith(`${group} `));
}

/**
 * Words users reach for that name a group's command otherwise (`vc repo
 * verify`, `vc cache list`), by group: the subcommand meant, or, where none
 * does what the word says, what does.
 */
const SUBCOMMAND_SYNONYMS: Record<string, Record<string, string>> = {
  repo: {
    verify: "check",
    fsck: "check",
    list: "ls",
    show: "get",
    info: "get",
    describe: "get",
    inspect: "get",
    search: "find",
    unclaim: "release",
    // Words for undoing a command, whose letters are closest to it.
    unpublish: "expire",
    retire: "expire",
    unexpire: "publish",
    lock: "claim",
    unlock: "release",
    ...Object.fromEntries(["rm", "remove", "delete", "del"].map((word) => [
      word,
      "a record is not removed at once: vc repo expire ID retires it, then vc repo purge ID " +
      "deletes its content (vc repo gc does both by age)",
    ])),
  },
  cache: { list: "ls", delete: "rm", remove: "rm", del: "rm" },
};

function unknownCommand(name: string): UsageError {
  // `vc repo lss`: the group's help lists the commands it could have been.
  const group = name.split(" ")[0]!;
  const inGroup = name.includes(" ") && isGroup(group);
  return new UsageError(`unknown command "${name}"`, {
    ...commandHint(name, inGroup ? group : undefined),
    ...(inGroup ? { command: group } : {}),
  });
}

function commandHint(name: string, group: string | undefined): { hint?: string } {
  if (group !== undefined) {
    // The subcommand word against the group's: compared as the whole line
    // (`repo rm` and `repo ls`, two edits in seven letters), a two-letter
    // word passed for a typo of any other (`vc repo rm 5`: "repo ls"?).
    // A word named otherwise first: `unclaim` is a typo of `claim` by its
    // letters, and the opposite of what was meant (`release`).
    const word = name.slice(group.length + 1);
    const meant = Object.hasOwn(SUBCOMMAND_SYNONYMS[group] ?? {}, word.toLowerCase())
      ? SUBCOMMAND_SYNONYMS[group]![word.toLowerCase()]!
      : undefined;
    if (meant !== undefined) {
      return { hint: /\s/.test(meant) ? meant : `did you mean "${group} ${meant}"?` };
    }
    const subcommand = closest(word, subcommands(group));
    return subcommand === undefined ? {} : { hint: `did you mean "${group} ${subcommand}"?` };
  }
  // Group words too: `vc cach get` is a typo of `cache`, not of `path`.
  const groups = COMMANDS.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0]!);
  const guess = closest(name, [...new Set([...COMMANDS.map((c) => c.name), ...groups, "help"])]);
  // `vc version`, as `git version` prints git's: vc's own is a flag.
  const own = name === "version" ? " (vc's own version: vc --version)" : "";
  return guess === undefined ? {} : { hint: `did you mean "${guess}"?${own}` };
}

async function writeText(io: CliIo, text: string): Promise<void> {
  await io.writeStdout(new TextEncoder().encode(text));
}

async function writeJson(io: CliIo, doc: unknown): Promise<void> {
  await writeText(io, inertJson(doc, 2) + "\n");
}
