/**
 * The settings flags of the versioned and cache commands (`--cache-dir`,
 * `--timeout`, `--offline`, `--bucket`, `--manifest`, `--lock`, `--frozen`)
 * and their resolution: flag > environment > config file > default. Kept
 * apart from the cache and store classes (`settings.ts` builds those), so
 * the lean `vc path` entry (`hot_path.ts`) resolves settings exactly as the
 * full command does without loading them.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "../path.ts";
import { type ConfigFileError, type InvalidInputError, resolvedOrReported } from "../errors.ts";
import {
  checkSizeSetting,
  type EnvReader,
  loadConfigFile,
  type LoadedConfig,
  normalizeBucket,
  parseBoolean,
  parseDurationSeconds,
  resolveSettings,
  type SettingName,
  type Settings,
} from "../config.ts";
import type { OptionSpecs } from "./args.ts";
import type { CommandContext } from "./command.ts";
import { environmentValue, flagValue, UsageError } from "./errors.ts";
import { localPathSetting } from "./local_path.ts";
import { parseSize } from "./units.ts";

const FLAG_OF: Record<string, string> = {
  cacheDir: "cache-dir",
  timeout: "timeout",
  offline: "offline",
  bucket: "bucket",
  immutableBuckets: "immutable-buckets",
  parallelThreshold: "parallel-threshold",
  rangeSize: "range-size",
};

/**
 * Flags of the download tuning, for every command that downloads with
 * parallel ranged GETs (the asset cache's commands, `vc mirror` to a
 * directory, `vc repo get`); {@linkcode cliSettings} reads them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DOWNLOAD_OPTIONS } from "./settings_resolve.ts";
 * assert(DOWNLOAD_OPTIONS["range-size"]?.valueName === "SIZE");
 * ```
 */
export const DOWNLOAD_OPTIONS: OptionSpecs = {
  "parallel-threshold": {
    type: "string",
    valueName: "SIZE",
    description:
      "download objects this large with parallel ranged GETs, e.g. 64MiB (VC_PARALLEL_THRESHOLD; default 32MiB)",
  },
  "range-size": {
    type: "string",
    valueName: "SIZE",
    description:
      "size of one ranged GET of such a download, at least 64KiB (VC_RANGE_SIZE; default 8MiB)",
  },
};

/**
 * Flags of every command that reads through the asset cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CACHE_OPTIONS } from "./settings_resolve.ts";
 * assert(CACHE_OPTIONS["cache-dir"]?.type === "string");
 * ```
 */
export const CACHE_OPTIONS: OptionSpecs = {
  "cache-dir": {
    type: "string",
    valueName: "DIR",
    description: "cache directory (env VC_CACHE_DIR; default: the platform cache dir)",
  },
  timeout: {
    type: "string",
    valueName: "DURATION",
    description:
      "revalidate copies older than this: seconds or e.g. 1d, 30m; 0 = always (VC_CACHE_TIMEOUT; default 1d)",
  },
  offline: {
    type: "boolean",
    description: "never contact the store; serve cached copies only (VC_OFFLINE)",
  },
  ...DOWNLOAD_OPTIONS,
};

/**
 * Flags of the versioned commands (plus {@linkcode CACHE_OPTIONS}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSIONED_OPTIONS } from "./settings_resolve.ts";
 * assert(VERSIONED_OPTIONS.bucket?.valueName === "URI");
 * ```
 */
export const VERSIONED_OPTIONS: OptionSpecs = {
  bucket: {
    type: "string",
    valueName: "URI",
    description:
      "where versions live: s3://name[/prefix], a bare NAME (= s3://NAME), file:///dir or ./dir (env VC_BUCKET)",
  },
  manifest: {
    type: "string",
    valueName: "FILE",
    description: "manifest file (env VC_MANIFEST; default ./versioned_assets.json)",
  },
  lock: {
    type: "string",
    valueName: "FILE",
    description:
      "integrity lock file (env VC_LOCK; default: beside the manifest, versioned_assets.lock.json)",
  },
  frozen: {
    type: "boolean",
    description:
      "refuse entries without a lock entry and any change to the lock file (env VC_FROZEN=1; for CI)",
  },
  ...CACHE_OPTIONS,
};

