/**
 * Opening a mirror: checks the options (one side local, the other a store;
 * patterns; prefixes), opens the stores and the state file.
 *
 * @module
 */
import { nearSiblingDirectory } from "../suggest.ts";
import { isInside, join, pathBelow, resolve } from "../path.ts";
import { ensureCacheDir } from "../cache/cache_dir.ts";
import { linkOnPath } from "../cache/layout.ts";
import { defaultCacheDir } from "../config.ts";
import { realish } from "../real_path.ts";
import { fileAbove } from "../file_status.ts";
import { stateIdentities } from "./state_identity.ts";
import {
  AccessDeniedError,
  asAccessDenied,
  InvalidInputError,
  NotFoundError,
  StoreNotFoundError,
  type VcError,
} from "../errors.ts";
import { fileIdentity } from "../fs_platform.ts";
import { checkPositiveInteger, describeValue, listOption } from "../options_check.ts";
import type { ObjectStore } from "../store/types.ts";
import { checkedOpener, requireStore } from "../store/store_check.ts";
import { isStoreUri, parseUri } from "../uri.ts";
import { callCallback } from "../callback.ts";
import {
  compileFilter,
  globLookalikes,
  normalizePrefix,
  normalizeStoreUri,
  parseMirrorRoot,
  sourceBase,
} from "./keys.ts";
import type { LocalRoot } from "./local_side.ts";
import { message } from "./report.ts";
import {
  assertDefaultStateUnlinked,
  defaultStatePath,
  MirrorState,
  stateNotWritableError,
} from "./state.ts";
import type { MirrorOptions } from "./types.ts";
import { warnOnStderr } from "../warning_line.ts";
import { readGranted } from "../permission_granted.ts";

/** What an open mirror works with. */
export interface MirrorParts {
  /** `upload` (local → store) or `download` (store → local). */
  direction: "upload" | "download";
  /** The target store (upload), or the source stores (download). */
  stores: ObjectStore[];
  /** Stores opened here from URIs with the default `openStore` (closed with the mirror). */
  owned: ObjectStore[];
  /** Local roots: the sources (upload) or the target directory (download). */
  roots: LocalRoot[];
  /** The directories of `file://` source stores (download), with their devices (see `rootMoved`). */
  storeRoots: LocalRoot[];
  /** Normalised key prefix on the store side. */
  storePrefix: string;
  /** The state file. */
  state: MirrorState;
  /** Sources and target as absolute paths or URIs, for reports. */
  names: { sources: string[]; target: string };
}

/**
 * Checks `options` and opens what the mirror needs. Throws
 * `InvalidInputError` naming the bad input; nothing stays open then.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openParts } from "./setup.ts";
 * const dir = await Deno.makeTempDir();
 * const state = await Deno.makeTempDir();
 * try {
 *   const parts = await openParts({
 *     sources: [dir],
 *     target: `file://${dir}-bucket`,
 *     targetPrefix: "/x/",
 *     statePath: `${state}/state.sqlite`,
 *   });
 *   assert.equal(parts.direction, "upload");
 *   assert.equal(parts.storePrefix, "x/");
 *   parts.state.close();
 *   await Promise.all(parts.owned.map((s) => s.close()));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 *   await Deno.remove(state, { recursive: true });
 *   await Deno.remove(`${dir}-bucket`, { recursive: true }).catch(() => {});
 * }
 * ```
 */
