/**
 * Help texts: the command list for `vc --help` and the page for `vc <command> --help`.
 *
 * @module
 */
import { GLOBAL_OPTIONS, type OptionSpecs } from "./options.ts";
import type { Command } from "./command.ts";

/** A line of the command list; kept apart from the command modules so `vc --help` loads none. */
export interface CommandSummary {
  /** Name as typed, e.g. `"cache get"`. */
  name: string;
  /** One line. */
  summary: string;
  /** Heading it is listed under. */
  group: string;
}

/**
 * The top-level help page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mainHelp } from "./help.ts";
 * const text = mainHelp("0.1.0", [{ name: "ls", summary: "list", group: "Versioned assets" }]);
 * assert(text.includes("Versioned assets:") && text.includes("  ls"));
 * ```
 */
export function mainHelp(version: string, commands: readonly CommandSummary[]): string {
  const group = commonGroup(commands);
  const lines = group === undefined
    ? [
      `vc ${version}: S3, S3-compatible stores and plain directories as a safe, fast home for data files`,
      "",
      `Usage: ${mainUsage(group)}`,
    ]
    : [
      `vc ${group.word}: ${group.heading}`,
      "",
      `Usage: ${mainUsage(group)}`,
    ];
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const groups = [...new Set(commands.map((c) => c.group))];
  for (const heading of groups) {
    lines.push("", group === undefined ? `${heading}:` : "Commands:");
    for (const c of commands.filter((c) => c.group === heading)) {
      lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
    }
  }
  lines.push("", "Global flags:", ...optionLines(globalOptions(group)));
  if (group === undefined) {
    lines.push(
      "",
      'Settings (flag > environment > project vc.json / deno.json "vc" > config file > default;',
      "see them with `vc config`):",
      ...columns(SETTINGS),
      "S3 endpoint and credentials: AWS_ENDPOINT_URL, AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID, ...",
      "as for the aws CLI.",
      // Each read by one group of commands (their --help names it), listed
      // here too: this page alone did not say they exist.
      "Other commands' variables: VC_REPO and VC_REPO_CATALOG (--repo, --catalog of vc repo),",
      "VC_SERVE_STORE and VC_SERVE_TOKEN_FILE (--store, --token-file of vc serve), VC_CACHE_URL",
      "and VC_CACHE_TOKEN (--url, --token of vc cache-client).",
      "",
      "Exit codes: 0 ok, 1 failure, 2 usage error, 130 interrupted. NO_COLOR disables colour.",
      'Run "vc <command> --help" for a command\'s flags and examples.',
    );
  } else {
    lines.push("", `Run "vc ${group.word} <command> --help" for a command's flags and examples.`);
  }
  return lines.join("\n") + "\n";
}

// Handled by main.ts before any command is parsed; listed with the global flags.
const VERSION_OPTION: OptionSpecs = {
  version: { type: "boolean", short: "V", description: "print the version of vc" },
};

// `--version` only on the top-level page, where it works: the group pages
// listed it, and `vc cache --version` failed as "cache: missing subcommand".
function globalOptions(group: ReturnType<typeof commonGroup>): OptionSpecs {
  return group === undefined ? { ...GLOBAL_OPTIONS, ...VERSION_OPTION } : GLOBAL_OPTIONS;
}

// The settings every versioned-asset command reads: flag, variable, meaning.
const SETTINGS: readonly (readonly [string, string, string])[] = [
  [
    "--bucket B",
    "VC_BUCKET",
    "versioned assets' store: NAME (= s3://NAME), s3://name[/prefix], ./dir or file:///dir",
  ],
  ["--manifest M", "VC_MANIFEST", "manifest file (default: versioned_assets.json)"],
  ["--lock L", "VC_LOCK", "integrity lock file (default: versioned_assets.lock.json)"],
  ["--frozen", "VC_FROZEN=1", "refuse unlocked entries and lock changes (CI)"],
  ["--cache-dir D", "VC_CACHE_DIR", "local cache directory (default: <platform cache dir>/vc)"],
  [
    "--timeout T",
    "VC_CACHE_TIMEOUT",
    "revalidate cached files older than T: seconds or e.g. 12h (default 1d; 0: always)",
  ],
  ["--offline", "VC_OFFLINE", "never contact the store; use cached files only"],
  [
    "--no-sign-request",
    "VC_S3_ANONYMOUS=1",
    "read public S3 buckets without credentials (unsigned requests; no writes)",
  ],
  [
    "--parallel-threshold S",
    "VC_PARALLEL_THRESHOLD",
    "download files this large with parallel ranged GETs (default 32MiB)",
  ],
  ["--range-size S", "VC_RANGE_SIZE", "size of one ranged GET (at least 64KiB; default 8MiB)"],
  ["--concurrency N", "VC_CONCURRENCY", "prefill/mirror downloads in flight (default 16)"],
  // Settings with no flag: listed too, or `vc --help` never names them.
  [
    "",
    "VC_IMMUTABLE_BUCKETS",
    "buckets whose objects never change, comma-separated: never revalidated",
  ],
  [
    "",
    "VC_LOCK_WAIT",
    "seconds (or e.g. 2m) to wait for another vc fetching the same file (default 60)",
  ],
  [
    "",
    "VC_REVALIDATE_TIMEOUT",
    "seconds to wait for the store when revalidating a cached file before serving it (default 5)",
  ],
  [
    "",
    "VC_ON_UNREACHABLE",
    "fail: fail instead of serving a cached file the store cannot confirm (default warn)",
  ],
  ["", "VC_S3_PATH_STYLE", "1 or 0: force path-style S3 URLs on or off (default: automatic)"],
  [
    "",
    "VC_S3_REQUEST_PAYER",
    "1: say the requester pays, to read requester-pays S3 buckets (default 0)",
  ],
  ["", "VC_CONFIG", "user config file (default: <platform config dir>/vc/config.json)"],
];

