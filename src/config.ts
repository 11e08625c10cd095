/**
 * Settings resolution: explicit options win over environment variables, which
 * win over the config file, which wins over platform defaults.
 *
 * Nothing here runs at import time: the environment and the config file are
 * read when {@linkcode resolveSettings} or {@linkcode loadConfigFile} is called.
 * Published as `@vc/vc/config`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "./config.ts";
 * const settings = resolveSettings({
 *   configPath: false,
 *   env: { VC_CACHE_DIR: "/tmp/vc-cache", VC_CACHE_TIMEOUT: "60" },
 * });
 * assert.equal(settings.cacheDir, "/tmp/vc-cache");
 * assert.equal(settings.timeout, 60);
 * ```
 *
 * @module
 */
import { callCallback } from "./callback.ts";
import {
  dirname,
  fromFileUrl as fileURLToPath,
  isAbsolute,
  isUriNotPath,
  join,
  joinOn,
  resolve,
  toFileUrl as pathToFileURL,
  win32IsAbsolute,
  win32Join,
} from "./path.ts";
import { capitalMNote, durationMs } from "./duration.ts";
import { readSmallFileSync } from "./regular_file.ts";
import { LARGEST_SIZE, parseSizeText, sizeTooLarge } from "./size.ts";
import { ConfigFileError, InvalidInputError, resolvedOrReported } from "./errors.ts";
import { envNotUtf8 } from "./env_option.ts";
import { envGranted } from "./permission_granted.ts";
import {
  checkFunction,
  checkOptions,
  checkPathArgument,
  describeValue,
  isPlainObject,
  listOption,
  nulInPathMessage,
  type OptionNames,
  requireString,
} from "./options_check.ts";
import { duplicateKeyAt, jsonSyntaxMessage } from "./json_text.ts";
import { jsoncToJson } from "./jsonc.ts";
import { closest } from "./suggest.ts";
import { notUtf8, utf8OrUndefined } from "./utf8.ts";
import {
  BUCKET_NAME,
  checkDotSegments,
  fileUriBackslashProblem,
  fileUriDriveProblem,
  mistypedUriHint,
  parseUri,
  strayWhitespace,
  windowsPathProblem,
} from "./uri.ts";
import { redactUrl } from "./redact.ts";
import { expandHome, homeDirectory, homeVariable } from "./home_dir.ts";
import { CACHE_IMMUTABLE } from "./command_words.ts";

/**
 * The config file's contents (`<config dir>/vc/config.json`, or `$VC_CONFIG`),
 * and of a project settings file (`vc.json`, or the `"vc"` block of a
 * `deno.json`; see {@linkcode findProjectConfig}). Every key is optional.
 */
export interface ConfigFile {
  /** Asset cache directory; relative paths are relative to the config file, `~/` is the home dir. */
  cacheDir?: string;
  /** Seconds before a cached asset is revalidated (0 = always); the file may say `"1d"`, `"30m"`. */
  timeout?: number;
  /**
   * Buckets (or store root URIs) whose objects never change, so they are
   * never revalidated; a `./dir` or `../dir` is relative to the config file.
   */
  immutableBuckets?: string[];
  /** Never touch the network. */
  offline?: boolean;
  /** Default bucket of the versioned cache (see {@linkcode normalizeBucket}), as a root URI. */
  bucket?: string;
  /** Default manifest path of the versioned cache; relative to the config file. */
  manifest?: string;
  /** Objects at least this large (bytes) download with parallel ranged GETs; the file may say `"64MiB"`. */
  parallelThreshold?: number;
  /** Bytes of one ranged GET of a parallel download; the file may say `"16MiB"`. */
  rangeSize?: number;
}

/** Reads one environment variable; `undefined` when unset. */
export type EnvReader = (name: string) => string | undefined;

/** Explicit settings; each one overrides the environment and the config file. */
export interface SettingsOptions {
  /** Asset cache directory. */
  cacheDir?: string;
  /** Seconds before revalidation (0 = always revalidate). */
  timeout?: number;
  /**
   * Buckets (or store root URIs) that are never revalidated; a `./dir` or
   * `../dir` is relative to `cwd`, as a directory `bucket` is.
   */
  immutableBuckets?: string[];
  /** Never touch the network. */
  offline?: boolean;
  /** Objects at least this large (bytes) download with parallel ranged GETs. */
  parallelThreshold?: number;
  /** Bytes of one ranged GET of a parallel download. */
  rangeSize?: number;
  /** Config file to read instead of `$VC_CONFIG` / the platform default; `false` skips the file. */
  configPath?: string | false;
  /**
   * The user config file as {@linkcode loadConfigFile} already read it
   * (`loaded: undefined` when there is none), so it is not read twice; only
   * used when `configPath` is not given.
   */
  configFile?: { loaded: LoadedConfig | undefined };
  /**
   * Called with a settings file (the user config file or the project file)
   * that cannot be read or is invalid; the file is then left out and the
   * other sources still apply. Not given: such a file throws.
   */
  onFileError?: (error: ConfigFileError, kind: "config" | "project") => void;
  /**
   * Called when a setting cannot be resolved: the cache directory cannot be
   * determined (`HOME` unset and no `VC_CACHE_DIR` / `XDG_CACHE_HOME`, or a
   * `~` with no home to expand), or its environment variable is malformed
   * (`VC_CACHE_TIMEOUT=abc`, `VC_OFFLINE=maybe`, ...). The setting then has
   * its default (`cacheDir`: `""`) and the source `error`, and the other
   * settings still resolve (`vc config` shows them). Not given: it throws.
   */
  onSettingError?: (error: InvalidInputError, name: SettingName) => void;
  /** Versioned-cache bucket (see {@linkcode normalizeBucket}); relative paths against `cwd`. */
  bucket?: string;
  /**
   * Where to look for a project settings file: the walk starts here (the
   * manifest's directory) and goes up. Not given: no project file is read.
   */
  projectDir?: string;
  /**
   * Base of relative paths: the environment's (`VC_BUCKET=./assets`,
   * `VC_IMMUTABLE_BUCKETS`, `VC_CONFIG`) and the options' (`cacheDir`,
   * `bucket`, `immutableBuckets`, `projectDir`, `configPath`). Default:
   * `Deno.cwd()`.
   */
  cwd?: string;
  /** Environment to read instead of `Deno.env` (tests, embedding). */
  env?: EnvReader | Record<string, string | undefined>;
}

/** Fully resolved settings. */
export interface Settings {
  /** Absolute asset cache directory. */
  cacheDir: string;
  /** Seconds before revalidation. */
  timeout: number;
  /** Buckets (or store root URIs) that are never revalidated. */
  immutableBuckets: string[];
  /** Never touch the network. */
  offline: boolean;
  /** Versioned-cache bucket root URI (option, `VC_BUCKET`, project or config file), if any. */
  bucket?: string;
  /** Default manifest path from the config file (absolute), if any. */
  manifest?: string;
  /**
   * Objects at least this large (bytes) download with parallel ranged GETs
   * (option, `VC_PARALLEL_THRESHOLD`, config file); unset: the download's
   * default (`DEFAULT_PARALLEL_THRESHOLD`, 32 MiB).
   */
  parallelThreshold?: number;
  /**
   * Bytes of one ranged GET (option, `VC_RANGE_SIZE`, config file); unset:
   * the download's default (`DEFAULT_RANGE_SIZE`, 8 MiB).
   */
  rangeSize?: number;
  /** The config file that was read, when one exists. */
  configPath?: string;
  /** The project settings file that was read, when one was found. */
  projectPath?: string;
  /**
   * A `deno.json` / `deno.jsonc` whose `"vc"` block is ignored because a
   * `vc.json` in the same directory ({@linkcode Settings.projectPath}) wins.
   */
  ignoredProjectPath?: string;
  /**
   * Project settings files passed over on the way up from the manifest's
   * directory because another local user may have planted them: each is in
   * a directory every user may write to (`/tmp`) and belongs to another user
   * (not this one, not root). See {@linkcode findProjectConfig}.
   */
  untrustedProjectPaths?: string[];
  /** Where each setting came from: `option`, `env VC_…`, `project FILE`, `config FILE`, `default`. */
  sources: Record<SettingName, string>;
}

/** The settings {@linkcode Settings.sources} reports on. */
export type SettingName =
  | "cacheDir"
  | "timeout"
  | "immutableBuckets"
  | "offline"
  | "bucket"
  | "parallelThreshold"
  | "rangeSize";

const SETTINGS_OPTIONS: OptionNames<SettingsOptions> = {
  cacheDir: true,
  timeout: true,
  immutableBuckets: true,
  offline: true,
  parallelThreshold: true,
  rangeSize: true,
  configPath: true,
  configFile: true,
  onFileError: true,
  onSettingError: true,
  bucket: true,
  projectDir: true,
  cwd: true,
  env: true,
};

const PLATFORM_OPTIONS: OptionNames<PlatformOptions> = { env: true, os: true };
const PLATFORM_ENV_OPTION = { env: true } as const;

/** Default revalidation timeout: one day. */
export const DEFAULT_TIMEOUT_SECONDS = 86_400;

/**
 * Resolves the asset cache settings: options > environment (`VC_CACHE_DIR`,
 * `VC_CACHE_TIMEOUT`, `VC_IMMUTABLE_BUCKETS`, `VC_OFFLINE`) > config file >
 * platform defaults. Invalid values throw `InvalidInputError` naming the
 * variable (or file) and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "./config.ts";
 * const s = resolveSettings({
 *   configPath: false,
 *   env: { VC_CACHE_DIR: "/tmp/vc-example", VC_CACHE_TIMEOUT: "60" },
 *   offline: true,
 * });
 * assert(s.cacheDir === "/tmp/vc-example" && s.timeout === 60 && s.offline);
 * ```
 */
