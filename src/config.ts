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
import { dirname, isAbsolute, join, resolve, win32 } from "node:path";
import { InvalidInputError } from "./errors.ts";

/** The config file's contents (`<config dir>/vc/config.json`, or `$VC_CONFIG`). Every key is optional. */
export interface ConfigFile {
  /** Asset cache directory; relative paths are relative to the config file, `~/` is the home dir. */
  cacheDir?: string;
  /** Seconds before a cached asset is revalidated (0 = always). */
  timeout?: number;
  /** Buckets (or store root URIs) whose objects never change, so they are never revalidated. */
  immutableBuckets?: string[];
  /** Never touch the network. */
  offline?: boolean;
  /** Default bucket (or store root URI) of the versioned cache. */
  bucket?: string;
  /** Default manifest path of the versioned cache; relative to the config file. */
  manifest?: string;
}

/** Reads one environment variable; `undefined` when unset. */
export type EnvReader = (name: string) => string | undefined;

/** Explicit settings; each one overrides the environment and the config file. */
export interface SettingsOptions {
  /** Asset cache directory. */
  cacheDir?: string;
  /** Seconds before revalidation (0 = always revalidate). */
  timeout?: number;
  /** Buckets (or store root URIs) that are never revalidated. */
  immutableBuckets?: string[];
  /** Never touch the network. */
  offline?: boolean;
  /** Config file to read instead of `$VC_CONFIG` / the platform default; `false` skips the file. */
  configPath?: string | false;
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
  /** Default versioned-cache bucket from the config file, if any. */
  bucket?: string;
  /** Default manifest path from the config file (absolute), if any. */
  manifest?: string;
  /** The config file that was read, when one exists. */
  configPath?: string;
}

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
  const env = envReader(options.env);
  const configPath = options.configPath === false
    ? undefined
    : options.configPath ?? nonEmpty(env("VC_CONFIG"));
  // An explicitly named config file must exist; the default one is optional.
  const file = options.configPath === false
    ? undefined
    : loadConfigFile(configPath, { env, required: configPath !== undefined });

  const envCacheDir = nonEmpty(env("VC_CACHE_DIR"));
  const cacheDir = options.cacheDir !== undefined
    ? resolve(expandHome(options.cacheDir, env))
    : envCacheDir !== undefined
    ? resolve(expandHome(envCacheDir, env))
    : file?.config.cacheDir ?? defaultCacheDir({ env });

  const envTimeout = nonEmpty(env("VC_CACHE_TIMEOUT"));
  const timeout = options.timeout !== undefined
    ? checkTimeout(options.timeout, "option timeout")
    : envTimeout !== undefined
    ? parseTimeout(envTimeout)
    : file?.config.timeout ?? DEFAULT_TIMEOUT_SECONDS;

  const envImmutable = env("VC_IMMUTABLE_BUCKETS");
  const immutableBuckets = options.immutableBuckets !== undefined
    ? [...options.immutableBuckets]
    : envImmutable !== undefined
    ? envImmutable.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : file?.config.immutableBuckets ?? [];

  const envOffline = nonEmpty(env("VC_OFFLINE"));
  const offline = options.offline ??
    (envOffline !== undefined
      ? parseBoolean(envOffline, "VC_OFFLINE")
      : file?.config.offline ?? false);

  const settings: Settings = { cacheDir, timeout, immutableBuckets, offline };
  if (file?.config.bucket !== undefined) settings.bucket = file.config.bucket;
  if (file?.config.manifest !== undefined) settings.manifest = file.config.manifest;
  if (file !== undefined) settings.configPath = file.path;
  return settings;
}

/** Options of {@linkcode loadConfigFile}. */
export interface LoadConfigOptions {
  /** Environment to read instead of `Deno.env`. */
  env?: EnvReader | Record<string, string | undefined>;
  /** Throw `NotFoundError`-style `InvalidInputError` when the file does not exist (default: only when `path` is given). */
  required?: boolean;
}

