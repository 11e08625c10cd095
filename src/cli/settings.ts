/**
 * Turns the settings flags of the command line into library objects:
 * `--cache-dir`, `--timeout`, `--offline` (asset cache) and `--bucket`,
 * `--manifest` (versioned cache). Precedence is flag > environment > config
 * file > default; the config file is read at most once per run.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "../path.ts";
import { AssetCache, type AssetCacheOptions } from "../cache/asset_cache.ts";
import {
  type EnvReader,
  loadConfigFile,
  resolveSettings,
  type SettingName,
  type Settings,
} from "../config.ts";
import type { StoreOptions } from "../store/open.ts";
import { parseRequestTimeout } from "../store/s3_config.ts";

const FLAG_OF: Record<string, string> = {
  cacheDir: "cache-dir",
  timeout: "timeout",
  offline: "offline",
  bucket: "bucket",
  immutableBuckets: "immutable-buckets",
};
import { VersionedCache } from "../versioned/versioned_cache.ts";
import type { OptionSpecs } from "./args.ts";
import type { CommandContext } from "./command.ts";
import { UsageError } from "./errors.ts";
import { parseDuration } from "./units.ts";

/**
 * Flags of every command that reads through the asset cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CACHE_OPTIONS } from "./settings.ts";
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
    description: "revalidate copies older than this, e.g. 1d, 30m, 0 = always (VC_CACHE_TIMEOUT)",
  },
  offline: {
    type: "boolean",
    description: "never contact the store; serve cached copies only (VC_OFFLINE)",
  },
};

/**
 * Flags of the versioned commands (plus {@linkcode CACHE_OPTIONS}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSIONED_OPTIONS } from "./settings.ts";
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

/**
 * Resolves the asset cache settings for this run (reads the config file once).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliSettings } from "./settings.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ env: { VC_CACHE_DIR: "/tmp/vc-doc", HOME: "/nonexistent" }, cwd: "/tmp" });
 * const s = cliSettings({ io, flags: new Flags({ timeout: "2m" }) });
 * assert(s.cacheDir === "/tmp/vc-doc" && s.timeout === 120);
 * ```
 */
export function cliSettings(ctx: Pick<CommandContext, "io" | "flags">): Settings {
  const { io, flags } = ctx;
  const cacheDir = flags.string("cache-dir");
  const timeout = flags.string("timeout");
  const bucket = flags.string("bucket");
  const env = (name: string) => io.env(name);
  const options: Parameters<typeof resolveSettings>[0] = { env, cwd: io.cwd };
  if (cacheDir !== undefined) options.cacheDir = resolve(io.cwd, cacheDir);
  if (timeout !== undefined) options.timeout = parseDuration(timeout, "--timeout") / 1000;
  if (flags.boolean("offline")) options.offline = true;
  if (bucket !== undefined) options.bucket = bucket;
  // The project settings file is looked for from the manifest's directory.
  // Its path is known before settings are resolved, except when only the
  // user config file names it.
  const manifest = flags.string("manifest") ?? nonEmpty(io.env("VC_MANIFEST"));
  options.projectDir = manifest === undefined
    ? dirname(userConfigManifest(env) ?? join(io.cwd, DEFAULT_MANIFEST))
    : dirname(resolve(io.cwd, manifest));
  const settings = resolveSettings(options);
  for (const [name, source] of Object.entries(settings.sources)) {
    if (source === "option") settings.sources[name as SettingName] = `flag --${FLAG_OF[name]}`;
  }
  // The environment's cache dir may be relative: relative to the user's cwd.
  if (!isAbsolute(settings.cacheDir)) settings.cacheDir = resolve(io.cwd, settings.cacheDir);
  return settings;
}

/**
 * Store options from the global flags (`--request-timeout SECONDS`), for
 * every store a command opens; without the flag the store reads
 * `VC_REQUEST_TIMEOUT` itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliStoreOptions } from "./settings.ts";
 * import { Flags } from "./args.ts";
 * assert.deepEqual(cliStoreOptions({ flags: new Flags({ "request-timeout": "5" }) }), {
 *   s3: { requestTimeoutMs: 5000 },
 * });
 * assert.deepEqual(cliStoreOptions({ flags: new Flags({}) }), {});
 * ```
 */
export function cliStoreOptions(ctx: Pick<CommandContext, "flags">): StoreOptions {
  const value = ctx.flags.string("request-timeout");
  if (value === undefined) return {};
  return { s3: { requestTimeoutMs: parseRequestTimeout("--request-timeout", value) } };
}

