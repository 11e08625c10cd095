/**
 * `vc config`: every effective setting and where it came from (a flag, the
 * environment, the project settings file, the user config file, or the
 * default), so "which bucket am I using, and why?" has one answer.
 *
 * @module
 */
import type { Command, CommandContext } from "./command.ts";
import { resolveS3Settings } from "../store/s3_config.ts";
import { cliStoreOptions } from "./store_options.ts";
import { table } from "./output.ts";
import { VERSIONED_OPTIONS, versionedSettings } from "./settings.ts";

/** One row of `vc config`. */
export interface ConfigRow {
  /** The setting's name (as in the config file). */
  name: string;
  /** Its effective value (`null` when unset). */
  value: unknown;
  /** Where it came from: `flag --x`, `env VC_X`, `project FILE`, `config FILE`, `default`. */
  source: string;
}

/**
 * `vc config`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { config } from "./config_command.ts";
 * assert(config.name === "config" && config.required === 0);
 * ```
 */
export const config: Command = {
  name: "config",
  positionals: [],
  required: 0,
  usage: "",
  description:
    'Shows each effective setting and where it came from. Order: flags > environment (VC_*)\n> project file (vc.json, or a "vc" block in deno.json, found walking up from the\nmanifest) > user config file > defaults.',
  options: VERSIONED_OPTIONS,
  examples: ["vc config", "vc config --json", "vc config --manifest deploy/versioned_assets.json"],
  async run(ctx) {
    const v = versionedSettings(ctx);
    const s = v.settings;
    const rows: ConfigRow[] = [
      { name: "bucket", value: s.bucket ?? null, source: s.sources.bucket },
      { name: "manifest", value: v.manifest, source: v.manifestSource },
      { name: "cacheDir", value: s.cacheDir, source: s.sources.cacheDir },
      { name: "timeout", value: s.timeout, source: s.sources.timeout },
      { name: "immutableBuckets", value: s.immutableBuckets, source: s.sources.immutableBuckets },
      { name: "offline", value: s.offline, source: s.sources.offline },
      { name: "lock", value: v.lock ?? null, source: v.lockSource },
      { name: "frozen", value: v.frozen, source: v.frozenSource },
      ...s3Rows(ctx),
      { name: "projectFile", value: s.projectPath ?? null, source: "" },
      { name: "configFile", value: s.configPath ?? null, source: "" },
    ];
    const show = (value: unknown) =>
      value === null
        ? "(none)"
        : Array.isArray(value)
        ? value.join(",") || "(none)"
        : typeof value === "number"
        ? `${value}s`
        : String(value);
    await ctx.out.data(rows, table(rows.map((r) => [r.name, show(r.value), r.source])));
  },
};

/**
 * The request timeout (seconds) and the S3 endpoint every store of the
 * command uses, as the stores resolve them (`resolveS3Settings`), with
 * where each came from.
 */
function s3Rows(ctx: CommandContext): ConfigRow[] {
  const options = cliStoreOptions(ctx).s3 ?? {};
  const env = (name: string) => ctx.io.env(name);
  const s3 = resolveS3Settings(options, env);
  const timeoutSource = options.requestTimeoutMs !== undefined
    ? "flag --request-timeout"
    : (env("VC_REQUEST_TIMEOUT") ?? "").trim() !== ""
    ? "env VC_REQUEST_TIMEOUT"
    : "default";
  return [
    { name: "requestTimeout", value: s3.requestTimeoutMs / 1000, source: timeoutSource },
    s3.endpoint === undefined
      ? { name: "s3Endpoint", value: "AWS (by region)", source: "default" }
      : { name: "s3Endpoint", value: s3.endpoint, source: `env ${s3.endpointSource}` },
  ];
}