export async function openParts(options: MirrorOptions): Promise<MirrorParts> {
  // A lone string's characters would each be a source, a filter or an exclusion.
  const sources = listOption(options.sources, "mirror(): sources");
  for (const name of ["filter", "exclude"] as const) {
    if (options[name] !== undefined) listOption(options[name], `mirror(): ${name}`);
  }
  if (options.target === undefined || options.target === null) {
    throw new InvalidInputError(
      "mirror(): target is missing (a directory, a store URI or a store)",
    );
  }
  if (sources.length === 0) {
    throw new InvalidInputError("mirror needs at least one source");
  }
  // Each side is a root: " s3://b" must not become a local directory.
  for (const [i, x] of [...options.sources, options.target].entries()) {
    const side = i < options.sources.length ? "source" : "target";
    if (typeof x === "string") parseMirrorRoot(x);
    else if (typeof x === "object" && x !== null && !(x instanceof URL)) {
      requireStore(`mirror(): ${side}`, x);
    } else {
      // A number or a URL object would be taken for a store, and fail as
      // "store.list is not a function".
      throw new InvalidInputError(
        `mirror(): ${side} ${describeValue(x)} ` +
          `is not a directory, a store URI (a string) or an ObjectStore${
            x instanceof URL ? ": pass its href" : ""
          }`,
      );
    }
  }
  const isStore = (x: string | ObjectStore) => typeof x !== "string" || isStoreUri(x);
  const storeSources = options.sources.map(isStore);
  if (storeSources.some((s) => s !== storeSources[0])) {
    throw new InvalidInputError(
      "mirror sources must all be local directories or all be store URIs",
    );
  }
  const direction = storeSources[0] ? "download" : "upload";
  if (isStore(options.target) === storeSources[0]) {
    throw new InvalidInputError(
      direction === "upload"
        ? `mirror target ${
          name(options.target)
        } must be a store URI (s3://bucket/prefix or file:///dir) when the sources are local directories`
        : `mirror target ${
          name(options.target)
        } must be a local directory when the sources are store URIs`,
    );
  }
  compileFilter(options.filter, options.exclude); // bad patterns fail before anything opens
  const concurrency = options.concurrency ?? 16;
  checkPositiveInteger("concurrency", concurrency);
  // `delete: "false"` (an environment variable's text) was truthy: it deleted.
  for (const name of ["delete", "dryRun", "checksum"] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== "boolean") {
      throw new InvalidInputError(
        `mirror(): the option ${name} must be true or false, got ${describeValue(value)}`,
      );
    }
  }
  const walkThread: unknown = options.walkThread;
  if (walkThread !== undefined && typeof walkThread !== "boolean" && walkThread !== "auto") {
    throw new InvalidInputError(
      `mirror(): the option walkThread must be true, false or "auto", got ${
        describeValue(walkThread)
      }`,
    );
  }
  // NaN or a negative window made no file racy: a same-size edit within the
  // timestamp granularity, after the state recorded it, went unseen.
  const racyWindowMs: unknown = options.racyWindowMs;
  if (racyWindowMs !== undefined && !(typeof racyWindowMs === "number" && racyWindowMs >= 0)) {
    throw new InvalidInputError(
      `mirror(): the option racyWindowMs must be a number of ms, 0 or more, got ${
        describeValue(racyWindowMs)
      }`,
    );
  }
  const maxDelete = options.maxDelete;
  if (maxDelete !== undefined && (!Number.isSafeInteger(maxDelete) || maxDelete < 0)) {
    throw new InvalidInputError(`maxDelete must be a whole number, 0 or more, got ${maxDelete}`);
  }

  // The options are checked (a bad one is named even then); from here on
  // things are opened and written (the state file, its lock): a signal
  // aborted already stops the call first, with nothing done.
  options.signal?.throwIfAborted();

  // A caller's opener's stores stay the caller's (as `AssetCache`'s do): one
  // it shares with a cache must not be closed under it when the mirror ends.
  const opener = checkedOpener("mirror()", options.openStore);
  const owned: ObjectStore[] = [];
  const getStore = async (x: string | ObjectStore): Promise<ObjectStore> => {
    if (typeof x !== "string") return x;
    if (opener !== undefined) return await opener(normalizeStoreUri(x));
    const s = await (await import("../store/open.ts")).openStore(normalizeStoreUri(x));
    owned.push(s);
    return s;
  };
  const targetPrefix = normalizePrefix(options.targetPrefix);
  try {
    let stores: ObjectStore[];
    let roots: LocalRoot[];
    const storeRoots: LocalRoot[] = [];
    let storePrefix: string;
    if (direction === "upload") {
      roots = [];
      for (const s of options.sources) {
        const dir = resolve(s as string);
        roots.push({ dir, base: await localSourceBase(dir, options.sourcePrefix) });
      }
      for (const r of roots) {
        const info = await Deno.stat(r.dir).catch(async (error: unknown) => {
          // A mistyped directory: the one beside it meant, when near.
          const near = error instanceof Deno.errors.NotFound
            ? await nearSiblingDirectory(r.dir)
            : undefined;
          // A script's --allow-read that leaves it out: the flag to add, with the path.
          throw asAccessDenied(error, `mirror source ${r.dir} cannot be read`, r.dir) ??
            unreadableSource(
              `mirror source ${r.dir} cannot be read: ${message(error)}${
                near === undefined ? "" : `; did you mean ${near}?`
              }`,
              error,
              NotFoundError,
            );
        });
        if (!info.isDirectory) {
          throw new InvalidInputError(`mirror source ${r.dir} is not a directory`);
        }
        // A watch outlives mounts: an unmounted disk must not read as emptied.
        r.dev = info.dev;
      }
      if (typeof options.target === "string") {
        const region = await refuseOverlap(options.target, targetPrefix, roots, "target");
        // Nor through a followed link: the walk does not enter the target.
        if (region !== undefined) { for (const r of roots) r.avoid = [region]; }
      }
      // A `file://` store's directory below a file: one refusal, not each
      // file's "store root … cannot be made one".
      const parsedTarget = typeof options.target === "string" && /^file:/i.test(options.target)
        ? parseUri(options.target)
        : undefined;
      if (parsedTarget?.scheme === "file") await refuseTargetBelowFile(parsedTarget.path);
      stores = [await getStore(options.target)];
      // One refusal, not one per file to upload.
      const refusal = stores[0]!.readOnly;
      if (refusal !== undefined) {
        throw new AccessDeniedError(`mirror target ${stores[0]!.url}: ${refusal}`);
      }
      storePrefix = targetPrefix;
    } else {
      const dir = resolve(options.target as string);
      roots = [{ dir: targetPrefix === "" ? dir : join(dir, targetPrefix), base: "" }];
      // `--target-prefix` names a directory inside TARGET: one of its
      // directories that is a symbolic link would take every write (and,
      // with --delete, every delete) outside TARGET, which a mirror never
      // does through a link inside the target. TARGET itself may be a link.
      const link = targetPrefix === "" ? undefined : linkOnPath(dir, roots[0]!.dir);
      if (link !== undefined) {
        throw new InvalidInputError(
          `mirror target ${roots[0]!.dir}: ${link} is a symbolic link inside the target ` +
            `${dir}; vc does not write or delete through one (to mirror into the directory it ` +
            `points to, give that as TARGET)`,
        );
      }
      for (const at of new Set([dir, roots[0]!.dir])) await refuseTargetBelowFile(at);
      storePrefix = normalizePrefix(options.sourcePrefix);
      for (const s of options.sources) {
        if (typeof s === "string") {
          await refuseOverlap(s, storePrefix, roots, "source");
          const root = await requireDirectoryStore(s);
          if (root !== undefined) storeRoots.push(root);
        }
      }
      stores = [];
      for (const s of options.sources) stores.push(await getStore(s));
    }
    // A store as it names itself (`file:///x` for `file:///x/` or
    // `file://localhost/x`, `s3://b/p` for `s3://b/p/`), not as it was
    // typed: one mirror spelled two ways has one state file, and its lock.
    const names = {
      sources: options.sources.map((s, i) =>
        typeof s !== "string" || isStoreUri(s) ? stores[i]!.url : resolve(s)
      ),
      target: typeof options.target !== "string" || isStoreUri(options.target)
        ? stores[0]!.url
        : resolve(options.target),
    };
    let statePath = options.statePath;
    let formerPaths: string[] = [];
    if (statePath === undefined) {
      const cacheDir = options.cacheDir ?? defaultCacheDir();
      // The mirror, not its spelling (see `stateIdentities`): two runs of it
      // typed two ways take one lock. A name an earlier version gave this
      // spelling is taken over (see `MirrorState`).
      const identities = await stateIdentities({
        direction,
        sources: direction === "upload" ? options.sources as string[] : names.sources,
        target: direction === "upload" ? names.target : options.target as string,
        sourcePrefix: options.sourcePrefix,
        storePrefix,
        targetPrefix,
        // One bucket/prefix on two servers is two mirrors.
        storeEndpoints: stores.map((s) => s.endpoint),
      });
      statePath = defaultStatePath(cacheDir, identities.canonical);
      formerPaths = identities.former.map((f) => defaultStatePath(cacheDir, f))
        .filter((f) => f !== statePath);
      for (const f of [statePath, ...formerPaths]) assertDefaultStateUnlinked(cacheDir, f);
      // Made private (0700) as the asset cache makes it: a cache dir a
      // mirror made first with the umask's 0755 would let other users read
      // every copy the cache puts in it later.
      if (!options.dryRun) {
        try {
          ensureCacheDir(cacheDir);
        } catch (cause) {
          throw stateNotWritableError(statePath, cause, cacheDir);
        }
      }
    }
    const inside = roots.find((r) => isInside(resolve(statePath), r.dir));
    if (inside !== undefined) {
      throw new InvalidInputError(
        `state file ${statePath} must not be inside the mirrored directory ${inside.dir}`,
      );
    }
    let openPath = statePath;
    if (options.dryRun && !(await exists(statePath))) {
      // A dry run moves nothing: it reads the former file where it is.
      openPath = ":memory:";
      for (const f of formerPaths) {
        if (await exists(f)) {
          openPath = f;
          break;
        }
      }
    }
    // Without the caller's onWarning, MirrorState's own default (stderr) says it.
    const onWarning = options.onWarning;
    const warn = onWarning === undefined
      ? undefined
      : (m: string) => callCallback("onWarning", onWarning, { message: m });
    // A pattern typed as a glob that is also an expression: it runs, but
    // leaves out (or in) other keys than meant.
    for (const m of globLookalikes(options.filter, options.exclude)) {
      (warn ?? warnOnStderr)(m);
    }
    const state = new MirrorState(openPath, options.dryRun ? undefined : formerPaths, warn);
    return { direction, stores, owned, roots, storeRoots, storePrefix, state, names };
  } catch (error) {
    await Promise.allSettled(owned.map((s) => s.close()));
    throw error;
  }
}