export function resolveSettings(options: SettingsOptions = {}): Settings {
  // A misspelt `cachedir` resolved the default directory without a word.
  checkOptions("resolveSettings()", options, SETTINGS_OPTIONS);
  // A number or a URL object would fail deep in path resolution with a
  // TypeError naming neither the option nor the value.
  if (options.configPath !== undefined && options.configPath !== false) {
    checkPathArgument(
      "the option configPath (the config file, or false for none)",
      options.configPath,
    );
  }
  const env = envReader(options.env);
  const cwd = options.cwd ?? Deno.cwd();
  const namedConfigPath = options.configPath === false ? undefined : options.configPath;
  const configPath = options.configPath === false
    ? undefined
    : namedConfigPath ?? nonEmpty(env("VC_CONFIG"));
  // A broken settings file throws, or is reported and left out.
  const tolerant = <T>(kind: "config" | "project", load: () => T): T | undefined => {
    if (options.onFileError === undefined) return load();
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigFileError)) throw error;
      // What it throws is a CallbackError (not a settings error); a promise
      // it returns that rejects comes after this call and is ignored.
      callCallback("onFileError", options.onFileError, error, kind);
      return undefined;
    }
  };
  // An explicitly named config file must exist; the default one is optional.
  const file = options.configPath === false
    ? undefined
    : options.configPath === undefined && options.configFile !== undefined
    ? options.configFile.loaded
    : tolerant("config", () =>
      // Without configPath it reads VC_CONFIG itself, so its errors name the variable.
      loadConfigFile(namedConfigPath, { env, required: configPath !== undefined, cwd }));
  const untrusted: string[] = [];
  const project = options.projectDir === undefined
    ? undefined
    : tolerant("project", () =>
      lookUpProjectConfig(resolve(cwd, options.projectDir!), env, untrusted));
  const sources = {} as Record<SettingName, string>;
  // option > environment > project file > user config file > default.
  const pick = <T>(
    name: SettingName,
    option: T | undefined,
    envName: string,
    fromEnv: (raw: string) => T,
    fallback: () => T,
    emptyEnvCounts = false,
  ): T => {
    if (option !== undefined) return (sources[name] = "option", option);
    const raw = env(envName);
    if (raw !== undefined && (raw !== "" || emptyEnvCounts)) {
      return (sources[name] = `env ${envName}`, fromEnv(raw));
    }
    const fromProject = project?.config[name as keyof ConfigFile] as T | undefined;
    if (fromProject !== undefined) return (sources[name] = `project ${project!.path}`, fromProject);
    const fromFile = file?.config[name as keyof ConfigFile] as T | undefined;
    if (fromFile !== undefined) return (sources[name] = `config ${file!.path}`, fromFile);
    sources[name] = "default";
    return fallback();
  };

  if (options.cacheDir !== undefined && typeof options.cacheDir !== "string") {
    throw new InvalidInputError(
      `the option cacheDir must be the cache directory's path, got ${
        describeValue(options.cacheDir)
      }`,
    );
  }
  if (options.cacheDir !== undefined && options.cacheDir.trim() === "") {
    throw new InvalidInputError("the option cacheDir is empty: give the cache directory's path");
  }
  const resolveCacheDir = () =>
    pick(
      "cacheDir",
      options.cacheDir === undefined
        ? undefined
        : resolve(cwd, localSetting(options.cacheDir, env, "the option cacheDir")),
      "VC_CACHE_DIR",
      (v) => {
        // Blank would be a directory named " " in the cwd, as --cache-dir " " is refused.
        if (v.trim() === "") {
          throw new InvalidInputError("VC_CACHE_DIR is blank: give the cache directory's path");
        }
        const stray = environmentPathProblem(v, "VC_CACHE_DIR");
        if (stray !== undefined) throw new InvalidInputError(stray);
        return resolve(cwd, localSetting(v, env, "VC_CACHE_DIR"));
      },
      () => defaultCacheDir({ env }),
    );
  // A setting that cannot be resolved throws, or is reported and has
  // `onError` (the options are checked before: their errors always throw).
  const onSettingError = options.onSettingError;
  const report = onSettingError === undefined
    ? undefined
    : (error: InvalidInputError, name: SettingName) => {
      callCallback("onSettingError", onSettingError, error, name);
      sources[name] = "error";
    };
  const tolerantSetting = <T>(name: SettingName, resolveIt: () => T, onError: T): T =>
    resolvedOrReported(report, name, resolveIt, onError);
  const cacheDir = tolerantSetting("cacheDir", resolveCacheDir, "");
  const timeoutOption = options.timeout === undefined
    ? undefined
    : checkTimeout(options.timeout, "option timeout");
  const timeout = tolerantSetting("timeout", () =>
    pick(
      "timeout",
      timeoutOption,
      "VC_CACHE_TIMEOUT",
      (v) => parseDurationSeconds(v, "VC_CACHE_TIMEOUT"),
      () => DEFAULT_TIMEOUT_SECONDS,
    ), DEFAULT_TIMEOUT_SECONDS);
  const immutableOption = options.immutableBuckets === undefined
    ? undefined
    : checkImmutableBuckets(
      relativeDirsFrom(
        cwd,
        listOption(options.immutableBuckets, "the option immutableBuckets"),
        (item) => localSetting(item, env, "the option immutableBuckets"),
      ),
      "the option immutableBuckets",
    );
  const immutableBuckets = tolerantSetting("immutableBuckets", () =>
    pick(
      "immutableBuckets",
      immutableOption,
      "VC_IMMUTABLE_BUCKETS",
      (v) =>
        checkImmutableBuckets(
          // `./assets`, as VC_BUCKET=./assets names it: from the cwd.
          relativeDirsFrom(
            cwd,
            v.split(",").map((s) => s.trim()).filter((s) => s !== ""),
            (item) => localSetting(item, env, "VC_IMMUTABLE_BUCKETS"),
          ),
          "VC_IMMUTABLE_BUCKETS",
        ),
      () => [] as string[],
      true,
    ), [] as string[]);
  // A string ("false") would be taken for true, or ignored: refused.
  if (options.offline !== undefined && typeof options.offline !== "boolean") {
    throw new InvalidInputError(
      `the option offline must be true or false, got ${JSON.stringify(options.offline)}`,
    );
  }
  const offline = tolerantSetting("offline", () =>
    pick(
      "offline",
      options.offline,
      "VC_OFFLINE",
      (v) => parseBoolean(v, "VC_OFFLINE"),
      () => false,
    ), false);
  const bucketOption = options.bucket === undefined
    ? undefined
    : normalizeBucket(options.bucket, "bucket", cwd);
  const bucket = tolerantSetting("bucket", () =>
    pick<string | undefined>(
      "bucket",
      bucketOption,
      "VC_BUCKET",
      (v) => normalizeBucket(v, "VC_BUCKET", cwd),
      () => undefined,
    ), undefined);

  const thresholdOption = options.parallelThreshold === undefined ? undefined : checkSizeSetting(
    options.parallelThreshold,
    "parallelThreshold",
    "the option parallelThreshold",
    false,
  );
  const parallelThreshold = tolerantSetting("parallelThreshold", () =>
    pick<number | undefined>(
      "parallelThreshold",
      thresholdOption,
      "VC_PARALLEL_THRESHOLD",
      (v) => parseSizeSetting(v, "parallelThreshold", "VC_PARALLEL_THRESHOLD"),
      () => undefined,
    ), undefined);
  const rangeOption = options.rangeSize === undefined
    ? undefined
    : checkSizeSetting(options.rangeSize, "rangeSize", "the option rangeSize", false);
  const rangeSize = tolerantSetting("rangeSize", () =>
    pick<number | undefined>(
      "rangeSize",
      rangeOption,
      "VC_RANGE_SIZE",
      (v) => parseSizeSetting(v, "rangeSize", "VC_RANGE_SIZE"),
      () => undefined,
    ), undefined);

  const settings: Settings = { cacheDir, timeout, immutableBuckets, offline, sources };
  if (parallelThreshold !== undefined) settings.parallelThreshold = parallelThreshold;
  if (rangeSize !== undefined) settings.rangeSize = rangeSize;
  if (bucket !== undefined) settings.bucket = bucket;
  if (file?.config.manifest !== undefined) settings.manifest = file.config.manifest;
  if (file !== undefined) settings.configPath = file.path;
  if (project !== undefined) settings.projectPath = project.path;
  if (project?.ignored !== undefined) settings.ignoredProjectPath = project.ignored;
  if (untrusted.length > 0) settings.untrustedProjectPaths = untrusted;
  return settings;
}

