/**
 * `vc config`: every effective setting and where it came from (a flag, the
 * environment, the project settings file, the user config file, or the
 * default), so "which bucket am I using, and why?" has one answer.
 *
 * @module
 */
import type { Command, CommandContext } from "./command.ts";
import {
  awsEndpoint,
  describeCredentials,
  isIpHost,
  resolveS3Settings,
} from "../store/s3_config.ts";
import { cliStoreOptions } from "./store_options.ts";
import { table } from "./output.ts";
import { type ConfigFileError, InvalidInputError } from "../errors.ts";
import { defaultConfigFile, platformDirSource } from "../config.ts";
import { concurrencySetting, EXIT_FAILURE, formatError, withFlagNames } from "./errors.ts";
import { DEFAULT_PREFILL_CONCURRENCY } from "../prefill/prefill.ts";
import { VERSIONED_OPTIONS, versionedSettings } from "./settings.ts";
import { defaultLockFile } from "../versioned/lock_file.ts";
import {
  parseLockWait,
  parseOnUnreachable,
  parseRevalidateTimeout,
} from "../cache/cache_errors.ts";
import { DEFAULT_PARALLEL_THRESHOLD, DEFAULT_RANGE_SIZE } from "../store/download.ts";
import { misspelledVariableWarnings } from "./env_spelling.ts";
import { UsageError } from "./errors.ts";
import { closest } from "../suggest.ts";

// Rows whose number is bytes, exact as JSON gives them, and rows whose number
// is a count (no unit); the other numbers are seconds.
const SIZE_ROWS: ReadonlySet<string> = new Set(["parallelThreshold", "rangeSize"]);
const COUNT_ROWS: ReadonlySet<string> = new Set(["s3MaxAttempts", "concurrency"]);

/**
 * One row of `vc config`. A settings file that cannot be read or is invalid
 * is shown in its row (`projectFile` or `configFile`) with the source
 * `error: …`, as is a setting that cannot be resolved (a malformed variable
 * such as `VC_CACHE_TIMEOUT=abc`) in its own; the other settings are
 * resolved without it, and the command then fails with that error.
 */
