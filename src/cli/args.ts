/**
 * Flag parsing shared by every command, on top of `node:util`'s `parseArgs`.
 * Unknown flags, missing values and wrong argument counts become
 * {@linkcode UsageError}s that name the flag and suggest the closest one.
 * `main.ts` imports this module only when a command runs: `node:util` brings
 * up Deno's Node compatibility layer (~5 ms), which `vc --help` does not need.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { GLOBAL_OPTIONS, type OptionSpecs } from "./options.ts";
import { closest } from "../suggest.ts";
import { shellWord } from "../shell_word.ts";
import { parseBoolean } from "../config.ts";

// Re-exported, so code that parses flags needs only this module.
export { GLOBAL_OPTIONS, type OptionSpec, type OptionSpecs } from "./options.ts";

/** Parsed flags of one command, with typed accessors. */
export class Flags {
  readonly #values: Record<string, string | boolean | (string | boolean)[] | undefined>;

  /** Wraps the values `parseArgs` produced. */
  constructor(values: Record<string, string | boolean | (string | boolean)[] | undefined>) {
    this.#values = values;
  }

  /**
   * The value of a string flag, or `undefined` when not given.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Flags } from "./args.ts";
   * assert(new Flags({ bucket: "s3://b" }).string("bucket") === "s3://b");
   * ```
   */
  string(name: string): string | undefined {
    const v = this.#values[name];
    if (Array.isArray(v)) {
      const last = v[v.length - 1];
      return typeof last === "string" ? last : undefined;
    }
    return typeof v === "string" ? v : undefined;
  }

  /**
   * True when a boolean flag was given.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Flags } from "./args.ts";
   * assert(new Flags({ json: true }).boolean("json") && !new Flags({}).boolean("json"));
   * ```
   */
  boolean(name: string): boolean {
    return this.#values[name] === true;
  }

  /**
   * True when the flag was given, with a value or as a switch.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Flags } from "./args.ts";
   * assert(new Flags({ to: "f" }).given("to") && !new Flags({}).given("to"));
   * ```
   */
  given(name: string): boolean {
    const v = this.#values[name];
    return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
  }

  /**
   * All values of a repeatable string flag, in order.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Flags } from "./args.ts";
   * assert(new Flags({ list: ["a", "b"] }).list("list").join() === "a,b");
   * ```
   */
  list(name: string): string[] {
    const v = this.#values[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
  }
}

/** What {@linkcode parseCommandArgs} needs to know about a command. */
export interface ArgsSpec {
  /** Full command name for messages, e.g. `"cache get"`. */
  command: string;
  /** The command's own flags; {@linkcode GLOBAL_OPTIONS} are added. */
  options: OptionSpecs;
  /** Names of the positional arguments, for messages (`["PATH", "FILE"]`). */
  positionals: readonly string[];
  /** How many positionals are required (the rest of `positionals` are optional). */
  required: number;
  /** Accept any number of positionals beyond `positionals` (none do today). */
  variadic?: boolean;
  /**
   * The last positional is one comma-separated list: words given after it
   * (`vc repo tag 42 a b`) are said to belong in it (`a,b`).
   */
  commaListLast?: boolean;
  /**
   * The subcommands of a command that is a group too (`serve`: `add-token`,
   * `expire`): an unexpected first argument close to one is guessed as it.
   */
  subcommands?: readonly string[];
  /**
   * What to give instead of arguments beyond `positionals` (`vc prefill FILE`,
   * as baiji-pod's `baiji-prefill FILE` took its list: `--list FILE`), told
   * those (`extra`) and all the arguments given (`all`).
   */
  extraHint?: (extra: readonly string[], all: readonly string[]) => string | undefined;
  /**
   * The way out for a flag the command lacks but a user is likely to type
   * (`vc repo find --tag T`: tags are found with `--any` / `--all`), when
   * no flag of its own is close to it.
   */
  unknownFlagHint?: (name: string) => string | undefined;
}

/** Result of {@linkcode parseCommandArgs}. */
export interface ParsedArgs {
  /** The flags. */
  flags: Flags;
  /** Positional arguments in order. */
  positionals: string[];
}

