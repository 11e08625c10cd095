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
  /**
   * The flags (long names) without any of which this one does nothing
   * (`repo get`'s `--cache-dir`: only `--to` and `--local` download): given
   * without them, it is refused as a usage error naming them, not ignored.
   */
  onlyWith?: readonly string[];
  /**
   * Why this command does nothing with the flag, which it takes only as one
   * of a shared set (`vc ls`'s `--cache-dir`: it reads the manifest alone):
   * given, it is refused as a usage error saying so; help does not list it.
   */
  unused?: string;
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

/**
 * `options`, each doing something only beside one of `flags`
 * ({@linkcode OptionSpec.onlyWith}): given without them, refused. Help says
 * so (`with --watch: …`) where a description does not already.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onlyWith } from "./options.ts";
 * const options = onlyWith({ debounce: { type: "string", description: "wait" } }, ["watch"]);
 * assert.deepEqual(options.debounce?.onlyWith, ["watch"]);
 * assert.equal(options.debounce?.description, "with --watch: wait");
 * ```
 */
export function onlyWith(options: OptionSpecs, flags: readonly string[]): OptionSpecs {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => {
      const need = flags.map((f) => `--${f}`).join(" or ");
      const description = spec.description.startsWith(`with ${need}`)
        ? spec.description
        : `with ${need}: ${spec.description}`;
      return [name, { ...spec, description, onlyWith: flags }];
    }),
  );
}

/**
 * `options` marked unused by a command, for `reason`
 * ({@linkcode OptionSpec.unused}): given, refused; help leaves them out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unusedBy } from "./options.ts";
 * const options = unusedBy({ lock: { type: "string", description: "lock file" } }, "no download");
 * assert.equal(options.lock?.unused, "no download");
 * ```
 */
export function unusedBy(options: OptionSpecs, reason: string): OptionSpecs {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [name, { ...spec, unused: reason }]),
  );
}