export interface ConfigRow {
  /** The setting's name (as in the config file). */
  name: string;
  /** Its effective value (`null` when unset). */
  value: unknown;
  /** Where it came from: `flag --x`, `env VC_X`, `project FILE`, `config FILE`, `default` (or `error: …`, `ignored: …` for a file). */
  source: string;
  /**
   * Why the value could not be resolved (a malformed environment variable;
   * the cache directory, the user config file with `HOME` unset: the value
   * is then `null`), or why the settings file in the row cannot be used.
   */
  error?: string;
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
  positionals: ["NAME"],
  required: 0,
  usage: "[NAME]",
  description:
    'Shows each effective setting and where it came from. Order: flags > environment (VC_*)\n> project file (vc.json, or a "vc" block in deno.json, found walking up from the\nmanifest) > user config file > defaults. With NAME (a row\'s name, e.g. cacheDir),\nprints that value alone, for a script (--json: its row); unset: nothing, exit 1.',
  options: VERSIONED_OPTIONS,
  examples: [
    "vc config",
    "vc config --json",
    "vc config --manifest deploy/versioned_assets.json",
    "vc config cacheDir",
  ],
  async run(ctx) {
    // A broken settings file is shown as such, and the rest as far as it goes.
    const broken: Partial<Record<"config" | "project", ConfigFileError>> = {};
    // So is a setting that cannot be resolved (a cache directory with HOME
    // unset, a malformed VC_* or AWS_* variable), in its own row: the other
    // settings are what a user runs `vc config` to check.
    const settingErrors = new Map<string, InvalidInputError>();
    const v = versionedSettings(ctx, {
      onFileError: (error, kind) => (broken[kind] = error),
      onSettingError: (error, name) => settingErrors.set(name, error),
    });
    const s = v.settings;
    const fileRow = (name: string, path: string | undefined, error?: ConfigFileError): ConfigRow =>
      error === undefined
        ? { name, value: path ?? null, source: "" }
        : { name, value: error.path, source: `error: ${error.message}`, error: error.message };
    const rows: ConfigRow[] = [
      { name: "bucket", value: s.bucket ?? null, source: s.sources.bucket },
      { name: "manifest", value: v.manifest, source: v.manifestSource },
      {
        name: "cacheDir",
        value: s.cacheDir,
        source: s.sources.cacheDir === "default"
          ? platformDirSource("cache", { env: (name) => ctx.io.env(name) })
          : s.sources.cacheDir,
      },
      { name: "timeout", value: s.timeout, source: s.sources.timeout },
      { name: "immutableBuckets", value: s.immutableBuckets, source: s.sources.immutableBuckets },
      { name: "offline", value: s.offline, source: s.sources.offline },
      {
        name: "parallelThreshold",
        value: s.parallelThreshold ?? DEFAULT_PARALLEL_THRESHOLD,
        source: s.sources.parallelThreshold,
      },
      {
        name: "rangeSize",
        value: s.rangeSize ?? DEFAULT_RANGE_SIZE,
        source: s.sources.rangeSize,
      },
      // The lock file in use: the one named, else the manifest's own.
      {
        name: "lock",
        // Beside a manifest that cannot be resolved is no path either.
        value: v.lock ?? (settingErrors.has("manifest") ? null : defaultLockFile(v.manifest)),
        source: v.lockSource === "" ? "default" : v.lockSource,
      },
      { name: "frozen", value: v.frozen, source: v.frozenSource },
      concurrencyRow(ctx, settingErrors),
      envSecondsRow(ctx, settingErrors, "lockWait", "VC_LOCK_WAIT", parseLockWait),
      envSecondsRow(
        ctx,
        settingErrors,
        "revalidateTimeout",
        "VC_REVALIDATE_TIMEOUT",
        parseRevalidateTimeout,
      ),
      envSecondsRow(ctx, settingErrors, "onUnreachable", "VC_ON_UNREACHABLE", parseOnUnreachable),
      ...s3Rows(ctx, settingErrors),
      fileRow("projectFile", s.projectPath, broken.project),
      ...(s.ignoredProjectPath === undefined ? [] : [{
        name: "ignoredProjectFile",
        value: s.ignoredProjectPath,
        source: `ignored: ${s.projectPath} in the same directory wins`,
      }]),
      ...(s.untrustedProjectPaths ?? []).map((path) => ({
        name: "untrustedProjectFile",
        value: path,
        source: "ignored: another user's, in a directory every user may write to",
      })),
      configFileRow(ctx, s.configPath, broken.config, fileRow),
    ].map((row) => {
      const error = settingErrors.get(row.name);
      if (error === undefined) return row;
      // The library's words for its options (`or pass the cacheDir option`)
      // as the flags, as the same error on stderr says them.
      const message = withFlagNames(error.message);
      return { name: row.name, value: null, source: `error: ${message}`, error: message };
    });
    const wanted = ctx.args[0];
    if (wanted !== undefined) {
      const own = settingErrors.get(wanted);
      return await oneRow(ctx, rows, wanted, [own, broken.project, broken.config]);
    }
    const show = (value: unknown, name: string) =>
      value === null
        ? "(none)"
        : Array.isArray(value)
        ? value.join(",") || "(none)"
        : typeof value === "number"
        ? SIZE_ROWS.has(name) ? `${value} B` : COUNT_ROWS.has(name) ? String(value) : `${value}s`
        : String(value);
    await ctx.out.data(rows, table(rows.map((r) => [r.name, show(r.value, r.name), r.source])));
    // A mistyped variable is ignored: its setting shows the default, and
    // `vc config` is where a user looks for why.
    for (const line of misspelledVariableWarnings((name) => ctx.io.env(name))) ctx.out.warn(line);
    // Exit non-zero, each broken file named (and what is wrong) on a line of
    // its own; stdout keeps its one document (--json).
    const errors = [...settingErrors.values(), broken.project, broken.config].filter((e) =>
      e !== undefined
    );
    for (const error of errors) ctx.io.writeStderr(formatError(error));
    return errors.length === 0 ? undefined : EXIT_FAILURE;
  },
};

/**
 * `vc config NAME`: the row's value alone (`--json`: the row), as
 * `git config KEY` prints one; an unset value prints nothing and exits 1.
 * Fails on the row's own error (`failures`: it, then the broken settings
 * files, which of whose values holds is unknown), not on another row's.
 */
