/**
 * `vc lock` and `vc lock --check`: fill in the integrity lock file for an
 * existing manifest (trust on first use: the content in the bucket now,
 * hashed from the cached copy when its MD5 is the store's, else downloaded
 * afresh and verified), and check that the bucket
 * still holds exactly the locked content.
 *
 * @module
 */
import { ADD, LOCK, UPDATE } from "../command_words.ts";
import { signalOption } from "../abort_hub.ts";
import { withCallbackGuard } from "../callback.ts";
import { checkOptions, describeValue, type OptionNames } from "../options_check.ts";
import { join } from "../path.ts";
import { IntegrityError, InvalidInputError, NotFoundError, VcError } from "../errors.ts";
import { downloadToFile } from "../store/download.ts";
import { NoCredentialsOnce } from "../store/no_credentials.ts";
import { makeScratchDir, scratchSpaceError } from "../scratch_dir.ts";
import { statedMd5 } from "../hash.ts";
import { forEachLimit } from "../pool.ts";
import { isNoSpaceError } from "../no_space.ts";
import { notRegularFileKind } from "../regular_file.ts";
import { joinUri } from "../uri.ts";
import {
  checkLockFileWritable,
  type LockEntry,
  lockKey,
  updateLockFile,
  withLockFileWrite,
} from "./lock_file.ts";
import { versionedKey } from "./naming.ts";
import { firstFound, headVersion, slashedKey, slashedUri } from "./slash_keys.ts";
import { digestSource } from "./source_file.ts";
import { isVersion } from "./version.ts";
import { consoleWarning, firstNamed } from "./helpers.ts";
import { lockHolder } from "../cache/entry_lock.ts";
import { fetchedBytes } from "../cache/cache_options.ts";
import { FrozenError, VersionedCache, type VersionedSyncOptions } from "./versioned_cache.ts";

/** What `vc lock` did with one manifest entry. */
export interface LockFillResult {
  /** The versioned path. */
  path: string;
  /** The manifest value (a version, or an override, which cannot be locked). */
  version: string;
  /**
   * `added` to the lock file, already `locked`, an `override` (skipped), or
   * `failed`: its content could not be read (see `error`), so it is not locked.
   */
  status: "added" | "locked" | "override" | "failed";
  /** Why a `failed` entry could not be locked (a missing version, a download that failed). */
  error?: unknown;
}

/** What `vc lock --check` found for one manifest entry. */
export interface LockCheckResult {
  /** The versioned path. */
  path: string;
  /** The manifest value. */
  version: string;
  /**
   * `ok`: the bucket holds the locked content; `mismatch`/`missing`: it does
   * not; `failed`: its download failed otherwise (see `error`), so it was not
   * checked; `unlocked`/`override`: nothing to check.
   */
  status: "ok" | "mismatch" | "missing" | "failed" | "unlocked" | "override";
  /** What differs, for `mismatch` and `missing`. */
  problem?: string;
  /** Why a `failed` entry could not be checked (a store error after its retries, a refused read). */
  error?: unknown;
}

/**
 * How long a fill stopped by its signal waits for the manifest's lock to
 * write the entries it read before the stop.
 */
const STOPPED_WRITE_WAIT_MS = 5_000;

// The option names of fillLock and checkLock (a misspelt one is refused, not ignored).
const LOCK_OPS_OPTIONS: OptionNames<LockOpsOptions> = {
  concurrency: true,
  onProgress: true,
  onWarning: true,
  signal: true,
};

/** Options of {@linkcode fillLock} and {@linkcode checkLock}. */
export interface LockOpsOptions {
  /** Entries handled at once. Default 4. */
  concurrency?: number;
  /**
   * Called at the start, after each entry, as bytes of the entries it
   * downloads arrive (`bytes`: so far, all entries together), and while
   * `fillLock` reads an entry's copy to hash it (`step`: how far, for the
   * entry `current`; seconds a GB, also for a copy already cached).
   */
  onProgress?: VersionedSyncOptions["onProgress"];
  /**
   * Called once when `fillLock`, its downloads done, waits to write the lock
   * file because another process holds the manifest's lock (a `vc add`
   * stopped with Ctrl-Z, a script's `flock`): the wait lasts as long as the
   * other holds it. `checkLock` writes nothing and never calls it. Default:
   * `console.warn`. That wait's warning is told `kind: "wait"` too (a
   * progress display shows the wait).
   */
  onWarning?: (warning: { message: string; kind?: "wait" }) => void;
  /** Aborts the work (also that wait). */
  signal?: AbortSignal;
}