function name(x: string | ObjectStore): string {
  return JSON.stringify(typeof x === "string" ? x : x.url);
}

/**
 * Refuses a `file://` store whose objects (under `prefix`) and a local
 * directory of the mirror hold one another: it would copy into what it
 * reads, nesting deeper on each run, and `--delete` would remove the very
 * files it mirrors. Compared as real paths (links resolved). Returns the
 * real path of the store's region (undefined for other stores).
 */
async function refuseOverlap(
  storeUri: string,
  prefix: string,
  roots: readonly LocalRoot[],
  role: "source" | "target",
): Promise<string | undefined> {
  if (!/^file:/i.test(storeUri)) return undefined;
  const parsed = parseUri(storeUri);
  if (parsed.scheme !== "file") return undefined;
  // Keys under `prefix` live below its directory part ("a/b" → a/, "a/b/" → a/b/).
  const prefixDir = prefix.slice(0, prefix.lastIndexOf("/") + 1);
  const region = await realish(join(resolve(parsed.path), ...prefixDir.split("/").filter(Boolean)));
  for (const root of roots) {
    const dir = await realish(root.dir);
    if (
      pathBelow(dir, region) !== undefined || isInside(region, dir) ||
      await holdsByIdentity(dir, region)
    ) {
      const local = role === "target" ? "source" : "target";
      throw new InvalidInputError(
        `mirror ${role} ${storeUri} and the ${local} ${root.dir} overlap (one holds the other): ` +
          "the mirror would copy into what it reads, and --delete would remove what it mirrors; " +
          "use directories apart",
      );
    }
  }
  return region;
}