/**
 * Parses a command's arguments (everything after the command name).
 * With `--help`, argument counts are not checked, so `vc add --help` works.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandArgs } from "./args.ts";
 * const { flags, positionals } = parseCommandArgs(["/a.csv", "x.csv", "--version=1.0.0"], {
 *   command: "add",
 *   options: { version: { type: "string", description: "first version" } },
 *   positionals: ["PATH", "FILE"],
 *   required: 2,
 * });
 * assert(flags.string("version") === "1.0.0" && positionals.length === 2);
 * ```
 */
export function parseCommandArgs(args: readonly string[], spec: ArgsSpec): ParsedArgs {
  const all: OptionSpecs = { ...GLOBAL_OPTIONS, ...spec.options };
  const parsed = tokenize(args, all);
  // Non-strict mode never throws, so every check is ours and every message
  // can name the flag and the command.
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    // Own keys only: `all` is a plain object, so --toString or --constructor
    // would otherwise find Object.prototype's members and pass as flags.
    const option = Object.hasOwn(all, token.name) ? all[token.name] : undefined;
    if (option === undefined) {
      throw unknownOption(token, all, spec.command, spec.positionals, spec.unknownFlagHint);
    }
    if (option.type === "boolean" && token.value !== undefined) {
      const hint = switchValueHint(token.name, token.rawName, token.value, spec.command);
      throw new UsageError(`${token.rawName} does not take a value (got "${token.value}")`, {
        command: spec.command,
        ...(hint === undefined ? {} : { hint }),
      });
    }
    if (option.type === "string") {
      if (token.value === undefined) {
        throw new UsageError(`${token.rawName} needs a value`, {
          hint: `usage: ${token.rawName} ${option.valueName ?? "VALUE"}`,
          command: spec.command,
        });
      }
      if (!token.inlineValue && token.value.startsWith("--")) {
        throw new UsageError(
          `${token.rawName} needs a value, but got the flag ${token.value}`,
          {
            hint: `write ${token.rawName}=${token.value} if that is really the value`,
            command: spec.command,
          },
        );
      }
    }
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option" || all[token.name]?.type !== "string") continue;
    if (seen.has(token.name) && !all[token.name]?.multiple) {
      throw new UsageError(`--${token.name} was given more than once`, {
        command: spec.command,
        ...commaListRepeatHint(token.name, all, parsed.tokens),
      });
    }
    seen.add(token.name);
  }
  const flags = new Flags(parsed.values);
  const positionals = parsed.positionals;
  if (!flags.boolean("help")) {
    refuseUnused(parsed.tokens, all, spec.command);
    checkPositionals(positionals, spec);
  }
  return { flags, positionals };
}

// The flags given that do nothing without one of their `onlyWith` flags,
// which none of was given: refused together, as a usage error naming them
// all (`--cache-dir and --range-size only apply with --to or --local`), so a
// flag is never taken and ignored (the record printed, the cache dir unused).
function refuseUnused(
  tokens: readonly OptionToken[],
  all: OptionSpecs,
  command: string,
): void {
  const given = new Set(tokens.map((t) => t.name));
  // Never used by this command: refused for its reason, grouped as below.
  const never = new Map<string, string[]>();
  for (const name of given) {
    const reason = all[name]?.unused;
    if (reason !== undefined) never.set(reason, [...(never.get(reason) ?? []), name]);
  }
  if (never.size > 0) {
    throw new UsageError(
      [...never].map(([reason, names]) =>
        `${flagList(names)} ${
          names.length === 1 ? "does" : "do"
        } nothing for vc ${command}: ${reason}`
      ).join("; "),
      { command },
    );
  }
  const unused = [...given].filter((name) => {
    const need = all[name]?.onlyWith;
    return need !== undefined && !need.some((other) => given.has(other));
  });
  if (unused.length === 0) return;
  // Grouped by what they need, so each group's sentence is true of it.
  const byNeed = new Map<string, string[]>();
  for (const name of unused) {
    const need = all[name]!.onlyWith!.map((n) => `--${n}`).join(" or ");
    byNeed.set(need, [...(byNeed.get(need) ?? []), name]);
  }
  const sentences = [...byNeed].map(([need, names]) => onlyApplySentence(names, `with ${need}`));
  throw new UsageError(sentences.join("; "), { command });
}