/**
 * Creates the asset cache for this run; warnings (such as "serving a cached
 * copy because the store is unreachable") go through the command's output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openAssetCache } from "./settings.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * import { Output } from "./output.ts";
 * const dir = await Deno.makeTempDir();
 * const io = memoryIo({ env: { HOME: "/nonexistent" } });
 * const cache = openAssetCache({ io, flags: new Flags({ "cache-dir": dir }), out: new Output(io) });
 * assert(cache.dir === dir);
 * await cache.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function openAssetCache(
  ctx: Pick<CommandContext, "io" | "flags" | "out">,
  settings: Settings = cliSettings(ctx),
  tuning: Pick<AssetCacheOptions, "maxDownloads"> = {},
): AssetCache {
  return new AssetCache({
    ...tuning,
    cacheDir: settings.cacheDir,
    timeout: settings.timeout,
    immutableBuckets: settings.immutableBuckets,
    offline: settings.offline,
    // Settings were resolved above, once; the cache must not read the config file again.
    configPath: false,
    warn: (message: string) => ctx.out.warn(message),
    store: cliStoreOptions(ctx),
  });
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
  /** `--frozen` or `VC_FROZEN`. */
  frozen: boolean;
}

/**
 * Resolves `--manifest` and `--bucket`: flag > `VC_MANIFEST` / `VC_BUCKET` >
 * config file > default (`./versioned_assets.json`; no default bucket).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { versionedSettings } from "./settings.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ env: { VC_BUCKET: "s3://assets", VC_CACHE_DIR: "/tmp/c", HOME: "/nonexistent" }, cwd: "/work" });
 * const v = versionedSettings({ io, flags: new Flags({}) });
 * assert(v.bucket === "s3://assets" && v.manifest === "/work/versioned_assets.json");
 * ```
 */
export function versionedSettings(ctx: Pick<CommandContext, "io" | "flags">): VersionedSettings {
  const { io, flags } = ctx;
  const settings = cliSettings(ctx);
  const flag = flags.string("manifest");
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
  const lock = flags.string("lock") ?? nonEmpty(io.env("VC_LOCK"));
  const frozenEnv = nonEmpty(io.env("VC_FROZEN"));
  let frozen = flags.boolean("frozen");
  if (!frozen && frozenEnv !== undefined) {
    const v = frozenEnv.trim().toLowerCase();
    if (!["1", "true", "yes", "on", "0", "false", "no", "off"].includes(v)) {
      throw new UsageError(
        `VC_FROZEN must be 1/0, true/false, yes/no or on/off, got "${frozenEnv}"`,
      );
    }
    frozen = ["1", "true", "yes", "on"].includes(v);
  }
  return {
    manifest: resolve(io.cwd, manifest),
    bucket: settings.bucket,
    settings,
    manifestSource,
    lock: lock === undefined ? undefined : resolve(io.cwd, lock),
    frozen,
  };
}

/** A versioned cache and the asset cache under it; disposing closes both. */
export interface VersionedSession extends AsyncDisposable {
  /** The versioned cache. */
  vc: VersionedCache;
  /** The asset cache it reads through. */
  cache: AssetCache;
}

/**
 * Opens the versioned cache of this run; throws a usage error when no bucket
 * is configured anywhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openVersioned } from "./settings.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * import { Output } from "./output.ts";
 * const io = memoryIo({ env: { VC_CACHE_DIR: "/tmp/vc-doc-cache", HOME: "/nonexistent" } });
 * try {
 *   openVersioned({ io, flags: new Flags({}), out: new Output(io) }, "path");
 *   assert(false);
 * } catch (e) {
 *   assert((e as Error).message.includes("no bucket"));
 * }
 * ```
 */
export function openVersioned(
  ctx: Pick<CommandContext, "io" | "flags" | "out">,
  command: string,
): VersionedSession {
  const v = versionedSettings(ctx);
  if (v.bucket === undefined) throw noBucket(command);
  const cache = openAssetCache(ctx, v.settings);
  const vc = new VersionedCache({
    manifest: v.manifest,
    bucket: v.bucket,
    cache,
    store: cliStoreOptions(ctx),
    ...(v.lock === undefined ? {} : { lock: v.lock }),
    frozen: v.frozen,
  });
  return {
    vc,
    cache,
    async [Symbol.asyncDispose](): Promise<void> {
      try {
        await vc.close();
      } finally {
        await cache.close();
      }
    },
  };
}

/**
 * The usage error for a versioned command run without any bucket setting.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noBucket } from "./settings.ts";
 * assert(noBucket("add").hint?.includes("VC_BUCKET"));
 * ```
 */
export function noBucket(command: string): UsageError {
  return new UsageError(`${command}: no bucket configured`, {
    hint:
      "pass --bucket or set VC_BUCKET, e.g. --bucket file:///srv/assets (a directory) or --bucket s3://name[/prefix]",
    command,
  });
}

// The manifest named by the user config file, if any (a bad file is reported
// by resolveSettings, which reads it again).
function userConfigManifest(env: EnvReader): string | undefined {
  try {
    return loadConfigFile(undefined, { env })?.config.manifest;
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
