/**
 * Turns the settings flags of the command line into library objects:
 * `--cache-dir`, `--timeout`, `--offline` (asset cache) and `--bucket`,
 * `--manifest` (versioned cache; opened by `versioned_session.ts`, so the
 * commands that need only the asset cache do not load the versioned stack). Precedence is flag > environment > config
 * file > default; the config file is read at most once per run.
 *
 * @module
 */
import { AssetCache, type AssetCacheOptions } from "../cache/asset_cache.ts";
import { CLI_SOURCE_PREFIX } from "../cache/offline_switch.ts";
import {
  parseLockWait,
  parseOnUnreachable,
  parseRevalidateTimeout,
} from "../cache/cache_errors.ts";
import { downloadTuning, type Settings } from "../config.ts";
import type { CommandContext } from "./command.ts";
import { misspelledVariables } from "./env_spelling.ts";
import { UsageError, withFlagNames } from "./errors.ts";
import { NotFoundError } from "../errors.ts";
import { cliSettings, DEFAULT_MANIFEST } from "./settings_resolve.ts";
import { join } from "../path.ts";
import { cliStoreOptions } from "./store_options.ts";

// Resolution of the settings flags lives in settings_resolve.ts (no cache or
// store classes), re-exported here for the commands.
export {
  CACHE_OPTIONS,
  cliSettings,
  DEFAULT_MANIFEST,
  DOWNLOAD_OPTIONS,
  VERSIONED_OPTIONS,
  type VersionedSettings,
  versionedSettings,
} from "./settings_resolve.ts";
export { cliStoreOptions } from "./store_options.ts";

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
  tuning: Pick<AssetCacheOptions, "maxDownloads" | "onWarning"> = {},
): AssetCache {
  return new AssetCache({
    ...tuning,
    cacheDir: settings.cacheDir,
    timeout: settings.timeout,
    immutableBuckets: settings.immutableBuckets,
    offline: settings.offline,
    // Offline mode's messages name the setting that turned it on, and the
    // flag where a library user is told of the option.
    offlineSource: `${CLI_SOURCE_PREFIX}${settings.sources.offline}`,
    download: downloadTuning(settings),
    // Settings were resolved above, once; the cache must not read the config file again.
    configPath: false,
    // Given, never left to the cache's own reading of Deno.env: the
    // command's environment (an embedder's CliIo) is the one `vc config`
    // shows and the one that counts. (Its stores read the process's own, as
    // the AWS SDK does.)
    lockWait: parseLockWait(ctx.io.env("VC_LOCK_WAIT")),
    revalidateTimeout: parseRevalidateTimeout(ctx.io.env("VC_REVALIDATE_TIMEOUT")),
    onUnreachable: parseOnUnreachable(ctx.io.env("VC_ON_UNREACHABLE")),
    // The cache's warnings name its options and calls: said as flags and commands.
    // (A wait behind another process's download is told as such: the bar shows it.)
    onWarning: tuning.onWarning ??
      ((w) => ctx.out.warn(withFlagNames(w.message), w.kind)),
    store: cliStoreOptions(ctx),
  });
}

/**
 * The usage error for a versioned command run without any bucket setting.
 * `projectPath`: the project file found (one without a `"bucket"`), which
 * the hint then names rather than a new `vc.json` that would win over it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noBucket } from "./settings.ts";
 * assert(noBucket("add").hint?.includes("VC_BUCKET"));
 * // A manifest there pins versions a new directory does not hold: its bucket is asked for.
 * const manifest = Deno.makeTempFileSync({ suffix: ".json" });
 * try {
 *   assert(noBucket("path", manifest).hint?.includes("were added to"));
 *   assert(!noBucket("path", manifest).hint?.includes("./assets"));
 *   // The team's project file, which names none: the bucket goes there.
 *   const hint = noBucket("path", manifest, undefined, undefined, "/r/deno.json").hint;
 *   assert(hint?.includes('/r/deno.json names none: add "bucket": "s3://…" to its "vc" block'));
 *   // A directory given as the manifest is none: the plain-directory example stays.
 *   assert(noBucket("path", Deno.cwd()).hint?.includes("./assets"));
 * } finally {
 *   Deno.removeSync(manifest);
 * }
 * ```
 */