// `--a and --b only apply CONDITION` (`--a only applies …` for one).
function onlyApplySentence(names: readonly string[], condition: string): string {
  return `${flagList(names)} only appl${names.length === 1 ? "ies" : "y"} ${condition}`;
}

// `--a`, `--a and --b`, `--a, --b and --c`.
function flagList(names: readonly string[]): string {
  const flags = names.map((n) => `--${n}`);
  return flags.length === 1
    ? flags[0]!
    : `${flags.slice(0, -1).join(", ")} and ${flags[flags.length - 1]}`;
}

/**
 * For a command whose flags `names` do something only in a mode chosen by
 * more than flags (its arguments: `vc mirror`'s download tuning applies
 * only when the SOURCEs are store URIs): a usage error naming those of them
 * given and `condition`, when `applies` is false; nothing otherwise. The
 * flags only beside another flag are declared instead
 * ({@linkcode OptionSpec.onlyWith}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Flags, refuseFlagsUnless } from "./args.ts";
 * const flags = new Flags({ "range-size": "8MiB" });
 * assert.throws(
 *   () => refuseFlagsUnless(flags, ["range-size", "parallel-threshold"], false, "when SOURCE is a store URI", "mirror"),
 *   /--range-size only applies when SOURCE is a store URI/,
 * );
 * refuseFlagsUnless(flags, ["range-size"], true, "when SOURCE is a store URI", "mirror");
 * ```
 */
export function refuseFlagsUnless(
  flags: Flags,
  names: readonly string[],
  applies: boolean,
  condition: string,
  command: string,
): void {
  if (applies) return;
  const given = names.filter((name) => flags.given(name));
  if (given.length === 0) return;
  throw new UsageError(onlyApplySentence(given, condition), { command });
}

// The switches that turn a setting on, each with the variable that turns it
// off for one command, and what else may turn it on: a switch cannot win
// over a variable or file that did.
const SWITCH_VARIABLES: Readonly<Record<string, { variable: string; setBy: string }>> = {
  offline: { variable: "VC_OFFLINE", setBy: "VC_OFFLINE or the user config file" },
  frozen: { variable: "VC_FROZEN", setBy: "VC_FROZEN" },
  "no-sign-request": { variable: "VC_S3_ANONYMOUS", setBy: "VC_S3_ANONYMOUS" },
};

// `--offline=false` (rclone's and Go's way to turn a switch off): the
// variable that turns the setting off for one command; `--offline=true`:
// the switch alone. The words for true and false are the variables' own.
function switchValueHint(
  name: string,
  rawName: string,
  value: string,
  command: string,
): string | undefined {
  const own = Object.hasOwn(SWITCH_VARIABLES, name) ? SWITCH_VARIABLES[name] : undefined;
  if (own === undefined) return undefined;
  let on: boolean;
  try {
    on = parseBoolean(value, rawName);
  } catch {
    return undefined; // no boolean: the refusal says enough
  }
  return on
    ? `write ${rawName} alone`
    : `a switch only turns its setting on; to turn it off for one command where ${own.setBy} ` +
      `turns it on: ${own.variable}=0 vc ${command} …`;
}

// `--tag a --tag b`, as git and docker take repeated flags: a flag whose
// value is a comma-separated list (its value name says so, `T,U`) takes
// them in one, which the error spells out with the values given.
function commaListRepeatHint(
  name: string,
  all: OptionSpecs,
  tokens: readonly OptionToken[],
): { hint?: string } {
  if (!all[name]?.valueName?.includes(",")) return {};
  const values = tokens.flatMap((t) => t.name === name && t.value !== undefined ? [t.value] : []);
  return { hint: `give them in one --${name}, comma-separated: --${name} ${values.join(",")}` };
}