/** A parsed, validated config file and where it was found. */
export interface LoadedConfig {
  /** Absolute path of the file that was read. */
  path: string;
  /** Its validated contents; `cacheDir` and `manifest` are absolute. */
  config: ConfigFile;
}

/**
 * Reads and validates the config file: `path`, else `$VC_CONFIG`, else
 * `<config dir>/vc/config.json`. Returns `undefined` when the default file
 * does not exist. Malformed JSON throws `InvalidInputError` naming the file,
 * line and column; wrong types or unknown keys throw naming the key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfigFile } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/config.json`, '{"bucket": "my-assets", "timeout": 30}');
 *   const loaded = loadConfigFile(`${dir}/config.json`);
 *   assert(loaded?.config.bucket === "my-assets" && loaded.config.timeout === 30);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function loadConfigFile(
  path?: string,
  options: LoadConfigOptions = {},
): LoadedConfig | undefined {
  const env = envReader(options.env);
  const explicit = path ?? nonEmpty(env("VC_CONFIG"));
  const file = resolve(explicit ?? join(defaultConfigDir({ env }), "vc", "config.json"));
  const required = options.required ?? explicit !== undefined;
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound && !required) return undefined;
    throw new InvalidInputError(
      `cannot read config file ${file}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return { path: file, config: parseConfig(text, file, env) };
}

const CONFIG_KEYS = new Set([
  "cacheDir",
  "timeout",
  "immutableBuckets",
  "offline",
  "bucket",
  "manifest",
]);

function parseConfig(text: string, file: string, env: EnvReader): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    const { line, column } = jsonErrorPosition(text, message);
    throw new InvalidInputError(
      `invalid JSON in config file ${file} at line ${line}, column ${column}: ${message}`,
      { cause },
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(`config file ${file} must contain a JSON object`);
  }
  const bad = (key: string, expected: string, value: unknown) =>
    new InvalidInputError(
      `config file ${file}: "${key}" must be ${expected}, got ${JSON.stringify(value)}`,
    );
  const config: ConfigFile = {};
  for (const key of Object.keys(raw)) {
    // "$schema" and similar annotations are allowed; other unknown keys are typos.
    if (key.startsWith("$")) continue;
    if (!CONFIG_KEYS.has(key)) {
      throw new InvalidInputError(
        `config file ${file}: unknown key ${JSON.stringify(key)} (known keys: ${
          [...CONFIG_KEYS].join(", ")
        })`,
      );
    }
  }
  const r = raw as Record<string, unknown>;
  const base = dirname(file);
  if (r.cacheDir !== undefined) {
    if (typeof r.cacheDir !== "string" || r.cacheDir === "") {
      throw bad("cacheDir", "a non-empty string", r.cacheDir);
    }
    config.cacheDir = resolve(base, expandHome(r.cacheDir, env));
  }
  if (r.timeout !== undefined) {
    if (typeof r.timeout !== "number" || !Number.isFinite(r.timeout) || r.timeout < 0) {
      throw bad("timeout", "a non-negative number of seconds", r.timeout);
    }
    config.timeout = r.timeout;
  }
  if (r.immutableBuckets !== undefined) {
    const v = r.immutableBuckets;
    if (!Array.isArray(v) || !v.every((b): b is string => typeof b === "string" && b !== "")) {
      throw bad("immutableBuckets", "an array of non-empty strings", v);
    }
    config.immutableBuckets = v;
  }
  if (r.offline !== undefined) {
    if (typeof r.offline !== "boolean") throw bad("offline", "true or false", r.offline);
    config.offline = r.offline;
  }
  if (r.bucket !== undefined) {
    if (typeof r.bucket !== "string" || r.bucket === "") {
      throw bad("bucket", "a non-empty string", r.bucket);
    }
    config.bucket = r.bucket;
  }
  if (r.manifest !== undefined) {
    if (typeof r.manifest !== "string" || r.manifest === "") {
      throw bad("manifest", "a non-empty string", r.manifest);
    }
    config.manifest = resolve(base, expandHome(r.manifest, env));
  }
  return config;
}

// V8's messages do not always carry a position ("Unexpected token '\n', ...
// is not valid JSON"), so the offset of the first error is found by a small
// JSON scanner and turned into a 1-based line and column.
function jsonErrorPosition(text: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}

/** Offset of the first JSON syntax error in `text` (its length when the text ends early). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const c of word) if (text[i++] !== c) (i--, fail());
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      while (true) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      while (true) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) number();
    else fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (offset) {
    if (typeof offset === "number") return Math.min(offset, text.length);
    throw offset;
  }
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
  const env = envReader(options.env);
  const os = options.os ?? Deno.build.os;
  if (os === "windows") {
    const local = nonEmpty(env("LOCALAPPDATA")) ??
      win32.join(homeDir(env, os, "cache directory"), "AppData", "Local");
    return win32.join(local, "vc", "Cache");
  }
  if (os === "darwin") return join(homeDir(env, os, "cache directory"), "Library", "Caches", "vc");
  const xdg = nonEmpty(env("XDG_CACHE_HOME"));
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, "vc");
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
  const env = envReader(options.env);
  const os = options.os ?? Deno.build.os;
  if (os === "windows") {
    return nonEmpty(env("APPDATA")) ??
      win32.join(homeDir(env, os, "config directory"), "AppData", "Roaming");
  }
  if (os === "darwin") {
    return join(homeDir(env, os, "config directory"), "Library", "Application Support");
  }
  const xdg = nonEmpty(env("XDG_CONFIG_HOME"));
  if (xdg !== undefined && isAbsolute(xdg)) return xdg;
  return join(homeDir(env, os, "config directory"), ".config");
}

function homeDir(env: EnvReader, os: typeof Deno.build.os, what: string): string {
  const home = os === "windows"
    ? nonEmpty(env("USERPROFILE")) ?? nonEmpty(env("HOME"))
    : nonEmpty(env("HOME"));
  if (home === undefined) {
    throw new InvalidInputError(
      `cannot determine the default ${what}: ${
        os === "windows" ? "USERPROFILE" : "HOME"
      } is not set (set VC_CACHE_DIR or pass cacheDir)`,
    );
  }
  return home;
}

function expandHome(path: string, env: EnvReader): string {
  if (path !== "~" && !path.startsWith("~/") && !path.startsWith("~\\")) return path;
  const home = nonEmpty(env("HOME")) ?? nonEmpty(env("USERPROFILE"));
  if (home === undefined) {
    throw new InvalidInputError(`cannot expand ${path}: HOME is not set`);
  }
  return join(home, path.slice(1));
}

function parseTimeout(value: string): number {
  const trimmed = value.trim();
  // Number("") and Number("0x10") are accepted by JS; only plain decimals are meant here.
  if (!/^\d+(\.\d+)?$/.test(trimmed)) {
    throw new InvalidInputError(
      `VC_CACHE_TIMEOUT must be a non-negative number of seconds, got ${JSON.stringify(value)}`,
    );
  }
  return Number(trimmed);
}

function checkTimeout(value: number, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidInputError(
      `${what} must be a non-negative number of seconds, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function parseBoolean(value: string, name: string): boolean {
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

function envReader(env: SettingsOptions["env"]): EnvReader {
  if (typeof env === "function") return env;
  if (env !== undefined) return (name) => env[name];
  return readDenoEnv;
}

/**
 * Reads `Deno.env`, treating a denied permission as "unset" so a program run
 * without `--allow-env` still gets the defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDenoEnv } from "./config.ts";
 * assert(readDenoEnv("VC_SURELY_NOT_SET_123") === undefined);
 * ```
 */
export function readDenoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return undefined;
    }
    throw e;
  }
}