/** The manifest file used when neither flag, environment nor config names one. */
export const DEFAULT_MANIFEST = "versioned_assets.json";

/** How {@linkcode cliSettings} treats settings files. */
export interface CliSettingsOptions {
  /**
   * Called with a settings file that cannot be read or is invalid, which is
   * then left out (`vc config` shows what it can); not given: it fails the command.
   */
  onFileError?: (error: ConfigFileError, kind: "config" | "project") => void;
  /**
   * Called when a setting cannot be resolved: the cache directory cannot be
   * determined (`HOME` unset; it is then `""`), or an environment variable
   * is malformed (`VC_CACHE_TIMEOUT=abc`, `VC_FROZEN=maybe`, a
   * `VC_MANIFEST=~/m.json` with no home; the setting is then its default,
   * and no project file is read for a manifest that cannot be). `vc config`
   * shows the rest; not given: it fails the command.
   */
  onSettingError?: (
    error: InvalidInputError,
    name: SettingName | "frozen" | "manifest" | "lock",
  ) => void;
  /**
   * The manifest to resolve for, in place of `--manifest` (`vc prefill`
   * takes several, and each has its own project file).
   */
  manifest?: string;
}

/**
 * Resolves the asset cache settings for this run (reads the config file
 * once). When a `vc.json` wins over the `"vc"` block of the `deno.json` beside
 * it, a warning naming both goes to `ctx.out` (when given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliSettings } from "./settings_resolve.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ env: { VC_CACHE_DIR: "/tmp/vc-doc", HOME: "/nonexistent" }, cwd: "/tmp" });
 * const s = cliSettings({ io, flags: new Flags({ timeout: "2m" }) });
 * assert(s.cacheDir === "/tmp/vc-doc" && s.timeout === 120);
 * ```
 */
export function cliSettings(
  ctx: Pick<CommandContext, "io" | "flags"> & Partial<Pick<CommandContext, "out">>,
  cliOptions: CliSettingsOptions = {},
): Settings {
  const { io, flags } = ctx;
  const cacheDir = flags.string("cache-dir");
  const timeout = flags.string("timeout");
  const bucket = flags.string("bucket");
  const env = (name: string) => io.env(name);
  const options: Parameters<typeof resolveSettings>[0] = { env, cwd: io.cwd };
  if (cliOptions.onFileError !== undefined) options.onFileError = cliOptions.onFileError;
  if (cliOptions.onSettingError !== undefined) options.onSettingError = cliOptions.onSettingError;
  if (cacheDir !== undefined) {
    // An empty value would resolve to the current directory, which cache
    // maintenance would then treat as the cache.
    if (cacheDir.trim() === "") {
      throw new UsageError("--cache-dir is empty: give the cache directory's path");
    }
    options.cacheDir = localPathSetting(io.cwd, cacheDir, env, "--cache-dir");
  }
  // One setting, one reading: a bare number is seconds here as in
  // VC_CACHE_TIMEOUT and the config file's "timeout".
  if (timeout !== undefined) {
    options.timeout = flagValue("--timeout", () => parseDurationSeconds(timeout, "--timeout"));
  }
  if (flags.boolean("offline")) options.offline = true;
  // Checked as the environment's and the file's values are (the range
  // minimum included), but a bad one is the command line's fault: exit 2.
  for (
    const [name, flag] of [["parallelThreshold", "parallel-threshold"], [
      "rangeSize",
      "range-size",
    ]] as const
  ) {
    const text = flags.string(flag);
    if (text === undefined) continue;
    options[name] = flagValue(
      `--${flag}`,
      // parseSize refuses "1.5" (1 byte, rounded down), as from a variable.
      () => checkSizeSetting(parseSize(text, `--${flag}`), name, `--${flag}`, true, text),
    );
  }
  // A malformed --bucket is the command line's fault (exit 2, naming the
  // flag); the same value from VC_BUCKET or a config file stays a failure.
  if (bucket !== undefined) {
    options.bucket = flagValue("--bucket", () => normalizeBucket(bucket, "--bucket", io.cwd));
  }
  // The project settings file is looked for from the manifest's directory.
  // Its path is known before settings are resolved, except when only the
  // user config file names it.
  const manifestFlag = cliOptions.manifest ?? flags.string("manifest");
  const manifest = manifestFlag ?? nonEmpty(io.env("VC_MANIFEST"));
  if (manifest === undefined) {
    // Read once: resolveSettings takes the file as read here.
    const user = userConfig(env, io.cwd);
    if (user !== "unreadable") options.configFile = { loaded: user };
    const named = user === "unreadable" ? undefined : user?.config.manifest;
    options.projectDir = dirname(named ?? join(io.cwd, DEFAULT_MANIFEST));
  } else {
    const manifestPath = () =>
      localPathSetting(
        io.cwd,
        manifest,
        env,
        what,
        manifestFlag === undefined ? "VC_MANIFEST" : undefined,
      );
    const what = manifestFlag === undefined ? "VC_MANIFEST" : "--manifest";
    const manifestAt = manifestFlag === undefined
      ? resolvedOrReported(
        cliOptions.onSettingError,
        "manifest",
        () => environmentValue(manifestPath),
        undefined,
      )
      : manifestPath();
    if (manifestAt !== undefined) options.projectDir = dirname(manifestAt);
  }
  const settings = resolveSettings(options);
  if (settings.ignoredProjectPath !== undefined) {
    ctx.out?.warn(ignoredProjectWarning(settings));
  }
  for (const path of settings.untrustedProjectPaths ?? []) {
    ctx.out?.warn(untrustedProjectWarning(path));
  }
  for (const [name, source] of Object.entries(settings.sources)) {
    if (source === "option") settings.sources[name as SettingName] = `flag --${FLAG_OF[name]}`;
  }
  // The environment's cache dir may be relative: relative to the user's cwd.
  if (settings.cacheDir !== "" && !isAbsolute(settings.cacheDir)) {
    settings.cacheDir = resolve(io.cwd, settings.cacheDir);
  }
  return settings;
}