function checkPositionals(positionals: readonly string[], spec: ArgsSpec): void {
  if (positionals.length < spec.required) {
    const missing = spec.positionals.slice(positionals.length, spec.required);
    throw new UsageError(
      `${spec.command}: missing ${missing.join(" and ")}`,
      { command: spec.command },
    );
  }
  if (!spec.variadic && positionals.length > spec.positionals.length) {
    const extra = positionals.slice(spec.positionals.length);
    const list = extra.map((x) => JSON.stringify(x)).join(" ");
    // `vc serve add-tokn`: a typo of a subcommand, not an argument of `serve`.
    const first = positionals[0];
    const guess = spec.subcommands === undefined || first === undefined
      ? undefined
      : closest(first, spec.subcommands);
    const hint = guess !== undefined
      ? `did you mean "${spec.command} ${guess}"?`
      : spec.commaListLast
      ? commaListHint(spec.positionals, positionals)
      : spec.extraHint?.(extra, positionals);
    throw new UsageError(
      `${spec.command}: unexpected argument${extra.length > 1 ? "s" : ""} ${list}`,
      { command: spec.command, ...(hint === undefined ? {} : { hint }) },
    );
  }
}

/**
 * For a list given as separate words (`vc repo tag 42 a b`, as `git tag`
 * users type it), the one argument it takes instead: `TAGS is one argument,
 * comma-separated: a,b`.
 */
function commaListHint(names: readonly string[], positionals: readonly string[]): string {
  const listed = positionals.slice(names.length - 1);
  return `${names.at(-1)} is one argument, comma-separated: ${listed.join(",")}`;
}

/**
 * The usage error for the first flag of `args` that neither `options` nor
 * the global flags know, as {@linkcode parseCommandArgs} raises it but
 * naming no command; `undefined` when every flag is known. For a command
 * line with no command (`vc --jsno`), where "missing command" alone would
 * hide the typo.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownFlag } from "./args.ts";
 * const e = unknownFlag(["--jsno"], {});
 * assert(e?.message === "unknown flag --jsno" && e.hint === "did you mean --json?");
 * assert(unknownFlag(["--json", "--bucket", "b"], { bucket: { type: "string", description: "" } }) === undefined);
 * ```
 */
export function unknownFlag(args: readonly string[], options: OptionSpecs): UsageError | undefined {
  const all: OptionSpecs = { ...GLOBAL_OPTIONS, ...options };
  const { tokens } = tokenize(args, all);
  const token = tokens.find((t) => !Object.hasOwn(all, t.name));
  if (token !== undefined) return unknownOption(token, all, undefined, []);
  // `vc --help=yes`: a global switch given a value, as parseCommandArgs says it.
  const valued = tokens.find((t) =>
    t.value !== undefined && Object.hasOwn(GLOBAL_OPTIONS, t.name) &&
    GLOBAL_OPTIONS[t.name]?.type === "boolean"
  );
  return valued === undefined
    ? undefined
    : new UsageError(`${valued.rawName} does not take a value (got "${valued.value}")`);
}

function unknownOption(
  token: OptionToken,
  all: OptionSpecs,
  command: string | undefined,
  positionals: readonly string[],
  ownHint?: (name: string) => string | undefined,
): UsageError {
  const raw = token.rawName;
  const inGroup = !raw.startsWith("--") && token.arg !== raw;
  const hint = unknownOptionHint(token, all, command, positionals, inGroup, ownHint);
  const where = inGroup ? ` in ${JSON.stringify(token.arg)}` : "";
  return new UsageError(
    `unknown flag ${raw}${where}${command === undefined ? "" : ` for "${command}"`}`,
    { ...(hint === undefined ? {} : { hint }), ...(command === undefined ? {} : { command }) },
  );
}