function mainUsage(group: { word: string } | undefined): string {
  return `vc${group === undefined ? "" : ` ${group.word}`} <command> [arguments] [flags]`;
}

/** The group all `commands` belong to, when they are one group's (`vc repo --help`). */
function commonGroup(
  commands: readonly CommandSummary[],
): { word: string; heading: string } | undefined {
  const word = commands[0]?.name.split(" ")[0];
  if (word === undefined || commands.length < 2) return undefined;
  if (!commands.every((c) => c.name === word || c.name.startsWith(`${word} `))) return undefined;
  if (new Set(commands.map((c) => c.group)).size !== 1) return undefined;
  return { word, heading: commands[0]!.group };
}

/**
 * The help page of one command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandHelp } from "./help.ts";
 * const text = commandHelp({
 *   name: "ls", positionals: [], required: 0, usage: "",
 *   options: {}, examples: ["vc ls   # all entries"], run: () => Promise.resolve(0),
 * }, "list manifest entries");
 * assert(text.startsWith("vc ls: list manifest entries") && text.includes("Examples:"));
 * ```
 */
export function commandHelp(command: Command, summary: string): string {
  const lines = [
    `vc ${command.name}: ${summary}`,
    "",
    `Usage: ${commandUsage(command)}`,
  ];
  if (command.description) lines.push("", ...descriptionLines(command.description));
  // One column for both tables, so the command's flags and the global ones line up.
  const own = optionRows(command.options);
  const [ownLines, globalLines] = columnGroups([own, optionRows(GLOBAL_OPTIONS)]);
  if (own.length > 0) lines.push("", "Flags:", ...ownLines!);
  lines.push("", "Global flags:", ...globalLines!);
  if (command.examples.length > 0) {
    lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  }
  return lines.join("\n") + "\n";
}

/**
 * A command's description, wrapped by hand, within {@linkcode LINE_WIDTH}: a
 * line that grew past it (a shared sentence appended to it) wraps, and what
 * it spills goes before the next line of its paragraph rather than standing
 * alone.
 */
function descriptionLines(description: string): string[] {
  const out: string[] = [];
  let spill = "";
  const lines = description.split("\n");
  lines.forEach((line, i) => {
    const wrapped = wrapWords(spill === "" ? line : `${spill} ${line}`, "");
    spill = "";
    if (wrapped.length > 1 && (lines[i + 1] ?? "").trim() !== "") spill = wrapped.pop()!;
    out.push(...wrapped);
  });
  return out;
}

/** One flag as `--help --json` describes it; the text pages print the same facts. */
export interface FlagDoc {
  /** As typed, e.g. `"--bucket"`. */
  name: string;
  /** One-letter alias, e.g. `"-q"`. */
  short?: string;
  /** Placeholder of the value a string flag takes, e.g. `"URI"`. */
  value?: string;
  /** May be given several times. */
  repeatable: boolean;
  /** One line of help. */
  description: string;
}

/** The command list of `vc --help --json` (or of a group's, `vc repo --help --json`). */
export interface MainHelpDoc {
  /** `"vc"`, or the group's command word with `vc` (`"vc repo"`). */
  name: string;
  /** The version of vc. */
  version: string;
  /** The usage line. */
  usage: string;
  /** Every command listed, with its heading. */
  commands: CommandSummary[];
  /** The flags every command accepts, and `--version`. */
  globalFlags: FlagDoc[];
}

/** The page of `vc <command> --help --json`: the facts of {@linkcode commandHelp}. */
export interface CommandHelpDoc {
  /** As typed, e.g. `"cache get"`. */
  name: string;
  /** One line. */
  summary: string;
  /** The usage line. */
  usage: string;
  /** Paragraphs shown under the usage line, when the command has them. */
  description?: string;
  /** The command's own flags. */
  flags: FlagDoc[];
  /** The flags every command accepts. */
  globalFlags: FlagDoc[];
  /** Example command lines, each with a comment. */
  examples: string[];
}

