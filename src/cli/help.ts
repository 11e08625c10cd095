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
  const lines = [
    `vc ${version}: S3, S3-compatible stores and plain directories as a safe, fast home for data files`,
    "",
    "Usage: vc <command> [arguments] [flags]",
  ];
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const groups = [...new Set(commands.map((c) => c.group))];
  for (const group of groups) {
    lines.push("", `${group}:`);
    for (const c of commands.filter((c) => c.group === group)) {
      lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
    }
  }
  lines.push(
    "",
    "Global flags:",
    ...optionLines(GLOBAL_OPTIONS),
    "  -V, --version      print the version of vc",
    "",
    'Settings (flag > environment > project vc.json / deno.json "vc" > config file > default;',
    "see them with `vc config`):",
    "  --bucket B      VC_BUCKET      versioned assets' store: NAME (= s3://NAME), s3://name[/prefix],",
    "                                 ./dir or file:///dir",
    "  --manifest M    VC_MANIFEST    manifest file (default: versioned_assets.json)",
    "  --lock L        VC_LOCK        integrity lock file (default: versioned_assets.lock.json)",
    "  --frozen        VC_FROZEN=1    refuse unlocked entries and lock changes (CI)",
    "  --cache-dir D   VC_CACHE_DIR   local cache directory",
    "  --timeout T     VC_CACHE_TIMEOUT  revalidate cached files older than T (e.g. 1d, 0)",
    "  --offline       VC_OFFLINE     never contact the store; use cached files only",
    "",
    "Exit codes: 0 ok, 1 failure, 2 usage error. NO_COLOR disables colour.",
    'Run "vc <command> --help" for a command\'s flags and examples.',
  );
  return lines.join("\n") + "\n";
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
    `Usage: vc ${command.name}${command.usage ? " " + command.usage : ""} [flags]`,
  ];
  if (command.description) lines.push("", command.description);
  if (Object.keys(command.options).length > 0) {
    lines.push("", "Flags:", ...optionLines(command.options));
  }
  lines.push("", "Global flags:", ...optionLines(GLOBAL_OPTIONS));
  if (command.examples.length > 0) {
    lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  }
  return lines.join("\n") + "\n";
}

function optionLines(options: OptionSpecs): string[] {
  const entries = Object.entries(options).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : "    ";
    const value = o.type === "string" ? ` ${o.valueName ?? "VALUE"}` : "";
    const repeat = o.multiple ? " (repeatable)" : "";
    return [`  ${short}--${name}${value}`, `${o.description}${repeat}`] as const;
  });
  const width = Math.max(...entries.map(([left]) => left.length)) + 2;
  return entries.map(([left, right]) => `${left.padEnd(Math.max(width, 21))}${right}`);
}