function unknownOptionHint(
  token: OptionToken,
  all: OptionSpecs,
  command: string | undefined,
  positionals: readonly string[],
  inGroup: boolean,
  ownHint?: (name: string) => string | undefined,
): string | undefined {
  // `vc get /a.csv -out.csv`: a file name that starts with "-" reads as the
  // short flags -o -u -t …; naming only "-o" (and guessing --offline) hid
  // that the name was the problem, so the argument is named with the way out.
  const dashName = (): string =>
    `if ${JSON.stringify(token.arg)} is a name, put it after "--": vc ${command} … -- ${token.arg}`;
  if (inGroup && command !== undefined && positionals.length > 0) return dashName();
  // `vc ls -V` (guessed as -v, which is --verbose) and `vc cat PATH
  // --version 1.0.0`: vc's own version is asked before any command, and a
  // command that reads one version takes it as an argument. A typo of it
  // (`vc path PATH --verison 1.0.0`) is read as it, when nothing of the
  // command's own is closer.
  const version = token.name === "version" || token.rawName === "-V" ||
    (all.version === undefined && token.rawName.startsWith("--") &&
      closest(token.name, [...Object.keys(all), "version"]) === "version");
  if (command !== undefined && version) {
    const own = `vc's own version: vc --version`;
    // `vc add PATH FILE -V`: the command's own --version V was likely meant.
    if (all.version !== undefined) {
      return `the version to publish is --version V (e.g. --version 2.0.0); ${own}`;
    }
    return positionals.includes("VERSION")
      ? `VERSION is an argument: vc ${command} ${positionals.join(" ")} (e.g. 1.2.5); ${own}`
      : own;
  }
  // `vc get /a.csv --dest out.csv`, `vc repo tag 7 --tag gold`: the flag
  // other tools would take it as, named after one of the command's
  // arguments. Before any guess: `--file` of `vc cache-client put` is its
  // FILE, not `--filename`, the name recorded for the upload.
  const argument = command === undefined ? undefined : argumentNamed(token, positionals);
  if (argument !== undefined) {
    return `${argument} is an argument: vc ${command} ${positionals.join(" ")}`;
  }
  const name = token.rawName;
  // Another tool's word for it (`make -j`, `--jobs`, rclone's `--transfers`,
  // `xargs -P`): `-j` guessed --json, the one long flag that starts with j.
  if (all.concurrency !== undefined && PARALLELISM_FLAGS.has(name.toLowerCase())) {
    return "did you mean --concurrency?";
  }
  // `aws s3 sync --exclude '*' --include '*.csv'` (rclone's --include too):
  // the keys to keep are --filter here. The guess by spelling, --exclude,
  // would leave out the very keys meant.
  if (all.filter !== undefined && name === "--include") {
    return "did you mean --filter? (aws s3 sync's and rclone's --include: --filter keeps only the " +
      "keys matching a regular expression, e.g. --filter '\\.csv$' for --include '*.csv')";
  }
  // aws s3 sync's own switches, typed on vc as on aws (a CI script's
  // `--only-show-errors`): what vc does instead, where spelling guessed nothing.
  const aws = Object.hasOwn(AWS_S3_SWITCHES, name) ? AWS_S3_SWITCHES[name] : undefined;
  if (aws !== undefined && (aws.command === undefined || aws.command === command)) return aws.hint;
  // `aws s3 cp --profile lab`: vc reads the store's settings from the AWS
  // variables (and the profile they name) alone, as the aws CLI does without
  // these flags.
  const awsFlag = Object.hasOwn(AWS_CLI_FLAGS, name) ? AWS_CLI_FLAGS[name] : undefined;
  if (awsFlag !== undefined && command !== undefined) {
    const [awsVariable, holds] = awsFlag;
    const value = token.value === undefined ? holds : shellWord(token.value);
    return `set ${awsVariable} instead (what aws reads without ${name}): ` +
      `${awsVariable}=${value} vc ${command} …`;
  }
  // kubectl's and the aws CLI's `-o json` / `--output json`: vc's output is
  // text, or JSON with --json; `-o` guessed --offline, leaving `json` an
  // unexpected argument.
  const format = (token.value ?? token.next)?.toLowerCase();
  if (OUTPUT_FLAGS.has(name) && format !== undefined && OUTPUT_FORMATS.has(format)) {
    return "did you mean --json? (vc prints text, or one JSON document with --json)";
  }
  const tool = Object.hasOwn(TOOL_SWITCHES, name) ? TOOL_SWITCHES[name] : undefined;
  if (tool !== undefined) return tool;
  const guess = name.startsWith("--")
    ? longGuess(name.slice(2), all)
    : shortGuess(name.slice(1), all);
  if (guess !== undefined) return `did you mean ${guess}?`;
  if (name.startsWith("--")) return ownHint?.(token.name);
  // `vc repo untag 7 -y`: a tag (a name) "-y", which no flag is like.
  return command !== undefined && positionals.length > 0 && token.arg === name
    ? dashName()
    : undefined;
}