/**
 * The project settings file for a manifest in `startDir`: walking up from
 * `startDir`, the first directory with a `vc.json`, or with a `deno.json` (or `deno.jsonc`)
 * that has a `"vc"` block, supplies it. It may hold `bucket`,
 * `immutableBuckets`, `timeout` and `cacheDir` (relative paths are relative
 * to the file), so a repository sets its bucket once for everyone.
 * `undefined` when no directory up to the root has one.
 *
 * In one directory a `vc.json` wins over the `"vc"` block of the `deno.json`
 * beside it, which is then named in `ignored`. A file that cannot be read,
 * is not valid JSON (a `deno.json` included: whether it has a `"vc"` block
 * cannot be told, and the walk does not go past it to a parent's settings),
 * holds an invalid setting, or holds vc's settings under a misspelt key
 * (`"VC"`, `"vcs"`) throws `ConfigFileError` naming it.
 *
 * A `vc.json` or `deno.json` that another local user may have planted is
 * passed over (the walk goes on above it): one in a directory every user may
 * write to (`/tmp`, `/var/tmp`) that belongs to neither this user nor root.
 * A manifest in `/tmp/job/` would otherwise take its bucket, cache directory
 * and immutable buckets from a `/tmp/vc.json` anyone can write.
 * `resolveSettings` names such files in `untrustedProjectPaths`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findProjectConfig } from "./config.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.writeTextFile(`${dir}/deno.json`, '{"tasks": {}, "vc": {"bucket": "team-assets"}}');
 *   await Deno.mkdir(`${dir}/data`);
 *   const found = findProjectConfig(`${dir}/data`);
 *   assert.equal(found?.config.bucket, "s3://team-assets");
 *   assert.equal(found?.path, `${dir}/deno.json`);
 *   // A vc.json beside it wins; the deno.json's block is reported as ignored.
 *   await Deno.writeTextFile(`${dir}/vc.json`, '{"bucket": "own-assets"}');
 *   const both = findProjectConfig(`${dir}/data`);
 *   assert.equal(both?.config.bucket, "s3://own-assets");
 *   assert.equal(both?.ignored, `${dir}/deno.json`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function findProjectConfig(
  startDir: string,
  options: { env?: EnvReader | Record<string, string | undefined> } = {},
): LoadedConfig | undefined {
  checkPathArgument("findProjectConfig(): the start directory", startDir);
  checkOptions("findProjectConfig()", options, PLATFORM_ENV_OPTION);
  return lookUpProjectConfig(startDir, envReader(options.env), []);
}

/** {@linkcode findProjectConfig}, adding the files it passes over as planted to `untrusted`. */
function lookUpProjectConfig(
  startDir: string,
  env: EnvReader,
  untrusted: string[],
): LoadedConfig | undefined {
  let dir = resolve(startDir);
  const uid = ownUid();
  // Bounded by the depth of the path: each step goes one directory up.
  for (;;) {
    // Judged before a file there is read: a FIFO, or JSON that fails every
    // command, is no more for a stranger to plant than settings are.
    const passOver = uid === null ? noneOf : plantedIn(dir, uid, untrusted);
    const vcJson = join(dir, "vc.json");
    const own = passOver(vcJson) !== "read"
      ? undefined
      : inFile(vcJson, () => readIfExists(vcJson));
    if (own !== undefined) {
      const loaded: LoadedConfig = {
        path: vcJson,
        config: inFile(vcJson, () => parseConfig(own, vcJson, env, PROJECT_KEYS)),
      };
      // The deno.json beside it: a "vc" block there is ignored, which the
      // user must be able to learn. One it cannot parse is not ours to judge.
      const deno = denoBlock(dir, { strict: false, passOver });
      if (deno !== undefined) loaded.ignored = deno.path;
      return loaded;
    }
    const deno = denoBlock(dir, { strict: true, passOver });
    if (deno !== undefined) {
      const label = `${deno.path} ("vc" block)`;
      return {
        path: deno.path,
        config: inFile(
          deno.path,
          () => configFromValue(deno.block, label, env, PROJECT_KEYS, dir),
        ),
      };
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** This process's user id; null on Windows, or when it may not be read (no `--allow-sys`). */
function ownUid(): number | null {
  if (Deno.build.os === "windows") return null;
  try {
    // Asked first: a library user's narrower permissions get no prompt here.
    if (Deno.permissions.querySync({ name: "sys", kind: "uid" }).state !== "granted") return null;
    return Deno.uid();
  } catch {
    return null;
  }
}

/**
 * What the settings walk does with a settings file's path: reads it, or
 * passes over it, as planted by another user or as not there (a failed look
 * told so already: the read would look again).
 */
type PassOver = (path: string) => "read" | "planted" | "missing";

/**
 * Which settings files in `dir` another local user may have put there (each
 * one found is added to `untrusted`): where `dir` is writable by every user
 * (`/tmp`), a file whose name (a link, if it is one) or target belongs to
 * neither `uid` nor root. Only such a directory lets a stranger make a file
 * in it; another user's file in one only its owners may write to is a
 * shared checkout, and is read.
 */
function plantedIn(dir: string, uid: number, untrusted: string[]): PassOver {
  try {
    if (((Deno.statSync(dir).mode ?? 0) & 0o002) === 0) return noneOf;
  } catch {
    return noneOf; // not there (a manifest yet to be made): the reads say so
  }
  const trusted = (owner: number | null) => owner === null || owner === uid || owner === 0;
  return (path) => {
    let name: Deno.FileInfo;
    try {
      name = Deno.lstatSync(path);
    } catch (error) {
      // Not even a link: missing, as the read's own look would find.
      return error instanceof Deno.errors.NotFound ? "missing" : "read";
    }
    let planted: boolean;
    try {
      planted = !trusted(name.uid) || !trusted(Deno.statSync(path).uid);
    } catch {
      return "read"; // a link to nothing: the read says so
    }
    if (!planted) return "read";
    untrusted.push(path);
    return "planted";
  };
}

const noneOf: PassOver = () => "read";

/**
 * The `"vc"` block of the Deno config file in `dir` (deno.json, else
 * deno.jsonc, as Deno picks them; Deno reads both as JSON with comments and
 * trailing commas), or `undefined` when there is none. A file that cannot be
 * read or is not valid JSON throws when `strict`, and counts as having no
 * block otherwise.
 */
function denoBlock(
  dir: string,
  { strict, passOver = noneOf }: { strict: boolean; passOver?: PassOver },
): { path: string; block: unknown } | undefined {
  if (!strict) {
    try {
      return denoBlock(dir, { strict: true, passOver });
    } catch (error) {
      if (error instanceof ConfigFileError) return undefined;
      throw error;
    }
  }
  const read = (p: string) => passOver(p) !== "read" ? undefined : inFile(p, () => readIfExists(p));
  let path = join(dir, "deno.json");
  let text = read(path);
  if (text === undefined) {
    path = join(dir, "deno.jsonc");
    text = read(path);
  }
  if (text === undefined) return undefined;
  // Comments and trailing commas become spaces: positions stay the file's.
  const json = jsoncToJson(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    // Whether it has a "vc" block cannot be told; a parent directory's
    // settings would be the wrong ones. Deno refuses the file as well.
    throw new ConfigFileError(
      `${jsonSyntaxMessage(path, json, cause)} (vc reads its "vc" block of project settings)`,
      path,
      { cause },
    );
  }
  const top = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? parsed as Record<string, unknown>
    : undefined;
  const block = top?.vc;
  if (block === undefined) {
    // `"VC"`, `"vc "`, `"vcs"`: read as no block, the walk went on to a
    // parent's settings (another bucket) without a word.
    const misspelt = top === undefined ? undefined : misspeltVcBlock(top);
    if (misspelt === undefined) return undefined;
    throw new ConfigFileError(
      `config file ${path}: ${JSON.stringify(misspelt)} holds vc settings, but vc reads only ` +
        `the "vc" block${
          misspelt !== misspelt.toLowerCase() ? " (lowercase)" : ""
        }: rename it "vc"`,
      path,
    );
  }
  // JSON.parse keeps the last of a key given twice, as a vc.json may not.
  const twice = duplicateKeyAt(json, { under: "vc" });
  if (twice !== undefined) {
    throw new ConfigFileError(
      `config file ${path} at line ${twice.line}, column ${twice.column}: ${
        JSON.stringify(twice.key)
      } ` +
        `is given more than once ${twice.key === "vc" ? '(two "vc" blocks)' : 'in its "vc" block'}`,
      path,
    );
  }
  return { path, block };
}

/**
 * A key of a Deno config file one edit from `"vc"` (case aside: `"VC"`,
 * `"vc "`, `"vcs"`) whose value is an object of vc's settings alone (by
 * their keys, or their variables' names), one of them vc's own (a bucket, a
 * cache dir): a block of vc settings under the wrong name. A key near it
 * that holds anything else is another tool's.
 */
function misspeltVcBlock(top: Record<string, unknown>): string | undefined {
  return Object.keys(top).find((key) => {
    if (key === "vc" || closest(key.trim(), ["vc"]) !== "vc") return false;
    const value = top[key];
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const keys = Object.keys(value).filter((k) => !k.startsWith("$"));
    const names = keys.map(settingNamed);
    // One of vc's own settings at least: `{"timeout": 5}` alone may be anyone's.
    return names.every((name) => name !== undefined) &&
      names.some((name) => VC_OWN_KEYS.has(name!));
  });
}

// The settings no other tool's block would hold under a name near "vc"
// (a "manifest", like a "timeout", is many tools' word; nor is it a
// project file's setting).
const VC_OWN_KEYS: ReadonlySet<string> = new Set([
  "bucket",
  "cacheDir",
  "immutableBuckets",
]);

/** Runs `fn`; an `InvalidInputError` it throws becomes a `ConfigFileError` naming `path`. */
function inFile<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigFileError || !(error instanceof InvalidInputError)) throw error;
    throw new ConfigFileError(error.message, path, { cause: error.cause ?? error });
  }
}

function readIfExists(file: string): string | undefined {
  const text = readOrError(file, { missingIsCommon: true });
  if (typeof text === "string") return text;
  if (text instanceof Deno.errors.NotFound || text instanceof Deno.errors.NotADirectory) {
    return undefined;
  }
  throw new InvalidInputError(`cannot read ${file}: ${text.message}`, { cause: text });
}

// A missing file is the common case for config files (the project lookup
// probes two names in every directory up to the root), and Deno reports it
// by building an error, whose stack capture is most of the cost of a failed
// read: none is captured (the error becomes a message or a `cause`).
// A settings file is a few lines; a deno.json holding a "vc" block may be
// longer, but not this long.
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * The text of `file`, or the error that reading it met. With
 * `missingIsCommon` (a file that may well not be there, whose absence is no
 * error), a missing name costs one failed look (`lstat`), not two: a failed
 * read is followed by a `readlink` to tell a symbolic link to nothing from a
 * missing file (`danglingLink`), and each failure builds an error, the
 * costliest part of a look (16 of a warm `vc path`'s 38 failed looks were
 * those `readlink`s: scripts/bench/NOTES.md, 2026-12-06 11:00). Without it
 * (a file that must be there), the error is the read's own, as shown.
 */
function readOrError(
  file: string,
  { missingIsCommon = false }: { missingIsCommon?: boolean } = {},
): string | Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    if (missingIsCommon) {
      try {
        Deno.lstatSync(file); // a name there, a link to nothing included: read below
      } catch (error) {
        // Not even a link: missing. Anything else is for the read to report.
        if (error instanceof Deno.errors.NotFound) return error;
      }
    }
    // A FIFO would block every command here, a device fill memory.
    const bytes = readSmallFileSync(file, MAX_CONFIG_BYTES);
    return utf8OrUndefined(bytes) ?? new InvalidInputError(notUtf8(bytes));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return danglingLink(file) ?? error;
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// A `vc.json` (or config file) that is a symbolic link to nothing is a broken
// settings file, not a missing one: taken for none, the lookup went on to a
// parent directory's settings (another bucket) without a word.
function danglingLink(file: string): Error | undefined {
  let target: string;
  try {
    target = Deno.readLinkSync(file);
  } catch {
    return undefined; // not a link: the file is missing
  }
  return new InvalidInputError(
    `a symbolic link to ${JSON.stringify(target)}, which does not exist`,
  );
}