/**
 * Whether `a` and `b` hold one another as directories, told by device and
 * inode rather than by path: a bind mount (or another mount of the same
 * filesystem) shows one directory under two paths that no link resolves.
 */
async function holdsByIdentity(a: string, b: string): Promise<boolean> {
  const [aIds, bIds] = await Promise.all([existingAncestorIds(a), existingAncestorIds(b)]);
  const idOf = async (path: string) => {
    const info = readGranted(path) ? await Deno.stat(path).catch(() => undefined) : undefined;
    return info === undefined ? undefined : fileIdentity(info);
  };
  const [aId, bId] = await Promise.all([idOf(a), idOf(b)]);
  return (aId !== undefined && bIds.has(aId)) || (bId !== undefined && aIds.has(bId));
}

/**
 * Device and inode of `path` (if it exists) and of each existing directory
 * above it that this run may read: one `--allow-read` leaves out is not
 * looked at (a script given its own directories was prompted for their
 * parents on a terminal).
 */
async function existingAncestorIds(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let at = resolve(path);; at = resolve(at, "..")) {
    const info = readGranted(at) ? await Deno.stat(at).catch(() => undefined) : undefined;
    const id = info === undefined ? undefined : fileIdentity(info);
    if (id !== undefined) ids.add(id);
    if (resolve(at, "..") === at) return ids;
  }
}

