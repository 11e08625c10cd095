/**
 * What a command's flags look like, and the flags every command accepts.
 * Apart from `args.ts` (the parser) so that `vc --help`, which prints these,
 * does not load `node:util` and with it Deno's Node compatibility layer.
 *
 * @module
 */

/** One flag a command accepts. */
export interface OptionSpec {
  /** `"string"` takes a value (`--bucket B` or `--bucket=B`); `"boolean"` does not. */
  type: "string" | "boolean";
  /** May be given several times (string flags only); values are collected in order. */
  multiple?: boolean;
  /** One-letter alias (`-q`). */
  short?: string;
  /** Placeholder shown in help, e.g. `URI`. */
  valueName?: string;
  /** One line of help. */
  description: string;
}

/** Flags by long name (without the leading `--`). */
export type OptionSpecs = Record<string, OptionSpec>;

/**
 * Flags every command accepts. `--version` is not among them: `vc --version`
 * is handled before dispatch, and `add`/`update` use `--version V` themselves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GLOBAL_OPTIONS } from "./options.ts";
 * assert(GLOBAL_OPTIONS.json?.type === "boolean");
 * ```
 */
export const GLOBAL_OPTIONS: OptionSpecs = {
  json: { type: "boolean", description: "print machine-readable JSON on stdout" },
  quiet: { type: "boolean", short: "q", description: "print only essential output" },
  verbose: { type: "boolean", short: "v", description: "show stack traces and details on errors" },
  help: { type: "boolean", short: "h", description: "show help for this command" },
  "request-timeout": {
    type: "string",
    valueName: "SECONDS",
    description:
      "give up on an S3 or cache service request silent this long (VC_REQUEST_TIMEOUT, default 60; 0: never)",
  },
  "no-sign-request": {
    type: "boolean",
    description:
      "read public S3 buckets without credentials: requests go unsigned, writes are refused (VC_S3_ANONYMOUS=1)",
  },
};