/**
 * The warning for a `deno.json` whose `"vc"` block is ignored because a
 * `vc.json` in the same directory wins (one line, naming both files).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ignoredProjectWarning } from "./settings_resolve.ts";
 * const text = ignoredProjectWarning({ projectPath: "/r/vc.json", ignoredProjectPath: "/r/deno.json" });
 * assert(text.includes("/r/vc.json") && text.includes("/r/deno.json"));
 * ```
 */
export function ignoredProjectWarning(
  settings: Pick<Settings, "projectPath" | "ignoredProjectPath">,
): string {
  return `the "vc" block of ${settings.ignoredProjectPath} is ignored: ${settings.projectPath} ` +
    "in the same directory wins (keep the project settings in one of them)";
}

/**
 * The warning for a project settings file passed over because another user
 * may have planted it (see `findProjectConfig`): one line naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { untrustedProjectWarning } from "./settings_resolve.ts";
 * assert(untrustedProjectWarning("/tmp/vc.json").startsWith("/tmp/vc.json is ignored"));
 * ```
 */
export function untrustedProjectWarning(path: string): string {
  return `${path} is ignored: it belongs to another user, in ${dirname(path)}, which every user ` +
    "may write to (project settings there could be anyone's; keep them in a directory of your own)";
}

/** The versioned cache settings after flags, environment and config file. */
export interface VersionedSettings {
  /** Absolute manifest path. */
  manifest: string;
  /** Bucket root URI or directory, when one was given anywhere. */
  bucket: string | undefined;
  /** The asset cache settings. */
  settings: Settings;
  /** Where the manifest path came from (`flag --manifest`, `env VC_MANIFEST`, `config FILE`, `default`). */
  manifestSource: string;
  /** The integrity lock file (absolute), when `--lock` or `VC_LOCK` names one; else the default beside the manifest. */
  lock: string | undefined;
  /** Where `lock` came from (`flag --lock`, `env VC_LOCK`), or `""` when not given. */
  lockSource: string;
  /** `--frozen` or `VC_FROZEN`. */
  frozen: boolean;
  /** Where `frozen` came from (`flag --frozen`, `env VC_FROZEN`, `default`). */
  frozenSource: string;
}