/**
 * {@linkcode mainHelp} as one JSON document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mainHelpDoc } from "./help.ts";
 * const doc = mainHelpDoc("0.1.0", [{ name: "ls", summary: "list", group: "Versioned assets" }]);
 * assert(doc.commands[0]?.name === "ls" && doc.globalFlags.some((f) => f.name === "--json"));
 * ```
 */
export function mainHelpDoc(version: string, commands: readonly CommandSummary[]): MainHelpDoc {
  const group = commonGroup(commands);
  return {
    name: group === undefined ? "vc" : `vc ${group.word}`,
    version,
    usage: mainUsage(group),
    commands: commands.map(({ name, summary, group }) => ({ name, summary, group })),
    globalFlags: flagDocs(globalOptions(group)),
  };
}

/**
 * {@linkcode commandHelp} as one JSON document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandHelpDoc } from "./help.ts";
 * const doc = commandHelpDoc({
 *   name: "ls", positionals: [], required: 0, usage: "",
 *   options: { tag: { type: "string", valueName: "T", multiple: true, description: "a tag" } },
 *   examples: [], run: () => Promise.resolve(0),
 * }, "list manifest entries");
 * assert(doc.usage === "vc ls [flags]" && doc.flags[0]?.value === "T");
 * ```
 */
export function commandHelpDoc(command: Command, summary: string): CommandHelpDoc {
  return {
    name: command.name,
    summary,
    usage: commandUsage(command),
    ...(command.description ? { description: command.description } : {}),
    flags: flagDocs(command.options),
    globalFlags: flagDocs(GLOBAL_OPTIONS),
    examples: [...command.examples],
  };
}

function commandUsage(command: Command): string {
  return `vc ${command.name}${command.usage ? " " + command.usage : ""} [flags]`;
}

function flagDocs(options: OptionSpecs): FlagDoc[] {
  // A flag the command takes only to refuse it (`unused`) is not offered.
  return Object.entries(options).filter(([, o]) => o.unused === undefined).map(([name, o]) => ({
    name: `--${name}`,
    ...(o.short ? { short: `-${o.short}` } : {}),
    ...(o.type === "string" ? { value: o.valueName ?? "VALUE" } : {}),
    repeatable: o.multiple === true,
    description: o.description,
  }));
}

function optionRows(options: OptionSpecs): (readonly [string, string])[] {
  return flagDocs(options).map((f) => {
    const short = f.short ? `${f.short}, ` : "    ";
    const value = f.value === undefined ? "" : ` ${f.value}`;
    const repeat = f.repeatable ? " (repeatable)" : "";
    return [`${short}${f.name}${value}`, `${f.description}${repeat}`] as const;
  });
}

function optionLines(options: OptionSpecs): string[] {
  return columns(optionRows(options));
}

// Help lines stay within this width; longer descriptions wrap under their column.
const LINE_WIDTH = 100;

/**
 * Rows as aligned columns, indented by two spaces: every column but the last
 * is padded to its widest cell, and the last wraps at word boundaries.
 */
function columns(rows: readonly (readonly string[])[]): string[] {
  return columnGroups([rows])[0]!;
}

/** {@linkcode columns} of several tables at once, aligned with each other. */
function columnGroups(tables: readonly (readonly (readonly string[])[])[]): string[][] {
  const rows = tables.flat();
  const count = Math.max(...rows.map((r) => r.length));
  const widths = Array.from(
    { length: count - 1 },
    (_, i) => Math.max(...rows.map((r) => r.length - 1 > i ? r[i]!.length : 0)) + 2,
  );
  const indent = 2 + widths.reduce((a, b) => a + b, 0);
  return tables.map((table) => table.flatMap((row) => wrapRow(row, widths, indent)));
}

function wrapRow(row: readonly string[], widths: readonly number[], indent: number): string[] {
  const left = row.slice(0, -1).map((cell, i) => cell.padEnd(widths[i]!)).join("");
  // A cell is one paragraph: a line end in its text wraps like a space (at
  // column 0 it broke the flag table).
  const text = (row.at(-1) ?? "").replace(/\s*\n\s*/g, " ");
  return wrapWords(text, `  ${left.padEnd(indent - 2)}`, " ".repeat(indent));
}

/**
 * `text` after `first` (on the first line) or `indent` (on the next ones),
 * wrapped at word boundaries within {@linkcode LINE_WIDTH}.
 */
function wrapWords(text: string, first: string, indent = first): string[] {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(" ")) {
    if (!empty && line.length + 1 + word.length > LINE_WIDTH) {
      out.push(line);
      line = indent;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  out.push(line.trimEnd());
  return out;
}