// The positional argument a long flag is named after (`--dest` → DEST,
// `--tag` → TAGS, `--dest-uri` → DEST_URI), if any.
function argumentNamed(token: OptionToken, positionals: readonly string[]): string | undefined {
  if (!token.rawName.startsWith("--")) return undefined;
  const name = token.name.toLowerCase();
  return positionals.find((p) => {
    const word = p.toLowerCase().replaceAll("_", "-");
    return word === name || word === `${name}s` || `${word}s` === name;
  });
}

// The aws CLI's flags for the store, each with the variable vc reads instead
// and what that variable holds (the hint's placeholder when the flag's value
// is not given after `=`: `--endpoint-url http://…` is two arguments).
const AWS_CLI_FLAGS: Readonly<Record<string, readonly [variable: string, holds: string]>> = {
  "--profile": ["AWS_PROFILE", "NAME"],
  "--region": ["AWS_REGION", "REGION"],
  "--endpoint-url": ["AWS_ENDPOINT_URL", "URL"],
  "--endpoint": ["AWS_ENDPOINT_URL", "URL"],
  "--ca-bundle": ["AWS_CA_BUNDLE", "FILE"],
};

// aws s3 sync's (and cp's) switches with no vc flag of their name, and what
// vc does instead; `command`: only for that command.
const AWS_S3_SWITCHES: Readonly<Record<string, { command?: string; hint: string }>> = {
  "--only-show-errors": {
    hint: "did you mean --quiet? (-q: only errors and what must be said, no progress bar)",
  },
  "--no-progress": {
    hint: "did you mean --quiet? (-q: no progress bar; one is drawn only on a terminal)",
  },
  "--recursive": {
    command: "mirror",
    hint: "vc mirror always takes the whole tree below each SOURCE: leave --recursive out",
  },
  "--size-only": {
    command: "mirror",
    hint: "vc mirror compares each file's content (its MD5) with the object, not sizes or " +
      "times alone: leave the flag out",
  },
  "--exact-timestamps": {
    command: "mirror",
    hint: "vc mirror compares each file's content (its MD5) with the object, not sizes or " +
      "times alone: leave the flag out",
  },
};

// Other tools' switches for an output format, and the formats they are given.
const OUTPUT_FLAGS: ReadonlySet<string> = new Set([
  "-o",
  "--output",
  "--format",
  "--output-format",
]);
const OUTPUT_FORMATS: ReadonlySet<string> = new Set(["json", "jsonl", "ndjson", "yaml", "text"]);

// Other tools' switches for what a global flag of vc does (curl's --silent,
// the aws CLI's --debug).
const TOOL_SWITCHES: Readonly<Record<string, string>> = {
  "--silent": "did you mean --quiet? (-q: only errors and what must be said)",
  "--debug": "did you mean --verbose? (-v: stack traces and causes of errors)",
};

// Other tools' names for how many at once (lowercased), for the commands
// that take --concurrency.
const PARALLELISM_FLAGS: ReadonlySet<string> = new Set([
  "-j",
  "-p",
  "--jobs",
  "--parallel",
  "--parallelism",
  "--threads",
  "--workers",
  "--transfers",
  "--max-procs",
  "--max-concurrent-requests",
]);

function longGuess(name: string, all: OptionSpecs): string | undefined {
  // Python's argparse spells flags with `_` (baiji-pod's `--vc_manifest`,
  // `--vc_bucket`): the same words with `-`, less a `vc-` prefix, are vc's.
  const dashed = name.replaceAll("_", "-");
  const same = [dashed, dashed.replace(/^vc-/, "")].find((n) => Object.hasOwn(all, n));
  const guess = same ?? closest(name, Object.keys(all));
  return guess === undefined ? undefined : `--${guess}`;
}

