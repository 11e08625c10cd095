/**
 * `vc config`: every effective setting and where it came from (a flag, the
 * environment, the project settings file, the user config file, or the
 * default), so "which bucket am I using, and why?" has one answer.
 *
 * @module
 */
import type { Command, CommandContext } from "./command.ts";
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  parseRequestTimeout,
  resolveS3Endpoint,
} from "../store/s3_config.ts";
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
      requestTimeoutRow(ctx),
      endpointRow(ctx),
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

/** The S3 request timeout every store of the command uses (seconds). */
function requestTimeoutRow(ctx: CommandContext): ConfigRow {
  const ms = cliStoreOptions(ctx).s3?.requestTimeoutMs;
  if (ms !== undefined) {
    return { name: "requestTimeout", value: ms / 1000, source: "flag --request-timeout" };
  }
  const env = ctx.io.env("VC_REQUEST_TIMEOUT");
  if (env !== undefined && env.trim() !== "") {
    return {
      name: "requestTimeout",
      value: parseRequestTimeout("VC_REQUEST_TIMEOUT", env) / 1000,
      source: "env VC_REQUEST_TIMEOUT",
    };
  }
  return { name: "requestTimeout", value: DEFAULT_REQUEST_TIMEOUT_MS / 1000, source: "default" };
}

/** The S3 endpoint `s3://` URIs go to (and the cache's `s3@…` directory is named after). */
function endpointRow(ctx: CommandContext): ConfigRow {
  const found = resolveS3Endpoint({}, (name) => ctx.io.env(name));
  return found === undefined
    ? { name: "s3Endpoint", value: "AWS (by region)", source: "default" }
    : { name: "s3Endpoint", value: found.endpoint, source: `env ${found.source}` };
}