/**
 * Adds a lock entry for every versioned manifest entry that has none, from
 * its content (downloaded into the cache when needed); existing entries are
 * kept. Refuses in frozen mode and when the lock file is disabled. Every
 * entry is attempted and the ones read are locked; the entries that could
 * not be (a version missing from the bucket, a failed download) are thrown
 * afterwards: one failure as its own error, several together
 * ({@linkcode fillLockSettled} reports them instead).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VersionedCache } from "./versioned_cache.ts";
 * import { AssetCache } from "../cache/asset_cache.ts";
 * import { fillLock } from "./lock_ops.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/bucket`);
 *   await Deno.writeTextFile(`${dir}/bucket/a.1.0.0.csv`, "a");
 *   await Deno.writeTextFile(`${dir}/m.json`, '{"/a.csv": "1.0.0"}');
 *   await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket`,
 *     cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }) });
 *   const [r] = await fillLock(vc);
 *   assert.equal(r?.status, "added");
 *   assert((await Deno.readTextFile(`${dir}/m.lock.json`)).includes('"/a.csv@1.0.0"'));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function fillLock(
  vc: VersionedCache,
  options: LockOpsOptions = {},
): Promise<LockFillResult[]> {
  checkVersioned("fillLock()", vc);
  checkOptions("fillLock()", options, LOCK_OPS_OPTIONS);
  const results = await fillLockSettled(vc, options);
  const failed = results.filter((r) => r.status === "failed");
  if (failed.length === 1) throw failed[0]!.error;
  if (failed.length > 1) {
    throw new VcError(
      `${failed.length} of ${results.length} manifest entries could not be locked (the others ` +
        `were): ${
          failed.map((r) => `${lockKey(r.path, r.version)}: ${(r.error as Error).message}`)
            .join("; ")
        }`,
      { cause: new AggregateError(failed.map((r) => r.error)) },
    );
  }
  return results;
}

/**
 * {@linkcode fillLock} that reports instead of throwing for an entry it
 * cannot lock: every entry is attempted, the ones read are written to the
 * lock file (once, atomically), and each one that could not be read has
 * status `failed` and its `error`. Still throws when nothing can be
 * attempted (frozen mode, a disabled or unwritable lock file, an unreadable
 * manifest or lock file) and when `signal` aborts: then with the signal's
 * reason, once the entries read before the stop are in the lock file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VersionedCache } from "./versioned_cache.ts";
 * import { AssetCache } from "../cache/asset_cache.ts";
 * import { NotFoundError } from "../errors.ts";
 * import { fillLockSettled } from "./lock_ops.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/bucket`);
 *   await Deno.writeTextFile(`${dir}/bucket/a.1.0.0.csv`, "a");
 *   await Deno.writeTextFile(`${dir}/m.json`, '{"/a.csv": "1.0.0", "/gone.csv": "1.0.0"}');
 *   await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket`,
 *     cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }) });
 *   const [a, gone] = await fillLockSettled(vc);
 *   assert.equal(a?.status, "added");
 *   assert(gone?.status === "failed" && gone.error instanceof NotFoundError);
 *   assert((await Deno.readTextFile(`${dir}/m.lock.json`)).includes('"/a.csv@1.0.0"'));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function fillLockSettled(
  vc: VersionedCache,
  options: LockOpsOptions = {},
): Promise<LockFillResult[]> {
  checkVersioned("fillLockSettled()", vc);
  checkOptions("fillLockSettled()", options, LOCK_OPS_OPTIONS);
  // An onProgress or onWarning that throws (or whose promise rejects) stops
  // the fill as its signal would, and is what it rejects with: a
  // CallbackError (it was caught, or an unhandled rejection).
  return await withCallbackGuard(
    options,
    ["onProgress", "onWarning"],
    (guarded) => fillGuarded(vc, guarded),
  );
}

async function fillGuarded(vc: VersionedCache, options: LockOpsOptions): Promise<LockFillResult[]> {
  // Before the look at whether the lock file may be written, which makes the
  // manifest's lock file (`.NAME.json.lock`): an aborted call leaves nothing.
  options.signal?.throwIfAborted();
  const lockFile = vc.lockFile;
  if (lockFile === undefined) throw new InvalidInputError("the lock file is disabled");
  // As add and update do, before it is read: a lock file this call rewrites
  // must be a regular file. A FIFO's read blocked until something wrote to
  // it, then its second read (under the lock) for good. Frozen mode only
  // reads it; a directory is left to the read, which says so.
  const kind = vc.frozen ? undefined : notRegularFileKind(lockFile);
  if (kind !== undefined && kind !== "a directory") {
    throw new InvalidInputError(
      `lock file ${lockFile} is ${kind}, not a regular file: ${LOCK.library} rewrites the lock file, ` +
        "which only a regular file can be; nothing was added to it",
    );
  }
  const entries = await vc.ls();
  const locks = await vc.lockEntries() ?? {};
  const results: LockFillResult[] = entries.map(({ path, version }) => ({
    path,
    version,
    status: !isVersion(version)
      ? "override"
      : locks[lockKey(path, version)] !== undefined
      ? "locked"
      : "added",
  }));
  const todo = results.flatMap((r, index) => r.status === "added" ? [{ ...r, index }] : []);
  // Frozen mode refuses a change; a complete lock file is no change, so
  // `vc lock --frozen` doubles as CI's "is everything locked?" check.
  const overrides = results.filter((r) => r.status === "override");
  if (vc.frozen && overrides.length > 0) {
    // As frozen prefill and sync refuse them: nothing pins an override's bytes.
    throw new FrozenError(
      `${firstNamed(overrides.map((r) => `${r.path} (${r.version})`))} ${
        overrides.length === 1 ? "is an override" : "are overrides"
      } in ${vc.manifest}, ` +
        "and frozen mode (the frozen option / VC_FROZEN) accepts only locked versions; publish " +
        `them (${ADD.library} / ${UPDATE.library}) before CI runs`,
    );
  }
  if (vc.frozen && todo.length > 0) {
    throw new FrozenError(
      `${LOCK.library} would add ${
        firstNamed(todo.map((r) => lockKey(r.path, r.version)))
      } to the lock ` +
        `file ${lockFile}, and frozen mode (the frozen option / VC_FROZEN) refuses that; ` +
        `run ${LOCK.library} without it and commit the lock file`,
    );
  }
  // Before the downloads: a lock file in a directory this process may not
  // write (a read-only checkout) would otherwise fail only after all of them.
  if (todo.length > 0) {
    await checkLockFileWritable(vc.manifest, lockFile, {
      outcome: "nothing was added to the lock file",
      adding: todo.map((r) => lockKey(r.path, r.version)),
    });
  }
  const found = new Map<string, LockEntry>();
  // Set when `signal` stopped the reads: the rejection to end on.
  let stopped: { error: unknown } | undefined;
  let done = 0;
  let bytes = 0;
  if (todo.length > 0) options.onProgress?.({ done, total: todo.length, bytes }); // drawn at once
  const store = await vc.bucketStore();
  // Also removes what killed runs left there (whole downloads).
  const scratch = await makeScratchDir("vc-lock-");
  const temp = scratch.path;
  const noCredentials = new NoCredentialsOnce();
  try {
    await forEachLimit(todo.map((r, i) => ({ ...r, i })), options.concurrency ?? 4, async (r) => {
      // One entry that cannot be read (a version missing from the bucket, a
      // download that keeps failing) does not keep the others from the lock
      // file, as with `vc sync` and `vc prefill`; it is reported instead.
      try {
        // No usable credentials fail every entry alike: said once (the others refer to it).
        const read = () => readLockEntry(r, r.i);
        found.set(lockKey(r.path, r.version), await noCredentials.run(vc.bucket, r.path, read));
      } catch (error) {
        if (options.signal?.aborted) throw error; // interrupted, not a failed entry
        Object.assign(results[r.index]!, { status: "failed", error });
      }
      options.onProgress?.({ done: ++done, total: todo.length, bytes, current: r.path });
    }, signalOption(options.signal));
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    // Stopped: the entries read so far are written all the same (reading
    // them again, downloads and hashing, is what the stop would cost), then
    // it rejects as stopped.
    stopped = { error };
  } finally {
    await scratch[Symbol.asyncDispose]();
  }
  if (found.size > 0) {
    const write = withLockFileWrite(
      vc.manifest,
      lockFile,
      () =>
        updateLockFile(lockFile, (current) => {
          // Entries someone else locked meanwhile stay as they are.
          for (const [key, entry] of found) current[key] ??= entry;
        }),
      {
        // Stopped already: a wait for the manifest's lock of a few seconds at
        // most, then the entries are given up.
        ...(stopped === undefined
          ? signalOption(options.signal)
          : { signal: AbortSignal.timeout(STOPPED_WRITE_WAIT_MS) }),
        // Said to the caller (the CLI prints it), once per process.
        onWarning: options.onWarning ?? consoleWarning,
        // A holder stopped with Ctrl-Z holds the lock for as long as it stays
        // stopped, and a silent wait after the downloads looks hung.
        onWait: (lock) =>
          (options.onWarning ?? consoleWarning)({
            kind: "wait",
            message: `waiting for ${lockHolder(lock)}, which holds ${lock}, the lock of manifest ` +
              `${vc.manifest}, to write lock file ${lockFile}; Ctrl-C stops the wait (nothing ` +
              `is written), and ${LOCK.library} run again finds the downloads in the cache`,
          }),
      },
    );
    // Stopped: what could not be written is read again by the next run; the
    // stop is what it rejects with.
    if (stopped === undefined) {
      await write.catch((error) => {
        // The file system's own error (a full disk) names no file: say which,
        // and what the downloads left.
        if (error instanceof VcError || options.signal?.aborted) throw error;
        throw new VcError(
          `could not write lock file ${lockFile}: ${(error as Error)?.message ?? error}${
            isNoSpaceError(error) ? " (free space on its disk)" : ""
          }; nothing was added to it (${
            firstNamed([...found.keys()])
          } read), and ${LOCK.library} ` +
            "run again finds the downloads in the cache",
          { cause: error },
        );
      });
    } else await write.catch(() => {});
  }
  if (stopped !== undefined) throw stopped.error;
  return results;

  // The size and SHA-256 of the bucket's content of one entry.
  async function readLockEntry(r: LockFillResult, i: number): Promise<LockEntry> {
    // Moving while a large entry downloads (into the cache, or afresh), not
    // only when one ends: a bar at 0/1 for the minutes of a GB download looks hung.
    const onProgress = bytesOf(r.path);
    const local = await vc.path(r.path, r.version, { onProgress, ...signalOption(options.signal) });
    let digest = await digestSource(local, await hashing(r.path, local));
    // The lock pins the bucket's content, so the cached copy counts only when
    // its MD5 (from the same pass) is the store's; a copy edited in the cache
    // would otherwise be pinned, and every clean checkout refused.
    const head = await headVersion(store, r.path, r.version, signalOption(options.signal));
    const md5 = head === undefined ? undefined : statedMd5(head.info);
    if (head === undefined || head.info.size !== digest.size || md5 !== digest.md5) {
      const fresh = join(temp, `${i}`);
      const key = head?.key ?? versionedKey(r.path, r.version);
      await downloadToFile(store, key, fresh, {
        ...vc.download,
        uri: joinUri(vc.bucket, key),
        ...signalOption(options.signal),
        onProgress: bytesOf(r.path),
      }).catch((error) => {
        throw scratchSpaceError(error, `the download of ${joinUri(vc.bucket, key)}`, fresh);
      });
      digest = await digestSource(fresh, await hashing(r.path, fresh));
      await Deno.remove(fresh).catch(() => {});
    }
    return { size: digest.size, sha256: digest.sha256 };
  }

  // digestSource's options for `file`, the copy of `path`: its read told as the entry's step.
  async function hashing(
    path: string,
    file: string,
  ): Promise<{ signal?: AbortSignal; onProgress?: (bytes: number) => void }> {
    const onProgress = options.onProgress;
    if (onProgress === undefined) return signalOption(options.signal);
    const total = (await Deno.stat(file)).size;
    const report = (read: number) =>
      onProgress({
        done,
        total: todo.length,
        bytes,
        current: path,
        step: { name: "hashing", bytes: read, total },
      });
    report(0);
    return { ...signalOption(options.signal), onProgress: report };
  }

  // An onProgress for one download of `path`: adds its bytes to the total of
  // all entries (fetched ones: not a resumed download's kept prefix).
  function bytesOf(path: string): (p: { bytes: number; resumed?: number }) => void {
    let mine = 0;
    return (p) => {
      const got = fetchedBytes(p);
      bytes += got - mine;
      mine = got;
      options.onProgress?.({ done, total: todo.length, bytes, current: path });
    };
  }
}

/**
 * Checks every locked manifest entry against the bucket: downloads it (to a
 * temp directory, not the cache) verifying size and SHA-256 against the lock
 * entry. Never throws for a bad entry; each result says what is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VersionedCache } from "./versioned_cache.ts";
 * import { AssetCache } from "../cache/asset_cache.ts";
 * import { checkLock, fillLock } from "./lock_ops.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/bucket`);
 *   await Deno.writeTextFile(`${dir}/bucket/a.1.0.0.csv`, "a");
 *   await Deno.writeTextFile(`${dir}/m.json`, '{"/a.csv": "1.0.0"}');
 *   await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket`,
 *     cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }) });
 *   assert.equal((await checkLock(vc))[0]?.status, "unlocked");
 *   await fillLock(vc);
 *   assert.equal((await checkLock(vc))[0]?.status, "ok");
 *   await Deno.writeTextFile(`${dir}/bucket/a.1.0.0.csv`, "b");
 *   assert.equal((await checkLock(vc))[0]?.status, "mismatch");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function checkLock(
  vc: VersionedCache,
  options: LockOpsOptions = {},
): Promise<LockCheckResult[]> {
  checkVersioned("checkLock()", vc);
  checkOptions("checkLock()", options, LOCK_OPS_OPTIONS);
  // As fillLockSettled's.
  return await withCallbackGuard(options, ["onProgress"], (guarded) => checkGuarded(vc, guarded));
}

async function checkGuarded(
  vc: VersionedCache,
  options: LockOpsOptions,
): Promise<LockCheckResult[]> {
  const entries = await vc.ls();
  const locks = await vc.lockEntries() ?? {};
  const store = await vc.bucketStore();
  // Also removes what killed runs left there (whole downloads).
  const scratch = await makeScratchDir("vc-lock-check-");
  const temp = scratch.path;
  const noCredentials = new NoCredentialsOnce();
  try {
    const results: LockCheckResult[] = new Array(entries.length);
    let done = 0;
    let bytes = 0;
    if (entries.length > 0) options.onProgress?.({ done, total: entries.length, bytes }); // drawn at once
    await forEachLimit(
      entries.map((e, i) => ({ ...e, i })),
      options.concurrency ?? 4,
      async ({ path, version, i }) => {
        let mine = 0;
        const out: LockCheckResult = { path, version, status: "override" };
        results[i] = out;
        if (!isVersion(version)) return;
        const key = lockKey(path, version);
        const lock = locks[key];
        if (lock === undefined) return void (out.status = "unlocked");
        const objectKey = versionedKey(path, version);
        const uri = joinUri(vc.bucket, objectKey);
        try {
          // The canonical key, else the `/` key another tool wrote (slash_keys.ts).
          // No usable credentials fail every entry alike: said once (the others refer to it).
          await noCredentials.run(vc.bucket, path, () =>
            firstFound(
              [objectKey, slashedKey(objectKey)],
              (k) =>
                downloadToFile(store, k, join(temp, `${i}`), {
                  ...vc.download,
                  uri: joinUri(vc.bucket, k),
                  integrity: { ...lock, label: key },
                  ...signalOption(options.signal),
                  // Moving while a large entry downloads, not only when one ends.
                  onProgress: (p) => {
                    bytes += p.bytes - mine;
                    mine = p.bytes;
                    options.onProgress?.({ done, total: entries.length, bytes, current: path });
                  },
                }),
            ));
          out.status = "ok";
        } catch (error) {
          if (error instanceof IntegrityError) {
            out.status = "mismatch";
            // The scratch file it names is removed below: not a path to look at;
            // and the check caches nothing in any case.
            out.problem = error.message.replace(`, downloading to ${join(temp, `${i}`)}`, "")
              .replace(", nothing was cached", "");
          } else if (error instanceof NotFoundError) {
            out.status = "missing";
            // Both keys were looked at: said as `vc verify` says it.
            const slashed = slashedUri(vc.bucket, objectKey);
            out.problem = `${uri} does not exist${
              slashed === undefined ? "" : ` (nor ${slashed})`
            }`;
          } else {
            const failure = scratchSpaceError(error, `the download of ${uri}`, join(temp, `${i}`));
            // Interrupted, or no room for the scratch copy (which every entry
            // would meet alike): the whole check fails.
            if (options.signal?.aborted || failure !== error) throw failure;
            // One entry that cannot be read (a store error after its retries,
            // a refused read) does not keep the others from being checked, as
            // with `fillLock`, `vc sync` and `vc prefill`; it is reported.
            out.status = "failed";
            out.error = error;
          }
        } finally {
          await Deno.remove(join(temp, `${i}`)).catch(() => {});
        }
        options.onProgress?.({ done: ++done, total: entries.length, bytes, current: path });
      },
      signalOption(options.signal),
    );
    return results;
  } finally {
    await scratch[Symbol.asyncDispose]();
  }
}

// A manifest path or an AssetCache given in its place was a bare
// `TypeError: vc.ls is not a function`.
function checkVersioned(what: string, vc: unknown): void {
  if (!(vc instanceof VersionedCache)) {
    throw new InvalidInputError(
      `${what}: the first argument must be a VersionedCache, got ${describeValue(vc)}`,
    );
  }
}
