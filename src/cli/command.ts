/**
 * The shape of a command: what it accepts (for parsing and `--help`) and what
 * it does.
 *
 * @module
 */
import type { Flags, OptionSpecs } from "./args.ts";
import type { CliIo } from "./io.ts";
import type { Output } from "./output.ts";

/** What a running command gets. */
export interface CommandContext {
  /** The process boundary. */
  io: CliIo;
  /** Parsed flags. */
  flags: Flags;
  /** Positional arguments, already counted against the spec. */
  args: string[];
  /** Printer honouring `--json` / `--quiet`. */
  out: Output;
}

/** One `vc` command. */
export interface Command {
  /** Full name, e.g. `"add"` or `"cache get"`. */
  name: string;
  /** Positional argument names, required ones first; optional ones are shown in brackets. */
  positionals: readonly string[];
  /** How many positionals are required. */
  required: number;
  /** Accepts more positionals than named (`vc mirror SOURCE... TARGET`). */
  variadic?: boolean;
  /** The last positional is one comma-separated list (`vc repo tag ID a,b`), not one word each. */
  commaListLast?: boolean;
  /** What to give instead of arguments beyond `positionals` (see `ArgsSpec.extraHint`). */
  extraHint?: (extra: readonly string[], all: readonly string[]) => string | undefined;
  /** The way out for a flag it lacks (see `ArgsSpec.unknownFlagHint`). */
  unknownFlagHint?: (name: string) => string | undefined;
  /** Usage line after `vc <name> `, e.g. `"PATH FILE [--version V]"`. */
  usage: string;
  /** Paragraphs shown under the usage line. */
  description?: string;
  /** The command's own flags (global flags are added). */
  options: OptionSpecs;
  /** Example command lines, each with a comment. */
  examples: readonly string[];
  /** Runs the command; resolves to the exit code (default 0). */
  run(ctx: CommandContext): Promise<number | void>;
}