/**
 * A bucket setting as a store root URI. A bare name (no scheme, no `/`, not
 * `.` or `..`) is an S3 bucket, as in baiji-pod: `my-assets` means
 * `s3://my-assets`. A local directory is a `file://` URI, an absolute path or
 * a relative one starting with `./` or `../` (`./assets`, `/srv/assets`,
 * resolved against `cwd`); `my-assets/team` is refused as ambiguous. A scheme in
 * capitals (`S3://x`) is the same scheme, as in URIs everywhere (and in
 * `vc cache get S3://…`). Anything else (an
 * empty scheme, `s3://` without a bucket, `file://` without a
 * path, another scheme, `.`/`..`/empty segments in an S3 prefix) throws
 * `InvalidInputError` naming `what` and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeBucket } from "./config.ts";
 * assert.equal(normalizeBucket("my-assets", "--bucket"), "s3://my-assets");
 * assert.equal(normalizeBucket("s3://b/pre/", "--bucket"), "s3://b/pre");
 * assert.equal(normalizeBucket("./assets", "--bucket", "/work"), "file:///work/assets");
 * assert.equal(normalizeBucket("S3://x", "VC_BUCKET"), "s3://x");
 * assert.throws(() => normalizeBucket("s3://", "VC_BUCKET"), /VC_BUCKET.*"s3:\/\/"/);
 * assert.throws(() => normalizeBucket("file:///srv/a#1", "--bucket"), /%23/);
 * ```
 */