// Any one letter is one edit from any other, so another letter is no guess
// (`-i` is not a typo of `-q`). The same letter in the other case is (`-Q`),
// and so is the long flag the letter starts, when only one does (`-i` →
// `--immutable`).
//
// `-n` is rsync's, git clean's and make's dry run; and the letter a negated
// flag starts (`--no-sign-request`) is no short form of it.
function shortGuess(letter: string, all: OptionSpecs): string | undefined {
  const cased = Object.values(all).find((o) => o.short?.toLowerCase() === letter.toLowerCase());
  if (cased?.short !== undefined) return `-${cased.short}`;
  if (letter === "n" && Object.hasOwn(all, "dry-run")) return "--dry-run";
  const long = Object.keys(all).filter((name) =>
    name.startsWith(letter) && !name.startsWith("no-")
  );
  return long.length === 1 ? `--${long[0]}` : undefined;
}

/** One flag as written, like `node:util` parseArgs' option tokens. */
interface OptionToken {
  kind: "option";
  name: string;
  rawName: string;
  /** The whole argument the flag was read from (`-out.csv` for `-o`). */
  arg: string;
  /** The argument after that one, if any (`json` of an unknown `-o json`). */
  next: string | undefined;
  value: string | undefined;
  inlineValue: boolean | undefined;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * Splits arguments into flags and positionals with the rules of
 * `node:util`'s `parseArgs` in non-strict mode (`--name=value`, `--name
 * value` for string flags, `-abc` groups of short booleans, `-fVALUE`, `--`
 * ends the flags). Written here because `node:util` brings up Deno's Node
 * compatibility layer, which costs a warm `vc path` more than it does.
 */
function tokenize(
  args: readonly string[],
  specs: OptionSpecs,
): { values: Values; positionals: string[]; tokens: OptionToken[] } {
  const shortNames = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.short) shortNames.set(spec.short, name);
  }
  const isString = (name: string) => specs[name]?.type === "string";
  const values: Values = Object.create(null);
  const positionals: string[] = [];
  const tokens: OptionToken[] = [];
  let arg = "";
  let next: string | undefined;
  const add = (name: string, rawName: string, value: string | undefined, inline?: boolean) => {
    tokens.push({ kind: "option", name, rawName, arg, next, value, inlineValue: inline });
    const v: string | boolean = value ?? true;
    if (specs[name]?.multiple) {
      const list = values[name];
      if (Array.isArray(list)) list.push(v);
      else values[name] = [v];
    } else {
      values[name] = v;
    }
  };
  for (let i = 0; i < args.length; i++) {
    arg = args[i]!;
    next = args[i + 1];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq !== -1) {
        add(arg.slice(2, eq), arg.slice(0, eq), arg.slice(eq + 1), true);
        continue;
      }
      const name = arg.slice(2);
      const next = args[i + 1];
      if (isString(name) && next !== undefined) {
        add(name, arg, next, false);
        i++;
      } else add(name, arg, undefined);
      continue;
    }
    if (arg.length < 2 || arg[0] !== "-") {
      positionals.push(arg);
      continue;
    }
    // -x, -xVALUE, -abc
    const first = arg[1]!;
    const firstName = shortNames.get(first) ?? first;
    if (arg.length === 2) {
      const next = args[i + 1];
      if (isString(firstName) && next !== undefined) {
        add(firstName, arg, next, false);
        i++;
      } else add(firstName, arg, undefined);
      continue;
    }
    if (isString(firstName)) {
      add(firstName, `-${first}`, arg.slice(2), true);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      const name = shortNames.get(c) ?? c;
      if (isString(name) && j < arg.length - 1) {
        // A string flag inside a group takes the rest of the group as its value.
        add(name, `-${c}`, arg.slice(j + 1), true);
        break;
      }
      if (isString(name)) {
        const next = args[i + 1];
        if (next !== undefined) {
          add(name, `-${c}`, next, false);
          i++;
        } else add(name, `-${c}`, undefined);
        break;
      }
      add(name, `-${c}`, undefined);
    }
  }
  return { values, positionals, tokens };
}