export function noBucket(
  command: string,
  manifest?: string,
  forManifest?: { manifest: string; projectPath?: string },
  env?: (name: string) => string | undefined,
  projectPath: string | undefined = forManifest?.projectPath,
): UsageError {
  // A VC_BUCKETS (or another misspelling) set is the likeliest reason.
  const typo = env === undefined
    ? undefined
    : misspelledVariables(env).find(({ meant }) => meant === "VC_BUCKET")?.name;
  // With several manifests (`vc prefill --manifest a.json --manifest b.json`),
  // each takes its bucket from its own project file: say which has none.
  const which = forManifest === undefined
    ? ""
    : ` for the manifest ${forManifest.manifest} (${
      forManifest.projectPath === undefined
        ? "no project file from its directory up names one"
        : `its project file ${forManifest.projectPath} names none`
    })`;
  return new UsageError(`${command}: no bucket configured${which}`, {
    hint: (typo === undefined
      ? "pass --bucket or set VC_BUCKET"
      : `${typo} is set, but vc reads no such variable: rename it VC_BUCKET, or pass --bucket`) +
      (manifest !== undefined && manifestIsFile(manifest)
        // A manifest there (a cloned project whose bucket only CI's env
        // sets) pins versions a new directory does not hold: the plain
        // directory below made the next run fail on every entry.
        ? `: the bucket the versions of the manifest ${manifest} were added to (a new ` +
          `directory holds none of them); ` +
          (projectPath === undefined
            ? `a project names it once for everyone as {"bucket": "s3://…"} in a vc.json beside it`
            // A vc.json made beside the manifest would win over this file,
            // and drop the team's other settings in it without a word.
            : `its project file ${projectPath} names none: add "bucket": "s3://…" to ${
              /(?:^|[\\/])deno\.jsonc?$/.test(projectPath) ? 'its "vc" block' : "it"
            }`)
        // vc picks no store by itself; a newcomer's first one is a plain
        // directory, given as a command that works as copied (README intro).
        : ": a plain directory is a store, no cloud account needed (e.g. --bucket ./assets, or " +
          "VC_BUCKET=./assets; made by the first write), or --bucket s3://name[/prefix]" +
          (manifest === undefined
            ? ""
            : manifestMissing(manifest)
            ? `; the manifest ${manifest} does not exist either: run vc in the project's ` +
              `directory (its settings may name the bucket) or pass --manifest`
            // A directory given as --manifest (`--manifest .`): its project
            // file, inside it, was never looked at.
            : isDirectory(manifest)
            ? `; the manifest ${manifest} is a directory, not a file: name the manifest in it ` +
              `(--manifest ${join(manifest, DEFAULT_MANIFEST)})`
            : "")),
    command,
  });
}

/**
 * Whether nothing is at `manifest` (nor at a parent it needs: a file where a
 * directory should be). One there but unreadable is not missing: reading it
 * says why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestMissing } from "./settings.ts";
 * assert(manifestMissing("/nonexistent/versioned_assets.json"));
 * assert(!manifestMissing(Deno.cwd()));
 * ```
 */
export function manifestMissing(manifest: string): boolean {
  try {
    Deno.lstatSync(manifest);
    return false;
  } catch (e) {
    return e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;
  }
}

// Whether `manifest` is a file (through links): one whose versions a bucket
// holds. A directory given as --manifest is no manifest.
function manifestIsFile(manifest: string): boolean {
  try {
    return Deno.statSync(manifest).isFile;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Throws a `NotFoundError` when `--lock` or `VC_LOCK` names a lock file that
 * does not exist, for a command that only reads it (`path`, `cat`, `get`,
 * `sync`, `verify`, `prefill`): taken for "no lock file", a typo or a
 * relative `VC_LOCK` read from another directory had every download go
 * unchecked, silently. The commands that write it (`add`, `update`, `lock`)
 * create it. The default lock file beside the manifest is optional.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireNamedLockFile } from "./settings.ts";
 * requireNamedLockFile({ lock: undefined, lockSource: "" });
 * assert.throws(
 *   () => requireNamedLockFile({ lock: "/nonexistent/a.lock.json", lockSource: "env VC_LOCK" }),
 *   /lock file \/nonexistent\/a\.lock\.json \(env VC_LOCK\) does not exist/,
 * );
 * ```
 */
export function requireNamedLockFile(
  v: { lock: string | undefined; lockSource: string; manifest?: string },
): void {
  if (v.lock === undefined || !manifestMissing(v.lock)) return;
  // A manifest that is not there (or a link to nothing) is the first thing
  // to say: the command's own reading of it does.
  if (v.manifest !== undefined && !resolves(v.manifest)) return;
  throw new NotFoundError(
    `lock file ${v.lock} (${v.lockSource}) does not exist: downloads would not be checked ` +
      "against it; fix the path (a relative one is taken from the directory vc runs in), or " +
      "create it with `vc lock`",
  );
}

// Whether `path` (through its links) is there.
function resolves(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