export function normalizeBucket(given: string, what: string, cwd?: string): string {
  // A library caller's `bucket: Deno.env.get("VC_BUCKET")!` may be undefined.
  if (typeof given !== "string") {
    throw new InvalidInputError(
      `${what} must be a bucket (a name, s3://NAME[/prefix], file:///dir or a path), got ${
        describeValue(given)
      }`,
    );
  }
  // Schemes are case-insensitive (RFC 3986): `S3://x` is `s3://x`.
  const value = given.replace(/^(s3|file):\/\//i, (scheme) => scheme.toLowerCase());
  // `s3://KEY:SECRET@bucket`: a password is never shown (a CI log keeps it).
  const credentials = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(given);
  const shown = credentials ? redactUrl(given) : given;
  const fail = (why: string) =>
    new InvalidInputError(`${what} ${JSON.stringify(shown)} is not a bucket: ${why}`);
  if (credentials && /^s3:\/\//i.test(given)) {
    throw fail(
      "a bucket holds no user name or password; give the credentials in the environment " +
        "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or an AWS profile",
    );
  }
  if (value.trim() === "") throw fail("it is empty");
  const stray = strayWhitespace(value, true);
  if (stray !== undefined) throw fail(`it ${stray}`);
  if (value.includes("\0")) throw fail("it contains a NUL character");
  // `s3:/b`, `s3//b`, an S3 ARN or HTTPS URL: refused with the URI meant, as
  // every location parser refuses them (a `s3//b` is no local directory).
  // A bare bucket name is one here, though a location would hint at it (an
  // access point's alias, `NAME-…-s3alias`, which S3 takes for a bucket's).
  const hint = BUCKET_NAME.test(value) ? "" : mistypedUriHint(value);
  if (hint !== "") {
    throw fail(`expected s3://NAME[/prefix], file:///dir, a bare bucket name or a path${hint}`);
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  // "C:\dir" is a Windows path, not a scheme.
  if (scheme !== undefined && !(scheme.length === 1 && /^[A-Za-z]:[\\/]/.test(value))) {
    if (!value.startsWith(`${scheme}://`)) {
      throw fail("expected s3://NAME[/prefix], file:///dir, a bare bucket name or a path");
    }
    if (scheme === "s3") {
      const [bucket = "", ...rest] = value.slice(5).split("/");
      // As written after the bucket's slash: one trailing slash is the
      // directory's own, any other empty segment is refused (shared check).
      const prefix = rest.join("/");
      if (!BUCKET_NAME.test(bucket)) {
        throw fail(
          bucket === "" ? "s3:// names no bucket" : `invalid bucket name ${JSON.stringify(bucket)}`,
        );
      }
      // Refused in the words of every store and command (`vc mirror`, `openStore`).
      try {
        checkDotSegments(prefix, `s3://${bucket}`, "prefix");
      } catch (e) {
        throw fail((e as Error).message);
      }
      const dir = prefix.replace(/\/$/, "");
      return dir === "" ? `s3://${bucket}` : `s3://${bucket}/${dir}`;
    }
    if (scheme === "file") {
      if (!value.startsWith("file:///") && !/^file:\/\/localhost\//.test(value)) {
        throw fail("expected file:///absolute/dir");
      }
      // A `?` or `#` ends a file URI's path, which URL parsing would cut there
      // without a word: `file:///srv/a#1` would publish into `/srv/a`.
      const cut = /[?#]/.exec(value);
      if (cut !== null) {
        throw fail(
          `a ${cut[0] === "?" ? "query (?…)" : "fragment (#…)"} names no directory, and the ` +
            `URI would be ${value.slice(0, cut.index)}; write "?" as %3F and "#" as %23 in a ` +
            "file URI, or give the plain path",
        );
      }
      // Read as "/" (a backslash) or as `/C:` at the root (a drive) off
      // Windows: another directory than the one written, as parseUri refuses.
      const problem = fileUriBackslashProblem(value) ?? fileUriDriveProblem(value);
      if (problem !== undefined) throw new InvalidInputError(`${what}: ${problem}`);
      let path: string;
      try {
        path = fileURLToPath(value);
      } catch (cause) {
        throw new InvalidInputError(
          `${what} ${JSON.stringify(value)} is not a bucket: ${(cause as Error).message}`,
          { cause },
        );
      }
      if (path === "/" && value.replace(/\/+$/, "") === "file:") {
        throw fail("file:// names no directory");
      }
      return pathToFileURL(path).href.replace(/\/+$/, "") || "file:///";
    }
    throw fail(
      `${scheme}:// is not supported; expected s3://NAME[/prefix], file:///dir, a bare bucket name or a path`,
    );
  }
  if (value.startsWith("~")) {
    throw fail("a leading ~ is not expanded here; use an absolute path or ./dir");
  }
  const isPath = value === "." || value === ".." || /[\\/]/.test(value);
  if (!isPath) {
    if (!BUCKET_NAME.test(value)) {
      throw fail(
        "a bare name means an S3 bucket, and this is not a valid bucket name (a local directory needs ./ or file://)",
      );
    }
    return `s3://${value}`;
  }
  // `my-assets/team` reads as S3 bucket `my-assets` with a prefix as much as a
  // directory, and taken as a directory `vc add` would publish into a new
  // local one (it makes a missing directory bucket): a relative directory is
  // written `./dir`, as in the README's table.
  if (!RELATIVE_DIR.test(value) && !isAbsolute(value)) {
    const [first = ""] = value.split("/");
    const s3 = BUCKET_NAME.test(first) && !value.includes("\\")
      ? `s3://${value} for S3 bucket ${JSON.stringify(first)} with a prefix, or `
      : "";
    throw fail(`write ${s3}./${value} for a local directory`);
  }
  return pathToFileURL(resolve(cwd ?? Deno.cwd(), value)).href.replace(/\/+$/, "");
}

// What someone asking for "never revalidate" types as a timeout.
const NEVER_WORD = /^(?:never|forever|inf|infinite|infinity|∞|-1)$/i;
// Where vc takes "never revalidate": a timeout is finite.
const NEVER_REVALIDATE_NOTE =
  "a timeout is finite: to never revalidate, list the bucket in VC_IMMUTABLE_BUCKETS or the " +
  `config file's "immutableBuckets", or for one object use ${CACHE_IMMUTABLE.library}`;

/**
 * A duration in seconds: a plain number of seconds (`90`), or a number with
 * units as the command line takes them (`1d`, `12h`, `15m`, `45s`, `500ms`,
 * `2w`, `1h30m`). Throws `InvalidInputError` naming `what` and the value; a
 * "never" (`inf`, `Infinity`) is pointed at `immutableBuckets`, how vc
 * says "never revalidate".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDurationSeconds } from "./config.ts";
 * assert.equal(parseDurationSeconds("1d", "VC_CACHE_TIMEOUT"), 86_400);
 * assert.equal(parseDurationSeconds("90", "VC_CACHE_TIMEOUT"), 90);
 * assert.equal(parseDurationSeconds("1h30m", "timeout"), 5400);
 * ```
 */
export function parseDurationSeconds(value: string, what: string): number {
  // Text as the environment or a command line gives it: a number is refused
  // by name, not met as `value.trim is not a function`.
  requireString(`parseDurationSeconds(): ${what}`, value);
  const trimmed = value.trim();
  // Digits past a double's range read as Infinity: refused below, not "never".
  if (/^\d+(\.\d+)?$/.test(trimmed) && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (trimmed === "") throw new InvalidInputError(`${what} is empty; expected e.g. 1d, 12h, 90`);
  const ms = durationMs(trimmed);
  if (ms === undefined) {
    const note = NEVER_WORD.test(trimmed) ? NEVER_REVALIDATE_NOTE : capitalMNote(trimmed);
    throw new InvalidInputError(
      `${what} must be a number of seconds or a duration such as 1d, 12h, 15m, 45s, got ${
        JSON.stringify(value)
      }${note === undefined ? "" : ` (${note})`}`,
    );
  }
  return ms / 1000;
}

/** Options of {@linkcode loadConfigFile}. */
export interface LoadConfigOptions {
  /** Environment to read instead of `Deno.env`. */
  env?: EnvReader | Record<string, string | undefined>;
  /** Throw `NotFoundError`-style `InvalidInputError` when the file does not exist (default: only when `path` is given). */
  required?: boolean;
  /** Base of a relative `path` or `VC_CONFIG`. Default: `Deno.cwd()`. */
  cwd?: string;
}

/** A parsed, validated config file and where it was found. */
export interface LoadedConfig {
  /** Absolute path of the file that was read. */
  path: string;
  /** Its validated contents; `cacheDir` and `manifest` are absolute. */
  config: ConfigFile;
  /**
   * A project file only: the `deno.json` / `deno.jsonc` in the same
   * directory whose `"vc"` block is ignored because this `vc.json` wins.
   */
  ignored?: string;
}

/**
 * Reads and validates the config file: `path`, else `$VC_CONFIG`, else
 * `<config dir>/vc/config.json`. Returns `undefined` when the default file
 * does not exist. Malformed JSON throws `ConfigFileError` (an
 * `InvalidInputError`) naming the file, line and column; wrong types or
 * unknown keys throw naming the file and the key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfigFile } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/config.json`, '{"bucket": "my-assets", "timeout": 30}');
 *   const loaded = loadConfigFile(`${dir}/config.json`);
 *   assert(loaded?.config.bucket === "s3://my-assets" && loaded.config.timeout === 30);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function loadConfigFile(
  path?: string,
  options: LoadConfigOptions = {},
): LoadedConfig | undefined {
  if (path !== undefined) checkPathArgument("loadConfigFile(): the config file", path);
  const env = envReader(options.env);
  const explicit = path ?? nonEmpty(env("VC_CONFIG"));
  // Without HOME (a CI container may run without one) and without
  // XDG_CONFIG_HOME there is no default config file, as there is none that
  // does not exist: the settings then come from the environment and flags.
  const dir = explicit === undefined ? configDirIfKnown(env) : undefined;
  if (explicit === undefined && dir === undefined) return undefined;
  // `VC_CONFIG: "~/vc.json"` quoted in a CI file reaches vc unexpanded, as
  // for VC_MANIFEST and VC_CACHE_DIR: the home directory, not a `./~`.
  // A file VC_CONFIG names is named with it: a stale export in a shell
  // profile otherwise fails every command with a path the user never typed.
  const fromEnv = path === undefined && explicit !== undefined;
  // Blank would be a file named " " in the cwd (as VC_CACHE_DIR " " is
  // refused), a URI one under `./s3:/`.
  if (fromEnv && explicit.trim() === "") {
    throw new ConfigFileError("VC_CONFIG is blank: give the config file's path", explicit);
  }
  const stray = fromEnv ? environmentPathProblem(explicit, "VC_CONFIG") : undefined;
  if (fromEnv && stray !== undefined) throw new ConfigFileError(stray, explicit);
  if (fromEnv && isUriNotPath(explicit)) {
    throw new ConfigFileError(
      `VC_CONFIG must be a local path, got the URI ${JSON.stringify(explicit)}`,
      explicit,
    );
  }
  const file = resolve(
    options.cwd ?? Deno.cwd(),
    explicit === undefined
      ? configFileIn(dir!)
      : expandHome(explicit, env, fromEnv ? "VC_CONFIG" : undefined),
  );
  const required = options.required ?? explicit !== undefined;
  const text = readOrError(file, { missingIsCommon: !required });
  if (typeof text !== "string") {
    if (text instanceof Deno.errors.NotFound && !required) return undefined;
    const named = fromEnv ? `${file} (VC_CONFIG)` : file;
    // A script's --allow-read that leaves the user's config file out: Deno's
    // words name neither the file to allow nor the option that reads none.
    const why = text instanceof Deno.errors.NotCapable
      ? `this script may not read it (run with --allow-read=${file}, or give the AssetCache ` +
        `or resolveSettings() the option configPath: false to read no config file)`
      : text.message;
    throw new ConfigFileError(`cannot read config file ${named}: ${why}`, file, {
      cause: text,
    });
  }
  return { path: file, config: inFile(file, () => parseConfig(text, file, env)) };
}

const CONFIG_KEYS = new Set([
  "cacheDir",
  "timeout",
  "immutableBuckets",
  "offline",
  "bucket",
  "manifest",
  "parallelThreshold",
  "rangeSize",
]);

// The keys a project settings file may hold: what a team shares.
const PROJECT_KEYS = new Set(["cacheDir", "timeout", "immutableBuckets", "bucket"]);

// Settings `vc config` shows that no settings file holds (README's table),
// by the names `vc config` gives them (and the AWS profile, which it shows
// in the rows it sets): where each is set.
const NO_FILE_KEY: Readonly<Record<string, string>> = {
  lock: "VC_LOCK or --lock",
  frozen: "VC_FROZEN=1 or --frozen",
  lockWait: "VC_LOCK_WAIT",
  revalidateTimeout: "VC_REVALIDATE_TIMEOUT",
  onUnreachable: "VC_ON_UNREACHABLE",
  requestTimeout: "VC_REQUEST_TIMEOUT or --request-timeout",
  concurrency: "VC_CONCURRENCY or --concurrency (vc prefill, vc mirror)",
  s3PathStyle: "VC_S3_PATH_STYLE",
  s3Endpoint: "AWS_ENDPOINT_URL (or the AWS profile's endpoint_url)",
  s3Region: "AWS_REGION (or the AWS profile's region)",
  s3MaxAttempts: "AWS_MAX_ATTEMPTS (or the AWS profile's max_attempts)",
  s3Anonymous: "VC_S3_ANONYMOUS=1 or --no-sign-request",
  s3RequestPayer: "VC_S3_REQUEST_PAYER=1",
  s3Credentials:
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile (AWS_PROFILE): vc keeps no keys",
  profile: "AWS_PROFILE (the profile's endpoint_url, region and keys apply)",
};

// Other tools' names for the store's settings, as rclone's or DVC's config
// holds them (`endpoint`, `endpointurl`, `region`, `profile`, keys), by the
// key lowercased without `_` and `-`: the `vc config` row each stands for.
const STORE_KEY_ALIASES: Readonly<Record<string, string>> = {
  endpoint: "s3Endpoint",
  endpointurl: "s3Endpoint",
  s3endpoint: "s3Endpoint",
  s3endpointurl: "s3Endpoint",
  awsendpointurl: "s3Endpoint",
  region: "s3Region",
  regionname: "s3Region",
  s3region: "s3Region",
  awsregion: "s3Region",
  awsprofile: "profile",
  s3profile: "profile",
  profilename: "profile",
  accesskeyid: "s3Credentials",
  awsaccesskeyid: "s3Credentials",
  accesskey: "s3Credentials",
  secretaccesskey: "s3Credentials",
  awssecretaccesskey: "s3Credentials",
  secretkey: "s3Credentials",
  sessiontoken: "s3Credentials",
  credentials: "s3Credentials",
  forcepathstyle: "s3PathStyle",
  pathstyle: "s3PathStyle",
  usepathstyle: "s3PathStyle",
  addressingstyle: "s3PathStyle",
  maxattempts: "s3MaxAttempts",
  retries: "s3MaxAttempts",
  anonymous: "s3Anonymous",
  nosignrequest: "s3Anonymous",
  unsigned: "s3Anonymous",
  jobs: "concurrency",
  transfers: "concurrency",
};

// The variable's words for `timeout` (VC_CACHE_TIMEOUT) and a cache's
// usual name for it, by the key lowercased without `_` and `-`.
const KEY_ALIASES: Readonly<Record<string, string>> = {
  cachetimeout: "timeout",
  ttl: "timeout",
  cachettl: "timeout",
};

/**
 * The setting a key names when written as its variable (`VC_CACHE_DIR`,
 * copied from a CI file's `env:`), its flag (`request-timeout`) or in
 * another case (`cache_dir`): a file key or a `vc config` row no file
 * holds; `undefined` for any other key.
 */
function settingNamed(key: string): string | undefined {
  const normal = key.replace(/^vc[-_]/i, "").toLowerCase().replace(/[-_]/g, "");
  if (Object.hasOwn(KEY_ALIASES, normal)) return KEY_ALIASES[normal];
  return [...CONFIG_KEYS, ...Object.keys(NO_FILE_KEY)].find((k) => k.toLowerCase() === normal);
}

/** Where a setting no settings file holds is set, by its name or another tool's for it. */
function noFileKeyWhere(key: string): string | undefined {
  const named = settingNamed(key);
  if (named !== undefined && Object.hasOwn(NO_FILE_KEY, named)) return NO_FILE_KEY[named];
  if (Object.hasOwn(NO_FILE_KEY, key)) return NO_FILE_KEY[key];
  const normal = key.toLowerCase().replace(/[-_]/g, "");
  const row = Object.hasOwn(STORE_KEY_ALIASES, normal) ? STORE_KEY_ALIASES[normal] : undefined;
  return row === undefined ? undefined : NO_FILE_KEY[row];
}

// The user config file's other keys: why a project file does not hold
// each, and where else to set it.
const USER_ONLY: Readonly<Record<string, { why: string; instead: string }>> = {
  offline: { why: "whether this machine may use the network", instead: "VC_OFFLINE" },
  manifest: {
    why: "the project file is found from the manifest's directory",
    instead: "VC_MANIFEST or --manifest",
  },
  parallelThreshold: {
    why: "tuning of this machine's network",
    instead: "VC_PARALLEL_THRESHOLD",
  },
  rangeSize: { why: "tuning of this machine's network", instead: "VC_RANGE_SIZE" },
};

function parseConfig(
  text: string,
  file: string,
  env: EnvReader,
  keys: ReadonlySet<string> = CONFIG_KEYS,
  baseDir: string = dirname(file),
): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(jsonSyntaxMessage(`config file ${file}`, text, cause), { cause });
  }
  // JSON.parse keeps the last of a key given twice: which one was meant?
  const twice = duplicateKeyAt(text);
  if (twice !== undefined) {
    throw new InvalidInputError(
      `config file ${file} at line ${twice.line}, column ${twice.column}: ${
        JSON.stringify(twice.key)
      } is given more than once`,
    );
  }
  return configFromValue(raw, file, env, keys, baseDir);
}

/**
 * The settings of a parsed settings object, each checked (`file` names it in
 * errors). Takes the value as parsed, not re-serialized text: JSON has no
 * Infinity, so a `1e400` would come back as `null` and be reported as such.
 */
function configFromValue(
  raw: unknown,
  file: string,
  env: EnvReader,
  keys: ReadonlySet<string>,
  baseDir: string,
): ConfigFile {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(`config file ${file} must contain a JSON object`);
  }
  // A `\ud800` escape names no path or bucket: Deno would write it as U+FFFD.
  for (const [key, value] of Object.entries(raw)) {
    if (!wellFormed(value)) {
      throw new InvalidInputError(
        `config file ${file}: "${key}" holds a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape ` +
          "on its own), which is not valid Unicode",
      );
    }
  }
  const bad = (key: string, expected: string, value: unknown) =>
    new InvalidInputError(
      `config file ${file}: "${key}" must be ${expected}, got ${
        // JSON has no Infinity: 1e400 parses to it, and would print as null.
        typeof value === "number" && !Number.isFinite(value)
          ? "a number too large"
          : JSON.stringify(value)}`,
    );
  const config: ConfigFile = {};
  for (const key of Object.keys(raw)) {
    // "$schema" and similar annotations are allowed; other unknown keys are typos.
    if (key.startsWith("$")) continue;
    // A setting of one machine in a project file: "unknown" would be wrong.
    // Own keys only: "constructor" or "toString" are Object.prototype's.
    const setting = settingNamed(key) ?? key;
    const elsewhere = Object.hasOwn(USER_ONLY, setting) ? USER_ONLY[setting] : undefined;
    if (!keys.has(setting) && elsewhere !== undefined) {
      throw new InvalidInputError(
        `config file ${file}: ${
          JSON.stringify(key)
        } is not a project setting (${elsewhere.why}): ` +
          // Under its variable's name (`VC_RANGE_SIZE`), the user file's key is named:
          // that name there is refused as unknown.
          `set it in the user config file${
            setting === key ? "" : ` as ${JSON.stringify(setting)}`
          } or ${elsewhere.instead}; a project file holds ${[...keys].join(", ")}`,
      );
    }
    // A setting vc has, but not in a settings file: where it is set instead.
    const noKey = noFileKeyWhere(key);
    if (!keys.has(key) && noKey !== undefined) {
      throw new InvalidInputError(
        `config file ${file}: ${
          JSON.stringify(key)
        } is not a settings file key: set it with ${noKey}` +
          ` (known keys: ${[...keys].join(", ")})`,
      );
    }
    if (!keys.has(key)) {
      const guess = keys.has(setting) ? setting : closest(key, [...keys]);
      throw new InvalidInputError(
        `config file ${file}: unknown key ${JSON.stringify(key)}${
          guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?`
        } (known keys: ${[...keys].join(", ")})`,
      );
    }
  }
  const r = raw as Record<string, unknown>;
  const base = baseDir;
  if (r.cacheDir !== undefined) {
    // Blank too: "  " would be a directory named by spaces, as a blank VC_CACHE_DIR would.
    if (typeof r.cacheDir !== "string" || r.cacheDir.trim() === "") {
      throw bad("cacheDir", "a path, not empty or blank", r.cacheDir);
    }
    config.cacheDir = resolve(base, filePathSetting(r.cacheDir, env, file, "cacheDir"));
  }
  if (r.timeout !== undefined) {
    if (typeof r.timeout === "string") {
      config.timeout = parseDurationSeconds(r.timeout, `config file ${file}: "timeout"`);
    } else if (typeof r.timeout !== "number" || !Number.isFinite(r.timeout) || r.timeout < 0) {
      const error = bad(
        "timeout",
        'a non-negative number of seconds or a duration such as "1d"',
        r.timeout,
      );
      // 1e999, someone's "never": say how vc says that.
      if (r.timeout === Infinity) error.message += ` (${NEVER_REVALIDATE_NOTE})`;
      throw error;
    } else {
      config.timeout = r.timeout;
    }
  }
  if (r.immutableBuckets !== undefined) {
    const v = r.immutableBuckets;
    if (!Array.isArray(v) || !v.every((b): b is string => typeof b === "string" && b !== "")) {
      throw bad("immutableBuckets", "an array of non-empty strings", v);
    }
    // A directory written `./assets` (as a directory `bucket` is) is
    // relative to the file: a team's vc.json cannot hold an absolute path.
    config.immutableBuckets = checkImmutableBuckets(
      relativeDirsFrom(
        base,
        v,
        (item) => filePathSetting(item, env, file, "immutableBuckets"),
      ),
      `config file ${file}: "immutableBuckets"`,
    );
  }
  if (r.offline !== undefined) {
    if (typeof r.offline !== "boolean") throw bad("offline", "true or false", r.offline);
    config.offline = r.offline;
  }
  if (r.bucket !== undefined) {
    if (typeof r.bucket !== "string" || r.bucket === "") {
      throw bad("bucket", "a non-empty string", r.bucket);
    }
    config.bucket = normalizeBucket(r.bucket, `config file ${file}: "bucket"`, base);
  }
  if (r.manifest !== undefined) {
    // Blank too: "  " would be a directory named by spaces, as a blank VC_CACHE_DIR would.
    if (typeof r.manifest !== "string" || r.manifest.trim() === "") {
      throw bad("manifest", "a path, not empty or blank", r.manifest);
    }
    config.manifest = resolve(base, filePathSetting(r.manifest, env, file, "manifest"));
  }
  for (const key of ["parallelThreshold", "rangeSize"] as const) {
    const v = r[key];
    if (v === undefined) continue;
    const what = `config file ${file}: "${key}"`;
    if (typeof v === "string") config[key] = parseSizeSetting(v, key, what);
    else if (typeof v === "number") config[key] = checkSizeSetting(v, key, what);
    else throw bad(key, 'a number of bytes or a size such as "16MiB"', v);
  }
  return config;
}

// A path written as relative on purpose (`./dir`, `../dir`, `.`), as a
// directory bucket is: `dir/x` could as well be a bucket with a prefix.
const RELATIVE_DIR = /^\.\.?(?:$|[\\/])/;

// The `./dir` and `../dir` items of an immutableBuckets list as the paths
// they name from `base` (each checked as a local path by `check`), as a
// directory bucket written so is; any other item as it is.
function relativeDirsFrom(
  base: string,
  items: readonly string[],
  check: (item: string) => string,
): string[] {
  return items.map((item) =>
    typeof item === "string" && RELATIVE_DIR.test(item) ? resolve(base, check(item)) : item
  );
}

/** Where to look for the platform (and environment) when computing default directories. */
export interface PlatformOptions {
  /** Environment to read instead of `Deno.env`. */
  env?: EnvReader | Record<string, string | undefined>;
  /** Operating system instead of `Deno.build.os`. */
  os?: typeof Deno.build.os;
}

/**
 * The platform's default asset cache directory: Linux and other Unixes
 * `$XDG_CACHE_HOME/vc` or `~/.cache/vc`; macOS `~/Library/Caches/vc`;
 * Windows `%LOCALAPPDATA%\vc\Cache`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultCacheDir } from "./config.ts";
 * const dir = defaultCacheDir({ os: "linux", env: { HOME: "/home/ann" } });
 * assert(dir === "/home/ann/.cache/vc");
 * ```
 */
export function defaultCacheDir(options: PlatformOptions = {}): string {
  checkOptions("defaultCacheDir()", options, PLATFORM_OPTIONS);
  const env = envReader(options.env);
  const os = options.os ?? Deno.build.os;
  if (os === "windows") {
    const local = absoluteDirVar(env, "LOCALAPPDATA", os) ??
      win32Join(homeDir(env, os, "cache directory"), "AppData", "Local");
    return win32Join(local, "vc", "Cache");
  }
  if (os === "darwin") return join(homeDir(env, os, "cache directory"), "Library", "Caches", "vc");
  const xdg = absoluteDirVar(env, "XDG_CACHE_HOME", os);
  if (xdg !== undefined) return join(xdg, "vc");
  return join(homeDir(env, os, "cache directory"), ".cache", "vc");
}

/**
 * The platform's config directory (the config file is `<dir>/vc/config.json`):
 * Linux `$XDG_CONFIG_HOME` or `~/.config`; macOS `~/Library/Application Support`;
 * Windows `%APPDATA%`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultConfigDir } from "./config.ts";
 * const dir = defaultConfigDir({ os: "linux", env: { HOME: "/home/ann" } });
 * assert(dir === "/home/ann/.config");
 * ```
 */
export function defaultConfigDir(options: PlatformOptions = {}): string {
  checkOptions("defaultConfigDir()", options, PLATFORM_OPTIONS);
  const env = envReader(options.env);
  const os = options.os ?? Deno.build.os;
  const dir = configDirIfKnown(env, os);
  if (dir === undefined) {
    // The platform's own variable works too (an absolute one): named, as
    // for the cache directory; "set VC_CONFIG" alone hid it.
    const platform = configDirVariable(os);
    throw noHomeError(
      env,
      os,
      "config directory",
      `VC_CONFIG${platform === undefined ? "" : ` or ${platform}`}`,
      platform,
    );
  }
  return dir;
}

/**
 * The default config file, `<config dir>/vc/config.json` (read when
 * `VC_CONFIG` is not set), whether it exists or not; throws as
 * {@linkcode defaultConfigDir} does when the home directory is not set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultConfigFile } from "./config.ts";
 * const file = defaultConfigFile({ os: "linux", env: { HOME: "/home/ann" } });
 * assert(file === "/home/ann/.config/vc/config.json");
 * ```
 */
export function defaultConfigFile(options: PlatformOptions = {}): string {
  return configFileIn(defaultConfigDir(options), options.os);
}

/**
 * Where the default cache directory (`kind` `"cache"`) or config directory
 * (`"config"`) comes from, for `vc config`'s `default` source: the platform's
 * variable that placed it (`default (XDG_CACHE_HOME)`), one that is set but
 * ignored because it is no absolute path, as the XDG spec says
 * (`default (XDG_CACHE_HOME="cache" is ignored: not an absolute path)`), else
 * `default`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformDirSource } from "./config.ts";
 * assert(platformDirSource("cache", { os: "linux", env: { XDG_CACHE_HOME: "/c" } }) === "default (XDG_CACHE_HOME)");
 * assert(platformDirSource("cache", { os: "linux", env: {} }) === "default");
 * ```
 */
export function platformDirSource(
  kind: "cache" | "config",
  options: PlatformOptions = {},
): string {
  checkOptions("platformDirSource()", options, PLATFORM_OPTIONS);
  const env = envReader(options.env);
  const os = options.os ?? Deno.build.os;
  const variable = kind === "config" ? configDirVariable(os) : cacheDirVariable(os);
  const given = variable === undefined ? undefined : platformVar(env, variable);
  if (variable === undefined || given === undefined) return "default";
  return absoluteDirVar(env, variable, os) !== undefined
    ? `default (${variable})`
    : `default (${variable}=${JSON.stringify(given)} is ignored: not an absolute path)`;
}

// Joined by `os`'s rules, so that tests on Linux see Windows' own path.
function configFileIn(configDir: string, os: typeof Deno.build.os = Deno.build.os): string {
  return joinOn(os, configDir, "vc", "config.json");
}

// The platform's config directory, or undefined when the home directory it
// lies in is not set.
function configDirIfKnown(
  env: EnvReader,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  const platform = configDirVariable(os);
  const dir = platform === undefined ? undefined : absoluteDirVar(env, platform, os);
  if (dir !== undefined) return dir;
  const home = homeDirectory(env, os);
  if (home === undefined) return undefined;
  if (os === "windows") return win32Join(home, "AppData", "Roaming");
  if (os === "darwin") return join(home, "Library", "Application Support");
  return join(home, ".config");
}

function homeDir(env: EnvReader, os: typeof Deno.build.os, what: string): string {
  const home = homeDirectory(env, os);
  // The command line's flag and the library's option, and the platform's
  // own variable for the directory (an absolute one).
  const platform = cacheDirVariable(os);
  const instead = `VC_CACHE_DIR${
    platform === undefined ? "" : ` or ${platform}`
  }, or pass the cacheDir option`;
  if (home === undefined) throw noHomeError(env, os, what, instead, platform);
  return home;
}

// The platform's variable for its cache directory (an absolute one is used
// in place of the one under the home directory), if it has one.
function cacheDirVariable(os: typeof Deno.build.os): string | undefined {
  return os === "windows" ? "LOCALAPPDATA" : os === "darwin" ? undefined : "XDG_CACHE_HOME";
}

// The platform's variable for its config directory (an absolute one is
// used in place of the one under the home directory), if it has one.
function configDirVariable(os: typeof Deno.build.os): string | undefined {
  return os === "windows" ? "APPDATA" : os === "darwin" ? undefined : "XDG_CONFIG_HOME";
}

// `homeNotSet`, and when the platform's variable for the directory
// (`platform`) is set to a relative path, that it is ignored: "set
// XDG_CACHE_HOME" to someone who did, to a relative path, which the XDG spec
// has ignored (and `LOCALAPPDATA` / `APPDATA` on Windows likewise).
function noHomeError(
  env: EnvReader,
  os: typeof Deno.build.os,
  what: string,
  instead: string,
  platform: string | undefined,
): InvalidInputError {
  const error = homeNotSet(env, os, what, instead);
  const given = platform === undefined ? undefined : platformVar(env, platform);
  if (given === undefined || absoluteDirVar(env, platform!, os) !== undefined) return error;
  return new InvalidInputError(
    `${error.message.slice(0, -1)}; ${platform}=${
      JSON.stringify(given)
    } is ignored: not an absolute path)`,
  );
}

// `instead`: what to set so that the directory is not needed.
function homeNotSet(
  env: EnvReader,
  os: typeof Deno.build.os,
  what: string,
  instead: string,
): InvalidInputError {
  const home = homeVariable(os);
  // readDenoEnv takes a denied permission for "unset" (the defaults still
  // work without --allow-env); "HOME is not set" then sent a script author
  // who had HOME set looking for the wrong cause.
  if (env === readDenoEnv && !envGranted(home)) {
    return new InvalidInputError(
      `cannot determine the default ${what}: ${home} cannot be read without env permission ` +
        `(run with --allow-env=${placingVariables(what, os).join(",")}, or pass the ${
          what === "config directory" ? "configPath" : "cacheDir"
        } option)`,
    );
  }
  return new InvalidInputError(
    `cannot determine the default ${what}: ${home} is not set (set ${instead})`,
  );
}

// The variables that place the default `what` on `os`, as the vc CLI reads
// them: vc takes one it may not read for unset, without a word, so
// `--allow-env=HOME` alone put the cache under ~/.cache/vc where
// XDG_CACHE_HOME (and the config file it read, where XDG_CONFIG_HOME or
// VC_CONFIG) placed the CLI's elsewhere.
function placingVariables(what: string, os: typeof Deno.build.os): string[] {
  const config = ["VC_CONFIG", configDirVariable(os)];
  const names = what === "config directory"
    ? config
    : ["VC_CACHE_DIR", ...config, cacheDirVariable(os)];
  return [...names, homeVariable(os)].filter((n): n is string => n !== undefined);
}

/**
 * A setting that names a local file or directory (the cache directory, the
 * manifest) with a leading `~` as the home directory. A
 * URI there (`s3://b/cache`, `file:///srv/cache`) would resolve to a
 * directory `./s3:/b/cache` made beside it, and vc would report success:
 * refused, naming `what`, as the flags refuse it (`src/cli/local_path.ts`).
 */
/**
 * Why the path `value` of the environment variable `name` is refused for
 * whitespace at an end, or undefined: a line break that a YAML block
 * (`VC_CACHE_DIR: |`) or a file with Windows line ends leaves, a pasted
 * space. Taken as it was, `VC_CACHE_DIR` named a new directory `cache\n`
 * (a cold cache on every CI run), `VC_LOCK` a lock file of that name, and
 * `VC_MANIFEST` / `VC_CONFIG` a file that was not there. A settings file's
 * `cacheDir` and `manifest` are checked so too; a flag's path only for a
 * line break at an end (a space there may be typed as meant).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentPathProblem } from "./config.ts";
 * assert.match(environmentPathProblem("/ci/cache\n", "VC_CACHE_DIR") ?? "", /did you mean "\/ci\/cache"/);
 * assert.equal(environmentPathProblem("/ci/cache", "VC_CACHE_DIR"), undefined);
 * ```
 */
export function environmentPathProblem(value: string, name: string): string | undefined {
  requireString("environmentPathProblem(): the value", value);
  const stray = value.trim() === "" ? undefined : strayWhitespace(value, true);
  return stray === undefined ? undefined : `${name} ${JSON.stringify(value)} ${stray}`;
}

/**
 * The local path the environment variable `name` gives (`VC_LOCK`), `~`
 * expanded, or undefined when it is unset or empty; a URI, or a path with
 * stray whitespace at an end, is an `InvalidInputError` naming it. Relative
 * paths stay relative (to the current directory), as `vc` takes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentLocalPath } from "./config.ts";
 * const env = (n: string) => ({ HOME: "/home/ann", VC_LOCK: "~/ci.lock.json" })[n];
 * assert.equal(environmentLocalPath("VC_LOCK", env), "/home/ann/ci.lock.json");
 * assert.equal(environmentLocalPath("VC_SURELY_NOT_SET_123", env), undefined);
 * assert.throws(() => environmentLocalPath("VC_LOCK", () => "s3://b/l.json"), /local path/);
 * ```
 */
export function environmentLocalPath(
  name: string,
  env: EnvReader = readDenoEnv,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  requireString("environmentLocalPath(): the variable's name", name);
  checkFunction("environmentLocalPath(): env", env);
  const value = nonEmpty(env(name));
  if (value === undefined) return undefined;
  const stray = environmentPathProblem(value, name);
  if (stray !== undefined) throw new InvalidInputError(stray);
  return localSetting(value, env, name, os);
}

// A settings file's path (`cacheDir`, `manifest`): refused, as the variable
// is, with a space or a line break at an end, which made a directory
// `cache\n` beside the one meant (its `bucket` refused the same slip).
function filePathSetting(path: string, env: EnvReader, file: string, key: string): string {
  const what = `config file ${file}: ${JSON.stringify(key)}`;
  const stray = environmentPathProblem(path, what);
  if (stray !== undefined) throw new InvalidInputError(stray);
  return localSetting(path, env, what);
}

function localSetting(
  path: string,
  env: EnvReader,
  what: string,
  os: typeof Deno.build.os = Deno.build.os,
): string {
  if (path.includes("\0")) throw new InvalidInputError(nulInPathMessage(what, path));
  if (isUriNotPath(path)) {
    throw new InvalidInputError(
      `${what} must be a local path, got the URI ${JSON.stringify(path)}`,
    );
  }
  const windowsPath = windowsPathProblem(path, os);
  if (windowsPath !== undefined) throw new InvalidInputError(`${what} ${windowsPath}`);
  return expandHome(path, env, what, { os });
}

function checkTimeout(value: number, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidInputError(
      `${what} must be a non-negative number of seconds, got ${
        typeof value === "number" ? String(value) : JSON.stringify(value)
      }${
        // Someone's "never revalidate": the option that says it.
        value === Infinity
          ? " (a timeout is finite: to never revalidate, list the bucket, or the store's root " +
            "URI, in the immutableBuckets option, or pass immutable: true to cache())"
          : ""}`,
    );
  }
  return value;
}

/**
 * Immutable bucket entries as the cache matches them: a bucket name, a URI
 * (`s3://bucket/prefix`, `file:///dir`), or an absolute path. Anything else (`b/prefix`,
 * `./assets`, a name with spaces) would match no entry, silently: refused,
 * naming `what` and the value.
 */
function checkImmutableBuckets(items: string[], what: string): string[] {
  for (const item of items as unknown[]) {
    // A library caller's list is not type-checked at run time: `[1]` would
    // otherwise fail as a TypeError from deep inside the check.
    if (typeof item !== "string") {
      throw new InvalidInputError(
        `${what}: an item is ${describeValue(item)}, not a string: give a bucket name, an ` +
          "s3:// or file:// URI or an absolute path",
      );
    }
    if (typeof item === "string" && item.trim() === "") {
      throw new InvalidInputError(
        `${what}: an item is ${
          item === "" ? "empty" : `blank (${JSON.stringify(item)})`
        }: give a bucket name, an s3:// or file:// URI or an absolute path, or leave it out`,
      );
    }
    // A glob (`s3://b/models/*`) would be taken for a literal prefix: matched by nothing meant.
    if (/[*?]/.test(item)) {
      const prefix = /^(.*\/)\*+$/.exec(item)?.[1];
      throw new InvalidInputError(
        `${what}: ${JSON.stringify(item)} is a pattern; it takes bucket names, URIs and paths, ` +
          `each covering what lies below it, not patterns${
            prefix === undefined ? "" : ` (${prefix} covers every object below it)`
          }`,
      );
    }
    if (item.includes("://")) {
      // Parsed now, so a bad one is refused naming the setting that holds
      // it (and a password in it is never shown, here or by `vc config`).
      try {
        const parsed = parseUri(item);
        // A prefix, refused for an empty or dot segment as every store's is.
        if (parsed.scheme === "s3") {
          checkDotSegments(parsed.key, `s3://${parsed.bucket}`, "prefix");
        }
      } catch (e) {
        if (e instanceof InvalidInputError) throw new InvalidInputError(`${what}: ${e.message}`);
        throw e;
      }
      continue;
    }
    if (BUCKET_NAME.test(item) || isAbsolute(item)) continue;
    throw new InvalidInputError(
      `${what}: ${JSON.stringify(item)} is not a bucket name, an s3:// or file:// URI or an ` +
        "absolute path, so it would match nothing (a prefix of a bucket is s3://bucket/prefix)",
    );
  }
  return items;
}

/**
 * The smallest ranged GET a setting may ask for. A bare number is bytes, so
 * `VC_RANGE_SIZE=8` meant as 8 MiB would otherwise split a 1 GiB download
 * into 134 million requests.
 */
const MIN_RANGE_SIZE = 64 * 1024;

// A size setting from text (environment, config file): bytes or with a unit.
function parseSizeSetting(
  value: string,
  name: "parallelThreshold" | "rangeSize",
  what: string,
): number {
  const size = parseSizeText(value);
  // A number of bytes past 2^53 is a size, too large: not "no size".
  if (size === undefined && sizeTooLarge(value)) {
    throw new InvalidInputError(`${what} ${JSON.stringify(value)} is too large: ${LARGEST_SIZE}`);
  }
  if (size === undefined) {
    throw new InvalidInputError(
      `${what} must be a number of bytes or a size such as 64MiB, 100MB, 1GiB, got ${
        JSON.stringify(value)
      }`,
    );
  }
  // "1.5" would be 1 byte: refused, as the number 1.5 in a config file is.
  if (!size.whole) {
    throw new InvalidInputError(
      `${what} must be a whole number of bytes, got ${JSON.stringify(value)}`,
    );
  }
  return checkSizeSetting(size.bytes, name, what, true, value);
}

/**
 * A size setting's value (`parallelThreshold`, `rangeSize`) checked: a whole
 * number of bytes, a range not absurdly small (64 KiB at least when `typed`:
 * a flag, a variable, a config file; at least 1 from a program). Throws
 * `InvalidInputError` naming `what` (a flag, a variable, a file's key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSizeSetting } from "./config.ts";
 * assert.equal(checkSizeSetting(8 * 2 ** 20, "rangeSize", "--range-size"), 8 * 2 ** 20);
 * assert.throws(() => checkSizeSetting(8, "rangeSize", "--range-size"), /at least 65536/);
 * // A program's option, not typed text: any whole number of bytes.
 * assert.equal(checkSizeSetting(4096, "rangeSize", "the option partSize", false), 4096);
 * // The text it was read from is quoted as typed.
 * assert.throws(() => checkSizeSetting(1000, "rangeSize", "--range-size", true, "1k"), /got "1k" \(1000 bytes\)/);
 * ```
 */
export function checkSizeSetting(
  value: number,
  name: "parallelThreshold" | "rangeSize",
  what: string,
  // A program's number option is taken as meant (tests use tiny ranges);
  // the floor guards typed text, where a bare 8 may mean 8 MiB.
  typed = true,
  // The text `value` was read from (`1k`), quoted in the error as typed.
  text?: string,
): number {
  const min = name === "rangeSize" ? (typed ? MIN_RANGE_SIZE : 1) : 0;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    const bare = text === undefined || /^\d+$/.test(text.trim());
    const got = typeof value !== "number"
      ? JSON.stringify(value)
      : !Number.isFinite(value) || value > Number.MAX_SAFE_INTEGER
      ? "a number too large"
      : bare
      ? `${value}`
      : `${JSON.stringify(text)} (${value} bytes)`;
    throw new InvalidInputError(
      `${what} must be a whole number of bytes${
        min > 0
          ? ` of at least ${min} (64KiB${bare ? "; a bare number is bytes: say 8MiB" : ""})`
          : ""
      }, got ${got}`,
    );
  }
  return value;
}

/**
 * The download options (`downloadToFile`'s `parallelThreshold` and
 * `partSize`) the resolved settings ask for; an unset setting is left out,
 * so the download's default applies. Every download that takes these
 * options gets them from here: the asset cache, the lock file's checks,
 * `mirror` to a directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downloadTuning } from "./config.ts";
 * assert.deepEqual(downloadTuning({ rangeSize: 2 ** 20 }), { partSize: 2 ** 20 });
 * assert.deepEqual(downloadTuning({}), {});
 * ```
 */
export function downloadTuning(
  settings: Pick<Settings, "parallelThreshold" | "rangeSize">,
): DownloadTuning {
  if (!isPlainObject(settings)) {
    throw new InvalidInputError(
      `downloadTuning(): the settings must be an object, got ${describeValue(settings)}`,
    );
  }
  const tuning: DownloadTuning = {};
  if (settings.parallelThreshold !== undefined) {
    tuning.parallelThreshold = settings.parallelThreshold;
  }
  if (settings.rangeSize !== undefined) tuning.partSize = settings.rangeSize;
  return tuning;
}

/** The settings' part of a download's options (see {@linkcode downloadTuning}). */
export interface DownloadTuning {
  /** Objects at least this large (bytes) download with parallel ranged GETs. */
  parallelThreshold?: number;
  /** Bytes of one ranged GET. */
  partSize?: number;
}

/**
 * A boolean setting from the environment (`VC_OFFLINE`, `VC_FROZEN`):
 * `1/0`, `true/false`, `yes/no`, `on/off`, in any case. Anything else throws
 * `InvalidInputError` naming the variable and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBoolean } from "./config.ts";
 * assert.equal(parseBoolean("Yes", "VC_FROZEN"), true);
 * assert.throws(() => parseBoolean("maybe", "VC_FROZEN"), /VC_FROZEN must be/);
 * ```
 */
export function parseBoolean(value: string, name: string): boolean {
  requireString(`parseBoolean(): ${name}`, value);
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new InvalidInputError(
    `${name} must be 1/0, true/false, yes/no or on/off, got ${JSON.stringify(value)}`,
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

// The directory a platform variable names (`XDG_CACHE_HOME`, `LOCALAPPDATA`),
// or undefined when unset or not an absolute path on `os`. The XDG spec says
// relative values are invalid and must be ignored. On Windows such a value
// (`AppData\Local`, or a `%USERPROFILE%\…` no shell expanded, set by hand or
// by a CI file) named a directory below the working directory: a new, empty
// cache in every directory vc ran from. Ignored there too, for the directory
// under the home it stands for.
function absoluteDirVar(
  env: EnvReader,
  name: string,
  os: typeof Deno.build.os,
): string | undefined {
  const value = platformVar(env, name);
  if (value === undefined) return undefined;
  return (os === "windows" ? win32IsAbsolute(value) : value.startsWith("/")) ? value : undefined;
}

// A platform variable (`HOME`, `XDG_CACHE_HOME`, `LOCALAPPDATA`, ...); a
// blank one is unset: `HOME=" "` made the cache directory `./ /.cache/vc`,
// a directory named by spaces in the current one.
function platformVar(env: EnvReader, name: string): string | undefined {
  const value = env(name);
  return value === undefined || value.trim() === "" ? undefined : value;
}

function envReader(env: SettingsOptions["env"]): EnvReader {
  if (typeof env === "function") return env;
  // `env: "production"` read every variable as unset, without a word.
  if (env !== undefined && (typeof env !== "object" || env === null)) {
    throw new InvalidInputError(
      `the option env must be a function or an object of variables, got ${describeValue(env)}`,
    );
  }
  if (env !== undefined) return (name) => env[name];
  return readDenoEnv;
}

/**
 * Reads `Deno.env`, treating a variable that `--allow-env` does not cover as
 * "unset" (without prompting for it) so a program run without `--allow-env`
 * still gets the defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDenoEnv } from "./config.ts";
 * assert(readDenoEnv("VC_SURELY_NOT_SET_123") === undefined);
 * ```
 */
export function readDenoEnv(name: string): string | undefined {
  if (!envGranted(name)) return undefined;
  try {
    return Deno.env.get(name);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return undefined;
    }
    // Deno's own error names no variable.
    throw envNotUtf8(name, e) ?? e;
  }
}

/**
 * Whether every string in a parsed JSON value is well-formed Unicode (no lone
 * surrogate). Walks with its own stack: a file nesting arrays 10,000 deep (a
 * `"$comment"`'s value, or any key's) overflowed the call stack.
 */
function wellFormed(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === "string") {
      if (!item.isWellFormed()) return false;
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
    } else if (typeof item === "object" && item !== null) {
      for (const [k, v] of Object.entries(item)) {
        if (!k.isWellFormed()) return false;
        pending.push(v);
      }
    }
  }
  return true;
}