async function oneRow(
  ctx: CommandContext,
  rows: readonly ConfigRow[],
  wanted: string,
  failures: readonly (Error | undefined)[],
): Promise<number | undefined> {
  const row = rows.find((r) => r.name === wanted);
  if (row === undefined) {
    const names = rows.map((r) => r.name);
    const guess = closest(wanted, names);
    throw new UsageError(`config: no setting ${JSON.stringify(wanted)}`, {
      command: "config",
      hint: guess !== undefined ? `did you mean ${guess}?` : `the settings: ${names.join(", ")}`,
    });
  }
  // No value, or a list with no item (no immutable buckets, which the table
  // shows as "(none)" too): unset, nothing printed, exit 1.
  const unset = row.value === null || (Array.isArray(row.value) && row.value.length === 0);
  const text = unset
    ? []
    : [Array.isArray(row.value) ? row.value.join(",") : plainValue(row, rows)];
  await ctx.out.data(row, text);
  for (const line of misspelledVariableWarnings((name) => ctx.io.env(name))) ctx.out.warn(line);
  const errors = failures.filter((e) => e !== undefined);
  for (const error of errors) ctx.io.writeStderr(formatError(error));
  return errors.length > 0 || unset ? EXIT_FAILURE : undefined;
}

/**
 * A row's value as `vc config NAME` prints it for a script: the `s3Endpoint`
 * row's `AWS (by region)` (no endpoint configured), which the table shows, is
 * the URL requests go to, AWS's endpoint of the region, not that prose.
 */
function plainValue(row: ConfigRow, rows: readonly ConfigRow[]): string {
  const value = String(row.value);
  if (row.name !== "s3Endpoint" || !value.startsWith(AWS_BY_REGION)) return value;
  // FIPS or dual-stack: the row names the endpoint already.
  const named = value.slice(AWS_BY_REGION.length).replace(/^: /, "");
  if (named !== "") return named;
  const region = rows.find((r) => r.name === "s3Region")?.value;
  return typeof region === "string" ? awsEndpoint({}, region) : value;
}

/** How the `s3Endpoint` row says no endpoint is configured. */
const AWS_BY_REGION = "AWS (by region)";

/**
 * The `configFile` row. With no file and no `VC_CONFIG`, and `HOME` (and
 * `XDG_CONFIG_HOME`) unset, there is no default config file: the row says so
 * and why, which is no failure (the settings come from the environment).
 */
function configFileRow(
  ctx: CommandContext,
  path: string | undefined,
  error: ConfigFileError | undefined,
  fileRow: (name: string, path: string | undefined, error?: ConfigFileError) => ConfigRow,
): ConfigRow {
  if (path !== undefined || error !== undefined || (ctx.io.env("VC_CONFIG") ?? "") !== "") {
    const row = fileRow("configFile", path, error);
    // Which file is read is a setting too: a stale VC_CONFIG in a shell
    // profile is what `vc config` is run to find.
    if (row.source === "" && path !== undefined) {
      row.source = (ctx.io.env("VC_CONFIG") ?? "") !== ""
        ? "env VC_CONFIG"
        : platformDirSource("config", { env: (name) => ctx.io.env(name) });
    }
    return row;
  }
  let file: string;
  try {
    file = defaultConfigFile({ env: (name) => ctx.io.env(name) });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { name: "configFile", value: null, source: `none: ${message}`, error: message };
  }
  // No file yet: say where vc looked, which is where a newcomer creates it
  // (a bare "(none)" left them to guess the platform's config directory).
  return { name: "configFile", value: null, source: `none: no file at ${file}` };
}

/**
 * The downloads in flight of `vc prefill` and `vc mirror` (`VC_CONCURRENCY`;
 * their flag is theirs alone), as they read it.
 */
function concurrencyRow(
  ctx: CommandContext,
  settingErrors: Map<string, InvalidInputError>,
): ConfigRow {
  try {
    const { value, source } = concurrencySetting(undefined, (name) => ctx.io.env(name), "config");
    return { name: "concurrency", value: value ?? DEFAULT_PREFILL_CONCURRENCY, source };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    settingErrors.set("concurrency", error);
    return { name: "concurrency", value: null, source: "env VC_CONCURRENCY" };
  }
}