/**
 * Resolves `--manifest` and `--bucket`: flag > `VC_MANIFEST` / `VC_BUCKET` >
 * config file > default (`./versioned_assets.json`; no default bucket).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { versionedSettings } from "./settings_resolve.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ env: { VC_BUCKET: "s3://assets", VC_CACHE_DIR: "/tmp/c", HOME: "/nonexistent" }, cwd: "/work" });
 * const v = versionedSettings({ io, flags: new Flags({}) });
 * assert(v.bucket === "s3://assets" && v.manifest === "/work/versioned_assets.json");
 * ```
 */
export function versionedSettings(
  ctx: Pick<CommandContext, "io" | "flags"> & Partial<Pick<CommandContext, "out">>,
  cliOptions: CliSettingsOptions = {},
): VersionedSettings {
  const { io, flags } = ctx;
  const settings = cliSettings(ctx, cliOptions);
  const flag = cliOptions.manifest ?? flags.string("manifest");
  const fromEnv = nonEmpty(io.env("VC_MANIFEST"));
  const manifest = flag ?? fromEnv ?? settings.manifest ?? DEFAULT_MANIFEST;
  const manifestSource = flag !== undefined
    ? "flag --manifest"
    : fromEnv !== undefined
    ? "env VC_MANIFEST"
    : settings.manifest !== undefined
    ? `config ${settings.configPath}`
    : "default";
  // Normalized and validated by resolveSettings: a bare name is s3://NAME, a
  // path is a file:// URI relative to the cwd (or to the file that named it).
  const lockFlag = flags.string("lock");
  const lock = lockFlag ?? nonEmpty(io.env("VC_LOCK"));
  const lockSource = lockFlag !== undefined
    ? "flag --lock"
    : lock !== undefined
    ? "env VC_LOCK"
    : "";
  const frozenEnv = nonEmpty(io.env("VC_FROZEN"));
  // Read as VC_OFFLINE is: a bad value is the environment's, not a usage error.
  const frozen = flags.boolean("frozen") ||
    resolvedOrReported(
      cliOptions.onSettingError,
      "frozen",
      () => frozenEnv !== undefined && parseBoolean(frozenEnv, "VC_FROZEN"),
      false,
    );
  // A bad VC_MANIFEST or VC_LOCK is the environment's fault (exit 1), a bad flag a usage error.
  // `variable`: the one that gave the value, whose line break is refused.
  const pathOf = (value: string, what: string, fromFlag: boolean, variable?: string) => {
    const path = () => localPathSetting(io.cwd, value, (name) => io.env(name), what, variable);
    return fromFlag ? path() : environmentValue(path);
  };
  return {
    // A bad path from the environment is an InvalidInputError (a flag's is
    // a usage error, always thrown).
    manifest: resolvedOrReported(
      cliOptions.onSettingError,
      "manifest",
      () =>
        pathOf(
          manifest,
          `manifest (${manifestSource})`,
          flag !== undefined,
          flag === undefined && fromEnv !== undefined ? "VC_MANIFEST" : undefined,
        ),
      resolve(io.cwd, DEFAULT_MANIFEST),
    ),
    bucket: settings.bucket,
    settings,
    manifestSource,
    lock: lock === undefined ? undefined : resolvedOrReported(
      cliOptions.onSettingError,
      "lock",
      () =>
        pathOf(
          lock,
          lockFlag === undefined ? "VC_LOCK" : "--lock",
          lockFlag !== undefined,
          lockFlag === undefined ? "VC_LOCK" : undefined,
        ),
      undefined,
    ),
    lockSource,
    frozen,
    frozenSource: flags.boolean("frozen")
      ? "flag --frozen"
      : frozenEnv !== undefined
      ? "env VC_FROZEN"
      : "default",
  };
}

// The user config file, if any; a bad one is reported by resolveSettings,
// which then reads it again.
function userConfig(env: EnvReader, cwd: string): LoadedConfig | undefined | "unreadable" {
  try {
    return loadConfigFile(undefined, { env, cwd });
  } catch {
    return "unreadable";
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
