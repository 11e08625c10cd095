/**
 * Opens the versioned cache of a run (manifest, bucket, lock) over the asset
 * cache. Apart from `settings.ts` so that commands needing only the asset
 * cache (`vc cache get`, `vc prefill --list` of plain URIs, `vc repo`) do not
 * load the versioned stack at start-up.
 *
 * @module
 */
import type { AssetCache } from "../cache/asset_cache.ts";
import { VersionedCache } from "../versioned/versioned_cache.ts";
import { defaultLockFile } from "../versioned/lock_file.ts";
import type { CommandContext } from "./command.ts";
import { noBucket, openAssetCache, requireNamedLockFile } from "./settings.ts";
import { versionedSettings } from "./settings_resolve.ts";
import { cliStoreOptions } from "./store_options.ts";

// The commands that read the lock file and never write it: one that `--lock`
// or `VC_LOCK` names must be there (`add`, `update` and `lock` create it).
const LOCK_READERS = new Set(["path", "cat", "get", "sync", "verify"]);

/** A versioned cache and the asset cache under it; disposing closes both. */
export interface VersionedSession extends AsyncDisposable {
  /** The versioned cache. */
  vc: VersionedCache;
  /** The asset cache it reads through. */
  cache: AssetCache;
  /** Where the manifest path came from (`default`, `flag --manifest`, ...). */
  manifestSource: string;
}

/**
 * Opens the versioned cache of this run; throws a usage error when no bucket
 * is configured anywhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openVersioned } from "./versioned_session.ts";
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
  if (v.bucket === undefined) {
    // The hint depends on the manifest: none there is likeliest a run
    // outside the project (or a mistyped --manifest); one there pins versions
    // of a bucket the run must name.
    throw noBucket(
      command,
      v.manifest,
      undefined,
      (name) => ctx.io.env(name),
      v.settings.projectPath,
    );
  }
  if (LOCK_READERS.has(command)) requireNamedLockFile(v);
  const cache = openAssetCache(ctx, v.settings);
  const vc = new VersionedCache({
    manifest: v.manifest,
    bucket: v.bucket,
    cache,
    store: cliStoreOptions(ctx),
    // Given, never left to the library's own reading of VC_LOCK: an embedder's
    // CliIo environment is the one that counts.
    lock: v.lock ?? defaultLockFile(v.manifest),
    frozen: v.frozen,
  });
  return {
    vc,
    cache,
    manifestSource: v.manifestSource,
    async [Symbol.asyncDispose](): Promise<void> {
      try {
        await vc.close();
      } finally {
        await cache.close();
      }
    },
  };
}