/**
 * A cache setting that only the environment sets (`VC_LOCK_WAIT`: how long,
 * in seconds, a download waits for another process's lock on its entry;
 * `VC_REVALIDATE_TIMEOUT`: how long a revalidation waits for the store;
 * `VC_ON_UNREACHABLE`: whether a copy the store cannot confirm is served), as
 * the asset cache reads it: an invalid value goes to `settingErrors` (its row
 * shows it, and `vc config` fails as every command that opens the cache does).
 */
function envSecondsRow(
  ctx: CommandContext,
  settingErrors: Map<string, InvalidInputError>,
  name: string,
  variable: string,
  parse: (text: string | undefined) => number | string,
): ConfigRow {
  const text = ctx.io.env(variable);
  const fromEnv = (text ?? "") !== "";
  let value: number | string | null = null;
  try {
    value = parse(text);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    settingErrors.set(name, error);
  }
  return { name, value, source: fromEnv ? `env ${variable}` : "default" };
}

/**
 * The request timeout (seconds), the S3 endpoint, region, addressing
 * style and attempts per request every store of the command uses, as the stores resolve them
 * (`resolveS3Settings`), with where each came from.
 */
function s3Rows(ctx: CommandContext, settingErrors: Map<string, InvalidInputError>): ConfigRow[] {
  const options = cliStoreOptions(ctx).s3 ?? {};
  const env = (name: string) => ctx.io.env(name);
  const rowOf = {
    endpoint: "s3Endpoint",
    region: "s3Region",
    pathStyle: "s3PathStyle",
    requestTimeout: "requestTimeout",
    maxAttempts: "s3MaxAttempts",
    anonymous: "s3Anonymous",
    requestPayer: "s3RequestPayer",
  };
  const s3 = resolveS3Settings(
    options,
    env,
    (error, name) => settingErrors.set(rowOf[name], error),
  );
  const timeoutSource = options.requestTimeoutMs !== undefined
    ? "flag --request-timeout"
    : (env("VC_REQUEST_TIMEOUT") ?? "") !== ""
    ? "env VC_REQUEST_TIMEOUT"
    : "default";
  return [
    { name: "requestTimeout", value: s3.requestTimeoutMs / 1000, source: timeoutSource },
    s3.endpoint === undefined
      ? {
        name: "s3Endpoint",
        value: s3.useFipsEndpoint || s3.useDualstackEndpoint
          ? `${AWS_BY_REGION}: ${awsEndpoint(s3, s3.regionShown)}`
          : AWS_BY_REGION,
        source: s3.awsEndpointSource,
      }
      : {
        name: "s3Endpoint",
        value: s3.endpoint,
        source: s3.endpointOrigin === "env" ? `env ${s3.endpointSource}` : `${s3.endpointSource}`,
      },
    { name: "s3Region", value: s3.regionShown, source: s3.regionSource },
    // An IP endpoint is addressed path-style whatever the setting: show
    // what is used, not a `false` no request follows.
    s3.endpoint !== undefined && !s3.forcePathStyle && isIpHost(new URL(s3.endpoint).hostname)
      ? {
        name: "s3PathStyle",
        value: true,
        source: `an endpoint at an IP address (${s3.pathStyleSource} says virtual: ignored)`,
      }
      : { name: "s3PathStyle", value: s3.forcePathStyle, source: s3.pathStyleSource },
    { name: "s3MaxAttempts", value: s3.maxAttempts, source: s3.maxAttemptsSource },
    {
      name: "s3Anonymous",
      value: s3.anonymous,
      source: options.anonymous ? "flag --no-sign-request" : s3.anonymousSource,
    },
    { name: "s3RequestPayer", value: s3.requestPayer, source: s3.requestPayerSource },
    s3.anonymous
      ? { name: "s3Credentials", value: null, source: "none: requests go unsigned (s3Anonymous)" }
      : credentialsRow(env, settingErrors),
  ];
}

/** Which credentials the stores sign with, and where they come from (see `describeCredentials`). */
function credentialsRow(
  env: (name: string) => string | undefined,
  settingErrors: Map<string, InvalidInputError>,
): ConfigRow {
  try {
    return { name: "s3Credentials", ...describeCredentials(env) };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    settingErrors.set("s3Credentials", error);
    return { name: "s3Credentials", value: null, source: "" };
  }
}