/**
 * The error of a mirror source that cannot be read, of the kind its cause
 * is (`--json`'s `kind`, a failure's `errorName`): a missing one is `missing`'s
 * class (`NotFoundError`, or `StoreNotFoundError` for a directory store, as a
 * missing bucket is), one the file system refuses an `AccessDeniedError`,
 * anything else an `InvalidInputError`.
 */
function unreadableSource(
  text: string,
  error: unknown,
  missing: typeof NotFoundError,
): VcError {
  if (error instanceof Deno.errors.NotFound) return new missing(text, { cause: error });
  if (error instanceof Deno.errors.PermissionDenied) {
    return new AccessDeniedError(text, { cause: error });
  }
  return new InvalidInputError(text, { cause: error });
}

/**
 * Refuses a mirror target directory (local, or a `file://` store's) that is
 * not one, or cannot be made one: a file is where it or a directory above
 * it belongs (ENOTDIR). Missing, it is made on the first write; below a file
 * it cannot be, and every key would fail with a line of its own.
 */
async function refuseTargetBelowFile(at: string): Promise<void> {
  const info = await Deno.stat(at).catch((e) => {
    if (!(e instanceof Deno.errors.NotADirectory)) return undefined;
    const file = fileAbove(at);
    throw new InvalidInputError(
      `mirror target ${at} cannot be made: ${file ?? "a path above it"} is a file, ` +
        `not a directory`,
    );
  });
  if (info !== undefined && !info.isDirectory) {
    throw new InvalidInputError(`mirror target ${at} is not a directory`);
  }
}

/**
 * Refuses a `file://` source whose directory is missing (a typo, a disk not
 * mounted): a directory store's root is its bucket, and as a missing S3
 * bucket fails the listing, it must not read as an empty store, which
 * `--delete` would take for "delete every local file". Its directory and
 * device, for the deletes of later passes to check.
 */
async function requireDirectoryStore(storeUri: string): Promise<LocalRoot | undefined> {
  if (!/^file:/i.test(storeUri)) return undefined;
  const parsed = parseUri(storeUri);
  if (parsed.scheme !== "file") return undefined;
  const info = await Deno.stat(parsed.path).catch((error: unknown) => {
    throw unreadableSource(
      `mirror source ${storeUri} cannot be read: ${message(error)} (a directory store's ` +
        "directory is its bucket: a missing one is not an empty one); nothing was changed",
      error,
      StoreNotFoundError,
    );
  });
  if (!info.isDirectory) {
    throw new InvalidInputError(`mirror source ${storeUri} is not a directory`);
  }
  // Unmounted under a watch, it must not read as emptied either.
  return { dir: parsed.path, base: "", dev: info.dev };
}

/**
 * {@linkcode sourceBase} as typed, else with links resolved on both sides (as
 * the state identity takes them): a source reached through a link is inside
 * a `--source-prefix` given as the real path, and back. Refused, naming both
 * as typed, when neither way has it inside.
 */
async function localSourceBase(dir: string, sourcePrefix: string | undefined): Promise<string> {
  try {
    return sourceBase(dir, sourcePrefix);
  } catch (error) {
    if (sourcePrefix === undefined || !(error instanceof InvalidInputError)) throw error;
    const [realDir, realPrefix] = [await realish(dir), await realish(resolve(sourcePrefix))];
    try {
      return sourceBase(realDir, realPrefix);
    } catch {
      throw error;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
