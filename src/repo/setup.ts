/**
 * Creating, opening and restoring repositories: the marker, the catalog it
 * names, and the checks that keep one repository to one catalog.
 *
 * @module
 */
import { renameOver } from "../replace_file.ts";
import { signalOption, untilAborted } from "../abort_hub.ts";
import { withCallbackGuard } from "../callback.ts";
import { type Clock, systemClock } from "../clock.ts";
import { counted } from "../counted.ts";
import { withFileLock } from "../file_lock.ts";
import {
  AccessDeniedError,
  CallbackError,
  InvalidInputError,
  PreconditionFailedError,
  StoreNotFoundError,
  VcError,
} from "../errors.ts";
import { quoted } from "../printable.ts";
import { describeValue } from "../options_check.ts";
import { basename, fromFileUrl, joinOn, pathBelow, resolve } from "../path.ts";
import { realish, realishSync } from "../real_path.ts";
import { openStore, type StoreOptions } from "../store/open.ts";
import type { ObjectStore } from "../store/types.ts";
import type { AssetCache } from "../cache/asset_cache.ts";
import {
  type Catalog,
  CatalogDamagedError,
  CatalogReadOnlyError,
  CatalogUnavailableError,
  type Tx,
} from "./catalog.ts";
import {
  countLeftBehind,
  lastIdHandedOut,
  loginRefused,
  markCatalogMoved,
  MOVED_TO_KEY,
  RESTORE_ID_KEY,
} from "./catalog_moved.ts";
import { mayBeDamage } from "./backup_lines.ts";
import {
  type CheckedSnapshot,
  readSnapshot,
  restoreCatalog,
  type RestoreCounts,
  type SnapshotProgressCallback,
} from "./backup.ts";
import {
  type CatalogRef,
  catalogText,
  checkHost,
  MARKER_KEY,
  parseCatalogRef,
  readMarker,
  redactCatalogText,
  type RepoMarker,
  RepoNotFoundError,
  writeMarker,
} from "./marker.ts";
import { refuseInsideRepository } from "./nesting.ts";
import { spoolSnapshot } from "./snapshot_spool.ts";
import {
  type ContentReconciliation,
  markAllRestoredUnknown,
  markRestoredUnknown,
  reconcileContent,
} from "./restore_reconcile.ts";
import { storeFileAt } from "./own_files.ts";
import { type EnvOption, envOption } from "../env_option.ts";
import { openCatalog, type OpenCatalogOptions } from "./open_catalog.ts";
import { catalogDifference } from "./postgres_url.ts";
import {
  addLaterIndexes,
  createSchema,
  knownSchemaVersion,
  missingLaterIndexes,
  readMeta,
  SCHEMA_VERSION,
  unknownSchemaVersionError,
  upgradeRefusedError,
  upgradeSchema,
} from "./schema.ts";
import { REPO_BACKUP, REPO_INIT, REPO_RESTORE, restoreToCatalog } from "../command_words.ts";
import { sayOnStderr } from "../warning_line.ts";

/** Options shared by `Repository.init` and `Repository.open`. */
export interface RepositoryOptions {
  /** Time source for created/publish times, claims, grace periods (tests advance a manual clock). */
  clock?: Clock;
  /** This machine's name (default `Deno.hostname()`); recorded as origin and checked for SQLite catalogs. */
  host?: string;
  /**
   * Opens the content store (default `openStore`). `options`, when given,
   * are what the use needs (`forUserFiles()` to read a backup file without
   * writing beside it); an opener may ignore them. Unlike `AssetCache`'s and
   * `mirror`'s, the stores it returns become the repository's: `close()` (or
   * an `init` / `open` that fails) closes the content store, and a backup
   * file's store is closed once it is read or written. Return a new store
   * per call, not one shared with a cache. Default with a `cache` given (made
   * without an `openStore` of its own): `openStore` with that cache's store
   * settings (its `store` and `env`).
   */
  openStore?: (uri: string, options?: StoreOptions) => Promise<ObjectStore>;
  /**
   * A PostgreSQL URL given at run time (may carry the password): the
   * catalog as this machine names it, which must be the one the store's
   * marker names. Only then is `PGPASSWORD` sent: anyone who may write to
   * the store can make its marker name a server of theirs (a line of the
   * password file, bound to its server, is used either way).
   */
  postgresUrl?: string;
  /**
   * Environment for PostgreSQL settings (a function of the variable's name,
   * or an object of variables); default `Deno.env`.
   */
  env?: EnvOption;
  /**
   * A PostgreSQL catalog's server refuses connections for now (too many
   * clients, starting up): told before each wait, with a line such as
   * `PostgreSQL at db:5432 has too many clients; trying again in 2 s`
   * (default: written to stderr). Also told, once, when a transaction waits
   * for another session's lock (PostgreSQL: after its first 5 s lock wait;
   * SQLite: after 5 s behind another process's lock), naming the catalog
   * and who may hold it; and, once, when a forced restore of a damaged
   * SQLite catalog waits for another restore rebuilding it. A CLI or service
   * routes it to its own output or log.
   */
  onConnectWait?: (message: string) => void;
  /**
   * A PostgreSQL catalog: milliseconds to keep trying its server while it
   * refuses connections for now (too many clients, starting up; and, for
   * `open`, no server listening, as in a restart: 10 s in a row at most),
   * and to run again a transaction whose
   * connection was lost before its COMMIT (default 30 000; 0: fail at once,
   * e.g. in a request handler that answers "try later" itself).
   */
  connectRetryMs?: number;
  /**
   * Asset cache for `download` (default: one with default settings that
   * opens stores with `openStore`, created on first use, whose warnings are
   * `console.warn` lines: give one with `onWarning` to take them).
   */
  cache?: AssetCache;
  /**
   * Aborts the opening (the marker's read, the catalog's checks), the
   * creation (`Repository.init`) or the restore (`Repository.restore`),
   * which then rejects with the signal's reason and leaves nothing open. A
   * catalog transaction under way is not cut short: what follows it is not
   * done. The repository does not keep it: its methods take their own
   * signals.
   */
  signal?: AbortSignal;
}

/** Options of `Repository.init`. */
export interface InitOptions extends RepositoryOptions {
  /** `sqlite:PATH` or `postgres://…`; default for a directory store: SQLite beside the content. */
  catalog?: string;
}

/** Options of `Repository.restore`. */
export interface RestoreOptions extends InitOptions {
  /** Replace the records and path tags of a catalog that holds some. */
  force?: boolean;
  /** Called as the snapshot is read, checked and written into the catalog. */
  onProgress?: SnapshotProgressCallback;
}

/** What an open repository is made of. */
export interface RepoParts {
  /** The store's URI. */
  uri: string;
  /** The content store. */
  store: ObjectStore;
  /** The catalog. */
  catalog: Catalog;
  /** The marker. */
  marker: RepoMarker;
  /** This machine's name. */
  host: string;
  /**
   * Set when the catalog is older than this vc and this user may not
   * upgrade it: what refuses its adds and tags until someone upgrades it.
   */
  upgradeRefused?: CatalogReadOnlyError;
}

/**
 * This machine's name for the catalog: `host` as given, else
 * `Deno.hostname()`. A given one must be what a snapshot restores as a
 * record's origin host (at most 255 characters of valid Unicode, none of
 * them control characters, not blank), else every backup of the records it
 * adds could not be restored.
 */
function hostOption(host: string | undefined): string {
  if (host === undefined) return thisHost();
  if (
    typeof host !== "string" || host.trim() === "" || host.length > 255 || /\p{Cc}/u.test(host) ||
    !host.isWellFormed()
  ) {
    throw new InvalidInputError(
      `host ${
        typeof host === "string" ? quoted(host) : describeValue(host)
      } is invalid: use 1-255 characters of valid Unicode without control characters`,
    );
  }
  return host;
}

// `Deno.hostname()`; its denial (no --allow-sys) was a bare NotCapable.
function thisHost(): string {
  try {
    return Deno.hostname();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable)) throw e;
    throw new AccessDeniedError(
      "a repository records this machine's name, which cannot be read without sys permission: " +
        "run with --allow-sys (or --allow-sys=hostname), or pass the host option",
      { cause: e },
    );
  }
}

/**
 * Creates the parts of a new repository in the store at `uri`: creates the catalog's schema
 * and writes the marker (create-once). A directory store gets a SQLite
 * catalog beside its content unless `catalog` says otherwise; an `s3://`
 * store needs an explicit `catalog`.
 */
export async function initParts(uri: string, options: InitOptions = {}): Promise<RepoParts> {
  const host = hostOption(options.host);
  const signal = options.signal;
  const store = await openStoreOf(uri, options);
  try {
    let ref: CatalogRef;
    if (options.catalog !== undefined) {
      ref = parseCatalogRef(options.catalog, host, Deno.cwd());
    } else if (store.url.startsWith("file:")) {
      ref = { kind: "sqlite", path: defaultCatalogPath(store.url), host };
    } else {
      throw new InvalidInputError(
        `repository ${uri}: give a catalog with the catalog option (sqlite:PATH or ` +
          "postgres://user@host/db); " +
          "only a directory repository keeps its catalog beside its content by default",
      );
    }
    // A second init of a repository says so before its catalog is looked at.
    if ((await store.head(MARKER_KEY, signalOption(signal))) !== undefined) {
      throw new PreconditionFailedError(
        `${store.url} is already a vc repository (${MARKER_KEY} exists)`,
      );
    }
    await refuseForeignContent(store, uri, CONTENT_PREFIX, signal);
    await refuseInsideRepository(store.url, options.openStore ?? openStore, signal);
    await refuseCatalogInStore(store, ref, CONTENT_PREFIX);
    const catalog = await untilAborted(
      createCatalog(ref, options).catch((error) => {
        // A file there that is no database was never this repository's
        // catalog: not to be rebuilt by a forced restore, as the error says
        // of a catalog damaged in use, which would put one in its place.
        if (!(error instanceof CatalogDamagedError) || ref.kind !== "sqlite") throw error;
        throw notACatalog(
          ref.path,
          error,
          `${REPO_INIT.library} makes a new catalog: give the path of a new file`,
        );
      }),
      signal,
      (late) => late.close(),
    );
    let repository: string = crypto.randomUUID();
    // An init of this store that died between its catalog commit and its
    // marker (kill -9, a lost machine) left its id in the catalog: this init
    // takes that id over instead of refusing the catalog for good.
    let adopted = false;
    try {
      signal?.throwIfAborted();
      await catalog.transaction("write", async (tx) => {
        await createSchema(tx, catalog.dialect, `catalog ${catalogText(ref)}`);
        const unfinished = await refuseTakenCatalog(tx, ref, uri, store.url);
        adopted = unfinished !== undefined;
        if (unfinished !== undefined) repository = unfinished;
        await setMeta(tx, "repository", repository);
        await setMeta(tx, "store", store.url);
        if (ref.kind === "sqlite") await setMeta(tx, "host", host);
      });
      const marker: RepoMarker = {
        format: "vc-repo",
        version: 1,
        catalog: ref,
        contentPrefix: CONTENT_PREFIX,
        createdAt: new Date((options.clock ?? systemClock).now()).toISOString(),
        repository,
      };
      try {
        signal?.throwIfAborted();
        await writeMarker(store, marker, signalOption(signal));
      } catch (error) {
        // No repository came to be: the catalog is free again (an adopted id
        // stays: a concurrent init of this store may have written its marker).
        if (!adopted) {
          await catalog.transaction(
            "write",
            (tx) =>
              tx.query("DELETE FROM vc_meta WHERE key = 'repository' AND value = $1", [repository]),
          ).catch(() => {});
        }
        throw error;
      }
      return { uri, store, catalog, marker, host };
    } catch (error) {
      await catalog.close();
      throw error;
    }
  } catch (error) {
    await store.close();
    throw error;
  }
}

const CONTENT_PREFIX = "content/";

/**
 * Puts the catalog rebuilt at `built` in the place of the damaged one at
 * `path`, which is kept, never deleted, as `PATH.damaged-<ms>` (with its WAL
 * files) for whoever wants to look at it. The damaged file is linked aside
 * and the new one renamed over it, so `path` always holds one of them: a
 * kill (`kill -9`, a lost machine) midway leaves the damaged catalog, which
 * the same restore rebuilds again, never no catalog or an empty one (whose
 * gc would take all content for unreferenced).
 */
async function replaceDamaged(path: string, built: string): Promise<string> {
  const aside = `${path}.damaged-${Date.now()}`;
  await Deno.link(path, aside);
  // Retried as the catalog's own replace (`moveCatalog`): the program that
  // holds it open on Windows holds its WAL files too.
  for (const suffix of ["-wal", "-shm"]) {
    await renameOver(`${path}${suffix}`, `${aside}${suffix}`).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  await moveCatalog(built, path);
  return aside;
}

/** Removes a SQLite catalog file and its WAL files, those that exist. */
async function removeCatalogFiles(path: string): Promise<void> {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    await Deno.remove(`${path}${suffix}`).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}

/**
 * Renames a SQLite catalog with its WAL files (those that exist). Over a
 * catalog another program holds open on Windows (SQLite opens it without
 * delete sharing) the rename is retried for about a second, then fails
 * naming it (`renameOver`).
 */
async function moveCatalog(from: string, to: string): Promise<void> {
  // The WAL files first: the main file's rename is the step that makes the
  // catalog appear at `to`, whole.
  for (const suffix of ["-wal", "-shm"]) {
    await Deno.rename(`${from}${suffix}`, `${to}${suffix}`).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  await renameOver(from, to);
}

/** Sets one `vc_meta` value. */
async function setMeta(tx: Tx, key: string, value: string): Promise<void> {
  await tx.query(
    "INSERT INTO vc_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
    [key, value],
  );
}

/**
 * Refuses, for `init`, a catalog that already serves a repository (its id in
 * `vc_meta`, or records from before ids were kept): two repositories on one
 * catalog would see each other's records, and gc, purge or a restore in one
 * would destroy the other's files.
 */
async function refuseTakenCatalog(
  tx: Tx,
  ref: CatalogRef,
  uri: string,
  storeUrl: string,
): Promise<string | undefined> {
  const owner = (await tx.query("SELECT value FROM vc_meta WHERE key = 'repository'"))[0]?.value;
  const records = Number((await tx.query("SELECT COUNT(*) AS n FROM records"))[0]!.n);
  const store = (await tx.query("SELECT value FROM vc_meta WHERE key = 'store'"))[0]?.value;
  // The caller found no marker in this store: an id written by an init of
  // this same store, with no record since, is that init's, unfinished.
  if (owner !== undefined && records === 0 && store === storeUrl) return String(owner);
  if (owner !== undefined || records > 0) {
    throw new InvalidInputError(
      `catalog ${catalogText(ref)} already belongs to a vc repository${
        owner === undefined ? ` (it holds ${counted(records, "record")})` : ` (id ${owner})`
      }; give ${uri} a catalog of its own (another SQLite file, another PostgreSQL database)`,
    );
  }
  return undefined;
}

/**
 * Refuses a catalog whose repository id is not the marker's: the catalog of
 * another repository, named by this one's marker (by hand, or by two
 * `init`s before ids were kept). A marker or catalog without an id (written
 * before ids were kept) is taken as it is.
 */
function checkSameRepository(
  catalogRepository: string | undefined,
  marker: RepoMarker | undefined,
  uri: string,
  // The catalog checked: a restore's --catalog, not the one the marker still names.
  ref: CatalogRef | undefined = marker?.catalog,
): void {
  if (catalogRepository === undefined || marker?.repository === undefined) return;
  if (catalogRepository !== marker.repository) {
    throw new InvalidInputError(
      `catalog ${
        catalogText(ref ?? marker.catalog)
      } belongs to another vc repository (id ${catalogRepository}), ` +
        `not to ${uri} (id ${marker.repository}); each repository needs a catalog of its own: ` +
        `restore it into a new catalog with ${restoreToCatalog(uri)} (or postgres://...)`,
    );
  }
}

/**
 * Refuses, for a restore into a store without a marker, a catalog that
 * already belongs to a repository (its id in `vc_meta`): restoring would
 * replace that repository's records (with `--force`) and leave two stores
 * on one catalog, each gc purging what the other holds. Only a restore into
 * this same store that died before writing the marker may be run again.
 */
function refuseAdoptedCatalog(
  meta: Map<string, string> | undefined,
  marker: RepoMarker | undefined,
  storeUrl: string,
  ref: CatalogRef,
  uri: string,
): void {
  const owner = meta?.get("repository");
  if (marker !== undefined || owner === undefined || meta?.get("store") === storeUrl) return;
  throw new InvalidInputError(
    `catalog ${catalogText(ref)} already belongs to a vc repository (id ${owner}${
      meta?.has("store") ? `, at ${meta.get("store")}` : ""
    }), and ${uri} is not it (it has no ${MARKER_KEY}): nothing was restored, even with ` +
      "the force option; restore into a catalog of its own (another SQLite file, another PostgreSQL database)",
  );
}

/**
 * Refuses a store that is a copy of another repository (`aws s3 sync` of an
 * S3 one, `cp -a` of a directory repository whose catalog is not beside its
 * content): its marker names the original's catalog, whose `store` is the
 * original, and the original still holds this repository's marker. Used through the copy, that catalog would
 * get records whose content only the copy holds, and the copy's purges would
 * purge the original's records. A store the catalog names by another URL
 * that no longer holds the marker (moved, or gone) is taken as this one, and
 * so is the same directory reached through another path (a symbolic link).
 */
async function refuseCopiedStore(
  meta: Map<string, string> | undefined,
  marker: RepoMarker | undefined,
  uri: string,
  storeUrl: string,
  options: RepositoryOptions,
  ref: CatalogRef | undefined = marker?.catalog,
): Promise<void> {
  const recorded = meta?.get("store");
  const repository = marker?.repository;
  if (recorded === undefined || repository === undefined || recorded === storeUrl) return;
  // The catalog beside this directory's content is its own (a copy's, see
  // catalogHere), whichever store it was first made for.
  const opened = ref ?? marker?.catalog;
  if (
    opened?.kind === "sqlite" && storeUrl.startsWith("file:") &&
    opened.path === defaultCatalogPath(storeUrl)
  ) return;
  if (await sameDirectory(recorded, storeUrl)) return;
  let other: RepoMarker;
  try {
    const original = await openStoreOf(recorded, options);
    try {
      other = await readMarker(original, signalOption(options.signal));
    } finally {
      await original.close();
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return; // the catalog's store is gone or unreadable: this store is taken as moved here
  }
  if (other.repository !== repository) return;
  throw new InvalidInputError(
    `${uri} is a copy of the vc repository at ${recorded} (id ${repository}): its marker names ` +
      `that repository's catalog ${catalogText(ref ?? other.catalog)}, so its changes would go ` +
      `into the original's records; nothing was changed. Give the copy a catalog of its own ` +
      `(${REPO_BACKUP.library} in ${recorded}, then ${restoreToCatalog(uri)} or ` +
      `postgres://...), or, if the repository moved here, remove ${MARKER_KEY} ` +
      `from ${recorded}`,
  );
}

/** Whether two `file:` URLs name one directory (through a symbolic link, say). */
async function sameDirectory(a: string, b: string): Promise<boolean> {
  if (!a.startsWith("file:") || !b.startsWith("file:")) return false;
  try {
    return await Deno.realPath(fromFileUrl(a)) === await Deno.realPath(fromFileUrl(b));
  } catch {
    return false;
  }
}

/**
 * Where a directory repository keeps its SQLite catalog by default: beside
 * its content, in the directory of its store URL (`file:///C:/repo` is
 * `C:\\repo` on Windows, `os`; default this platform).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultCatalogPath } from "./setup.ts";
 * assert.equal(defaultCatalogPath("file:///srv/repo", "linux"), "/srv/repo/.vc~repo.sqlite");
 * assert.equal(defaultCatalogPath("file:///C:/repo", "windows"), "C:\\repo\\.vc~repo.sqlite");
 * ```
 */
export function defaultCatalogPath(
  storeUrl: string,
  os: typeof Deno.build.os = Deno.build.os,
): string {
  return joinOn(os, fromFileUrl(storeUrl, os), ".vc~repo.sqlite");
}

/**
 * `marker`, naming the SQLite catalog beside this directory repository's
 * content when the repository was copied or moved (`cp -a`, `mv`, rsync):
 * its marker still names the original's catalog by its absolute path, and
 * opened through it, the copy would write its records into the original's
 * catalog (content here, records there; a forced restore would replace the
 * original's records). So a marker naming a default catalog file
 * (`.vc~repo.sqlite`) of another directory, where this directory has one of
 * its own, means this one: unless that other file is this store's own (a
 * restore moved the catalog there for this store, which it records).
 */
async function catalogHere(store: ObjectStore, marker: RepoMarker): Promise<RepoMarker> {
  const named = marker.catalog;
  if (named.kind !== "sqlite" || !store.url.startsWith("file:")) return marker;
  const here = defaultCatalogPath(store.url);
  if (named.path === here || basename(named.path) !== basename(here)) return marker;
  const realHere = await Deno.realPath(here).catch(() => undefined);
  if (realHere === undefined || !(await Deno.stat(realHere)).isFile) return marker;
  const realNamed = await Deno.realPath(named.path).catch(() => undefined);
  if (realNamed === realHere) return marker; // the same file, reached another way
  if (realNamed !== undefined && (await catalogMeta(named))?.get("store") === store.url) {
    return marker;
  }
  // The catalog a restore moved this repository away from (the marker's is
  // missing: its disk not mounted, the file moved) is a stale copy, never
  // this directory's own: the marker's catalog is opened, and its absence
  // named, rather than every command refused as "moved since this process
  // opened it".
  if ((await catalogMeta({ ...named, path: realHere }))?.has(MOVED_TO_KEY)) return marker;
  return { ...marker, catalog: { ...named, path: here } };
}

/** What a catalog records of its repository (`vc_meta`), if it can be read. */
async function catalogMeta(
  ref: CatalogRef,
  options: OpenCatalogOptions = {},
): Promise<Map<string, string> | undefined> {
  try {
    const catalog = await openCatalog(ref, options);
    try {
      return await catalog.transaction("read", (tx) => readMeta(tx, catalog.dialect));
    } finally {
      await catalog.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * The content directory (`prefix` below the directory store at `storeUrl`)
 * that the SQLite catalog file `catalogPath` lies in, or undefined when it
 * lies elsewhere. Compared as the file system of `os` compares paths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { catalogInContent } from "./setup.ts";
 * assert.equal(catalogInContent("file:///r", "/r/content/c.sqlite", "content/", "linux"), "/r/content/");
 * assert.equal(catalogInContent("file:///r", "/r/c.sqlite", "content/", "linux"), undefined);
 * ```
 */
export function catalogInContent(
  storeUrl: string,
  catalogPath: string,
  prefix: string,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  const content = joinOn(os, fromFileUrl(storeUrl, os), prefix);
  return pathBelow(catalogPath, content, { os }) === undefined ? undefined : content;
}

// A SQLite catalog file under a directory store's content prefix is an
// object no record references: gc would delete the catalog itself. Also
// when a symbolic link leads there (the catalog's path, or the store's,
// through one), which the paths' text does not show.
async function refuseCatalogInStore(
  store: ObjectStore,
  ref: CatalogRef,
  prefix: string,
): Promise<void> {
  if (ref.kind !== "sqlite" || !store.url.startsWith("file:")) return;
  let content = catalogInContent(store.url, ref.path, prefix);
  if (content === undefined) {
    const dir = joinOn(Deno.build.os, fromFileUrl(store.url), prefix);
    const [realCatalog, realContent] = await Promise.all([realish(ref.path), realish(dir)]);
    if (pathBelow(realCatalog, realContent) !== undefined) content = dir;
  }
  if (content !== undefined) {
    throw new InvalidInputError(
      `catalog sqlite:${ref.path} is inside the repository's content (${content}), where gc ` +
        "deletes what no record references; put it elsewhere (default: beside the content)",
    );
  }
  // Nor over the marker (a restore set it aside as a damaged catalog, and
  // then wrote the marker over the new catalog), a backup or a file of the
  // store's own: only the default catalog file has a name of the store's.
  const here = defaultCatalogPath(store.url);
  if (await realish(ref.path) === await realish(here)) return;
  const own = await storeFileAt(store.url, prefix, ref.path);
  if (own !== undefined) {
    throw new InvalidInputError(
      `catalog sqlite:${ref.path} is ${own}; put it elsewhere (default: ${here})`,
    );
  }
}

/**
 * A new repository owns its content prefix: gc deletes every object there
 * that no record references. Objects already under it belong to someone
 * else (a website's `content/`, another tool's files), so a new repository
 * is refused there instead of deleting them a grace period later. An
 * existing repository (a marker) is left to `writeMarker` to report.
 */
async function refuseForeignContent(
  store: ObjectStore,
  uri: string,
  prefix: string,
  signal: AbortSignal | undefined,
) {
  let first: string | undefined;
  for await (const info of store.list(prefix, { etags: false, ...signalOption(signal) })) {
    first = info.key;
    break;
  }
  if (first === undefined || (await store.head(MARKER_KEY, signalOption(signal))) !== undefined) {
    return;
  }
  throw new InvalidInputError(
    `${uri} already holds objects under ${prefix} (${first}, ...) and is not a vc repository; ` +
      "gc would delete them as unreferenced content. Create the repository under an empty " +
      `prefix instead (e.g. ${uri.replace(/\/+$/, "")}/repo)`,
  );
}

/**
 * Opens the repository at `uri` through its marker. Fails clearly when the
 * store is not a repository, when a SQLite catalog belongs to another host,
 * and when the catalog cannot be reached.
 */
export async function openParts(uri: string, options: RepositoryOptions = {}): Promise<RepoParts> {
  const host = hostOption(options.host);
  const signal = options.signal;
  const store = await openStoreOf(uri, options);
  try {
    const marker = await catalogHere(
      store,
      await readMarker(store, signal === undefined ? {} : { signal }),
    );
    signal?.throwIfAborted();
    checkHost(marker.catalog, host);
    if (options.postgresUrl !== undefined) {
      checkRuntimeUrl(marker.catalog, options.postgresUrl, envOption("Repository", options.env));
    }
    // A catalog takes no signal: an abort stops the wait for it at once, and
    // the catalog is closed once its opening and checks are over.
    const { catalog, upgradeRefused } = await untilAborted(
      openCheckedCatalog(uri, store.url, marker, host, options),
      signal,
      (late) => late.catalog.close(),
    );
    return { uri, store, catalog, marker, host, ...(upgradeRefused ? { upgradeRefused } : {}) };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Opens the catalog `marker` names and checks that it is this repository's;
 * with the refusal of its upgrade when it is older and this user may not
 * upgrade it.
 */
async function openCheckedCatalog(
  uri: string,
  storeUrl: string,
  marker: RepoMarker,
  host: string,
  options: RepositoryOptions,
): Promise<{ catalog: Catalog; upgradeRefused?: CatalogReadOnlyError }> {
  const catalog = await openCatalog(marker.catalog, {
    ...catalogOptions(options),
    markerLocation: `${storeUrl}/${MARKER_KEY}`,
  });
  try {
    // The indexes asked for in the same read: no round trip of their own.
    const [meta, missingIndexes] = await catalog.transaction("read", async (tx) => {
      const meta = await readMeta(
        tx,
        catalog.dialect,
        `catalog ${catalogText(marker.catalog)} of ${uri}`,
      );
      return [meta, meta === undefined ? [] : await missingLaterIndexes(tx, catalog.dialect)];
    });
    if (meta === undefined) {
      throw new CatalogUnavailableError(
        `catalog ${catalogText(marker.catalog)} of ${uri} has no vc schema ` +
          `(restore a backup into it with ${REPO_RESTORE.library})`,
      );
    }
    const owner = meta.get("host");
    if (owner !== undefined && marker.catalog.kind === "sqlite") {
      checkHost({ ...marker.catalog, host: owner }, host);
    }
    checkSameRepository(meta.get("repository"), marker, uri);
    await refuseCopiedStore(meta, marker, uri, storeUrl, options);
    const version = meta.get("schema_version");
    const where = `catalog ${catalogText(marker.catalog)} of ${uri}`;
    const known = version === undefined ? SCHEMA_VERSION : knownSchemaVersion(version);
    if (known === undefined) {
      // Written by a newer vc: its columns and rules (as `tag_key` was to
      // version 2) are unknown here, and records or tags written without
      // them would break that vc's checks. Never read or changed as if older
      // (nor one whose version is no number vc writes: `""`, `"0"`, `"2.5"`
      // were taken for older, and their upgrade failed on columns already there).
      throw unknownSchemaVersionError(where, version!);
    }
    if (known < SCHEMA_VERSION) {
      // Written by an older vc: upgraded once, by the first vc that opens
      // it. One who may only read it (or write its rows, but not alter its
      // tables) still reads it as it is; its adds and tags wait for someone
      // who may upgrade it.
      const upgradeRefused = await catalog.transaction(
        "write",
        (tx) => upgradeSchema(tx, catalog.dialect, where),
      ).then(() => undefined, (error) => {
        if (!(error instanceof CatalogReadOnlyError)) throw error;
        return upgradeRefusedError(where, known, error);
      });
      if (upgradeRefused) return { catalog, upgradeRefused };
    }
    await addLaterIndexes(catalog, missingIndexes);
    return { catalog };
  } catch (error) {
    await catalog.close();
    throw error;
  }
}

/**
 * Rebuilds the catalog of the repository at `uri` from `snapshot` (an object
 * URI). With `catalog`, restores into that catalog (SQLite or PostgreSQL)
 * and points the repository's marker at it: this is how a repository moves
 * between catalog kinds. Refuses a catalog holding records (or path tags) unless `force`.
 */
export async function restoreRepository(
  uri: string,
  snapshot: string,
  options: RestoreOptions = {},
): Promise<RestoreCounts> {
  // An onProgress that throws (or whose promise rejects) stops the restore
  // as its signal would (before the catalog's transaction commits: rolled
  // back, the catalog as it was), and is what it rejects with: a
  // CallbackError. One that fails once the catalog holds the snapshot says so.
  const state: RestoreState = {};
  try {
    return await withCallbackGuard(
      options,
      ["onProgress"],
      (guarded) => restoreGuarded(uri, snapshot, guarded, state),
    );
  } catch (error) {
    if (
      error instanceof CallbackError && error.callback === "onProgress" &&
      state.restored !== undefined
    ) {
      error.message += `; the catalog was restored from ${snapshot} all the same, ` +
        (state.restored === "marker"
          ? "but the store's marker, which names it, may not be written: run the same " +
            "restore again with the force option"
          : "only the check of the store's content after it was not done");
    }
    throw error;
  }
}

/** How far a restore got: the catalog holds the snapshot, then its marker is written too. */
interface RestoreState {
  restored?: "marker" | "content";
}

async function restoreGuarded(
  uri: string,
  snapshot: string,
  options: RestoreOptions,
  state: RestoreState,
): Promise<RestoreCounts> {
  const host = hostOption(options.host);
  const open = options.openStore ?? openStore;
  const signal = options.signal;
  signal?.throwIfAborted();
  const progress = options.onProgress;
  progress?.({ current: `reading ${snapshot}` });
  // What the snapshot's bytes are counted as: its check, or its second
  // download (a snapshot found damaged), which is not the check again.
  let bytesStep = "checking the snapshot";
  // Read as it downloads, and again from a temp copy as it is written.
  await using spool = await spoolSnapshot(snapshot, open, {
    ...signalOption(signal),
    ...(progress === undefined ? {} : {
      onBytes: (bytes, totalBytes) => progress({ current: bytesStep, bytes, totalBytes }),
    }),
  });
  const store = await untilAborted(open(uri), signal, (late) => late.close());
  try {
    let marker: RepoMarker | undefined;
    try {
      marker = await catalogHere(store, await readMarker(store, signalOption(signal)));
    } catch (error) {
      if (signal?.aborted) throw error;
      await refuseMissingStore(store, error, signal);
      if (options.catalog === undefined) {
        // A restore into a new store (a lost one's content copied there)
        // names its catalog: the `vc repo init` first that readMarker
        // suggests would make another repository, whose id refuses the snapshot.
        if (error instanceof RepoNotFoundError) {
          throw new RepoNotFoundError(
            `${store.url} is not a vc repository (no ${MARKER_KEY}); to restore into a new ` +
              `store, name the catalog to create: ${restoreToCatalog(store.url)} ` +
              "(or postgres://...)",
            { cause: error },
          );
        }
        throw error;
      }
    }
    const ref = options.catalog !== undefined
      ? parseCatalogRef(options.catalog, host, Deno.cwd())
      : marker!.catalog;
    checkHost(ref, host);
    // The repository's catalog as this machine names it (it may carry the
    // password, and PGPASSWORD is sent to it) must be the one the marker
    // names (a new store's: the one restored into), as for every other call:
    // never a second catalog. In a move, the catalog moved from, whose
    // records added since the snapshot are counted (left behind) and which
    // gets the moved note; the catalog moved to is its own URL (`catalog`).
    if (options.postgresUrl !== undefined) {
      checkRuntimeUrl(
        marker?.catalog ?? ref,
        options.postgresUrl,
        envOption("Repository", options.env),
      );
    }
    const intoOptions: RestoreOptions =
      marker !== undefined && catalogText(marker.catalog) !== catalogText(ref)
        ? withoutPostgresUrl(options)
        : options;
    await refuseCatalogInStore(store, ref, marker?.contentPrefix ?? CONTENT_PREFIX);
    // All of the snapshot is read and checked before any catalog is touched
    // (created, upgraded, set aside when damaged): a snapshot that is cut
    // short or damaged changes nothing. (Whose it is, is checked against the
    // catalog's id too, once the catalog is open.)
    const snapshotOptions = {
      source: snapshot,
      contentPrefix: marker?.contentPrefix ?? CONTENT_PREFIX,
      // The marker's id refuses another repository's snapshot at its header,
      // not after all of it is read (the catalog's id is checked below too).
      ...(marker?.repository !== undefined
        ? { repositoryId: marker.repository, repository: uri }
        : {}),
      // A catalog it may not take, refused once the header is read (whose
      // snapshot it is is said first), not after the rest of it.
      afterHeader: () => refuseCatalogBeforeSnapshot(ref, marker, store.url, uri, options),
    };
    let rows: CheckedSnapshot;
    try {
      rows = await readSnapshot(spool, snapshotOptions);
    } catch (error) {
      // Found damaged past its header (a line that is no JSON, a gzip stream
      // that breaks off): the bytes may have been damaged on the way (a
      // proxy, a flaky link), the stored snapshot intact. It is downloaded
      // again, verified against what the store states of it and retried as
      // every download, then read once more: a snapshot damaged in the store
      // gets the same error again, a download that stays damaged is said so.
      if (!mayBeDamage(error) || signal?.aborted) throw error;
      bytesStep = `downloading ${snapshot} again, verified`;
      progress?.({ current: bytesStep });
      const verified = await spool.verified();
      if (verified === undefined) throw error;
      bytesStep = "checking the snapshot";
      rows = await readSnapshot(verified, snapshotOptions);
    }
    // A move to another catalog takes the snapshot's records only: records
    // added to the catalog moved from since it was taken would stay there,
    // in no catalog the repository reads, their content for gc to delete.
    if (
      marker?.repository !== undefined && !options.force &&
      catalogText(marker.catalog) !== catalogText(ref)
    ) {
      const from = redactCatalogText(catalogText(marker.catalog));
      const left = await countLeftBehind(
        marker.catalog,
        { repository: marker.repository, store: store.url, kept: rows.ids },
        catalogOptions(options),
      ).catch((error) => {
        // A server that is up but refuses the login (a wrong password, none
        // sent) may still take writes from workers logged in before: what
        // they add would be left behind, and they would never be told of the
        // move. Only a catalog that cannot be read at all (a dead server, a
        // damaged file) is moved off with a warning.
        if (!loginRefused(error)) throw error;
        throw new CatalogUnavailableError(
          `catalog ${from}, which the repository would move from, refused the login, so what ` +
            `it holds that ${snapshot} does not was not counted, nor could the move be noted ` +
            "there for processes that still write to it (a long-running worker): nothing was " +
            `restored; name it on this machine with VC_REPO_CATALOG=${from} and its password ` +
            "(PGPASSWORD or ~/.pgpass; the catalog option names the catalog moved to), or give " +
            "the force option " +
            `to move without (${error.message})`,
          { cause: error },
        );
      });
      if (left !== undefined && left > 0) {
        throw new InvalidInputError(
          `catalog ${catalogText(marker.catalog)}, which the repository would move from, holds ` +
            `${counted(left, "record")} that ${snapshot} does not (added since it was ` +
            `taken): nothing was restored; stop the writers, run ${REPO_BACKUP.library} and restore ` +
            "that snapshot, or give the force option to leave " + (left === 1 ? "it" : "them") +
            " behind",
        );
      }
    }
    // A move hands out no id the catalog moved from handed out (records left
    // behind there, or dropped by a forced restore there): a worker, a log
    // or another system that still holds one must not name another record
    // by it. Read again under the moved note's lock, once the marker names
    // the new catalog (see below), for those added there meanwhile.
    const moving = marker?.repository !== undefined &&
      catalogText(marker.catalog) !== catalogText(ref);
    const idsAfter = moving
      ? await lastIdHandedOut(
        marker!.catalog,
        { repository: marker!.repository!, store: store.url },
        catalogOptions(options),
      )
      : undefined;
    // A forced restore rebuilds a SQLite catalog that is no longer a
    // database (what its error message tells the user to run): the damaged
    // file is set aside and the restore runs once more into a new one.
    // Tells the catalog this restore wrote from the one it moved from,
    // whatever names the two go by.
    const restoreId = crypto.randomUUID();
    // A SQLite catalog this restore creates is removed again when the
    // restore is refused (a snapshot of another repository, a catalog
    // another repository's store owns): no empty catalog is left behind.
    // Only one this restore made itself: a look for the file before it is
    // opened took one another restore made (and filled) meanwhile for its
    // own, and deleted it.
    let madeFile = false;
    const restoreInto = async (
      into: CatalogRef = ref,
    ): Promise<{ counts: RestoreCounts; repository: string }> => {
      const catalog = await untilAborted(
        createCatalog(into, intoOptions, () => {
          if (into === ref) madeFile = true;
        }),
        signal,
        (late) => late.close(),
      );
      try {
        // Even --force never replaces the records of another repository.
        const meta = await catalog.transaction("write", async (tx) => {
          // A new catalog has none yet; one a newer vc wrote is refused,
          // even with --force: its records would go in without its columns.
          await createSchema(tx, catalog.dialect, `catalog ${catalogText(ref)}`);
          return await readMeta(tx, catalog.dialect);
        });
        checkSameRepository(meta?.get("repository"), marker, uri, ref);
        refuseAdoptedCatalog(meta, marker, store.url, ref, uri);
        await refuseCopiedStore(meta, marker, uri, store.url, options, ref);
        const known = marker?.repository ?? meta?.get("repository");
        const repository = known ?? crypto.randomUUID();
        signal?.throwIfAborted(); // the last moment nothing was replaced
        const counts = await restoreCatalog(catalog, rows, {
          ...(options.force ? { force: true } : {}),
          // A repository (its marker, and its catalog's id) takes only its own
          // snapshots. Without a marker, no repository is here yet: a catalog that got past
          // refuseAdoptedCatalog has no id or is this store's own, unfinished
          // (an init or a restore killed before its marker, whose id is a new
          // one), and the restore run again must finish, not refuse the
          // snapshot it was restoring as another repository's.
          ...(marker !== undefined && known !== undefined
            ? { repositoryId: known, repository: uri }
            : {}),
          source: snapshot,
          // A record the replaced catalog purged since the snapshot stays
          // purged when its content is gone from this store.
          store,
          contentPrefix: marker?.contentPrefix ?? "content/",
          ...(idsAfter === undefined ? {} : { idsAfter }),
          // gc keeps the content the restore drops from the commit on, not
          // only once the store is listed after it (see contentAfterRestore).
          inTransaction: (tx) => markAllRestoredUnknown(tx, Date.now()),
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
          ...signalOption(signal),
        });
        // PostgreSQL plans with the statistics of the tables as they were
        // (none, for a new catalog) until autovacuum gets to them: `vc repo
        // check` right after restoring 100,000 records took 70-124 s, 9 s
        // once analysed. SQLite's queries are written for no statistics.
        if (catalog.dialect.name === "postgres") {
          await catalog.transaction(
            "write",
            (tx) => tx.query("ANALYZE records, record_tags, path_tags"),
            signalOption(signal),
          );
        }
        await catalog.transaction("write", async (tx) => {
          await setMeta(tx, "repository", repository);
          await setMeta(tx, "store", store.url);
          // A catalog the repository once moved from, restored into again,
          // is its catalog once more.
          await tx.query("DELETE FROM vc_meta WHERE key = $1", [MOVED_TO_KEY]);
          await setMeta(tx, RESTORE_ID_KEY, restoreId);
          if (ref.kind === "sqlite") await setMeta(tx, "host", host);
        });
        return { counts, repository };
      } finally {
        await catalog.close();
      }
    };
    const { counts, repository } = await restoreInto().catch(async (error) => {
      // A file that is no database where the marker names no catalog (a
      // move, a new store: a mistyped --catalog naming a file of the user's,
      // or the snapshot itself) was never this repository's catalog: not one
      // to set aside and rebuild, as the damaged catalog's error says.
      if (
        error instanceof CatalogDamagedError && ref.kind === "sqlite" &&
        (marker === undefined || catalogText(marker.catalog) !== catalogText(ref))
      ) {
        throw notToRebuild(ref.path, error);
      }
      if (!(options.force && ref.kind === "sqlite" && error instanceof CatalogDamagedError)) {
        if (madeFile && ref.kind === "sqlite") await removeCatalogFiles(ref.path);
        throw error;
      }
      // The new catalog is built beside the damaged one and takes its place
      // only once complete: a restore that fails or is killed midway leaves
      // the damaged catalog where it was, so the repository says it is
      // damaged as before, instead of opening on an empty catalog (whose gc
      // would take all content for unreferenced).
      // One rebuild at a time: two forced restores at once (two operators,
      // a retried job) shared the one `.rebuilding` file, each removing the
      // other's, and one could move the other's half-built catalog, empty,
      // into the damaged one's place and report success.
      // At the file a symbolic link leads to (a catalog moved to another
      // disk, linked from its old path): the rebuild renamed its build over
      // the link, which became a file on the link's disk while the damaged
      // catalog stayed where processes naming its real path found it; and
      // the lock, keyed by the spelling, let a restore naming the link and
      // one naming the file rebuild the one catalog at once.
      const at = await realish(ref.path);
      const built = `${at}.rebuilding`;
      const lock = `${at}.rebuild-lock`;
      return await withFileLock(lock, async () => {
        // Rebuilt by another restore while this one waited: restored into
        // as any forced restore is, not set aside as damaged.
        const healthy = await restoreInto().catch((error) => {
          if (error instanceof CatalogDamagedError) return undefined;
          throw error;
        });
        if (healthy !== undefined) return healthy;
        await removeCatalogFiles(built); // one a killed restore left is replaced
        try {
          const done = await restoreInto({ ...ref, path: built });
          await replaceDamaged(at, built);
          return done;
        } catch (again) {
          await removeCatalogFiles(built);
          throw again;
        }
      }, {
        ...signalOption(signal),
        onWait: () =>
          (options.onConnectWait ?? sayOnStderr)(
            `waiting for another restore that is rebuilding the SQLite catalog ${ref.path} ` +
              `(it holds ${lock})`,
          ),
      });
    });
    state.restored = "marker";
    let leftBehind: number | undefined;
    let leftBehindUnchecked: string | undefined;
    let movedFrom: string | undefined;
    if (
      marker === undefined || catalogText(marker.catalog) !== catalogText(ref) ||
      marker.repository !== repository
    ) {
      await writeMarker(store, {
        format: "vc-repo",
        version: 1,
        catalog: ref,
        contentPrefix: marker?.contentPrefix ?? "content/",
        createdAt: marker?.createdAt ??
          new Date((options.clock ?? systemClock).now()).toISOString(),
        repository,
      }, { replace: true, ...signalOption(signal) }).catch((error) => {
        // The catalog holds the records now, so the same restore run again
        // is refused without --force: the bare failed PUT says neither.
        if (error instanceof VcError) {
          error.message +=
            `; the catalog ${
              catalogText(ref)
            } was restored, but the store's marker, which names it, was not written: run the ` +
            "same restore again with the force option";
        }
        throw error;
      });
      if (marker !== undefined && catalogText(marker.catalog) !== catalogText(ref)) {
        // A process that opened the repository before still holds the
        // catalog moved from: its transactions now fail there (see
        // catalog_moved.ts) instead of writing where no command reads. What
        // was added there since the snapshot stays there: counted, as a
        // forced restore counts what it drops.
        const moved = await markCatalogMoved(
          marker.catalog,
          ref,
          { repository, store: store.url, restoreId, kept: rows.ids },
          // The catalog moved from, at its own URL: not the one given for this restore.
          catalogOptions(options),
        );
        // One that could not be read (a server down, no password sent to
        // it, a damaged file) leaves what it holds uncounted: said, as the
        // move goes on (refusing would keep a repository on a dead server).
        movedFrom = redactCatalogText(catalogText(marker.catalog));
        if (moved !== undefined && "unchecked" in moved) leftBehindUnchecked = moved.unchecked;
        else leftBehind = moved?.leftBehind;
        // Ids handed out there while the restore ran (its writers go on
        // until the note): past those too.
        if (moved !== undefined && "lastId" in moved && moved.lastId > (idsAfter ?? 0)) {
          // The restore is done and the marker names its catalog: a catalog
          // that fails this now fails its next command, said then.
          await raiseIds(ref, intoOptions, moved.lastId).catch(() => {});
        }
      }
    }
    state.restored = "content";
    return {
      ...counts,
      ...(leftBehind === undefined ? {} : { leftBehind }),
      ...(leftBehindUnchecked === undefined ? {} : { leftBehindUnchecked }),
      ...(movedFrom === undefined ? {} : { movedFrom }),
      ...await contentAfterRestore(ref, store, marker, intoOptions),
    };
  } finally {
    await store.close();
  }
}

/**
 * The error for a file at a SQLite catalog's `path` that is no database
 * (`damaged` says why), which `init` and a restore into it (not the
 * repository's own catalog) leave as it was: `what` says what to do.
 */
function notACatalog(
  path: string,
  damaged: CatalogDamagedError,
  what: string,
): CatalogUnavailableError {
  // SQLite's words, or (with no cause) an emptied file's.
  const why = damaged.cause instanceof Error ? damaged.cause.message : "an empty file";
  return new CatalogUnavailableError(
    `SQLite file ${path} is not a vc catalog (${why}); ${what} (this one was left as it was)`,
    { cause: damaged },
  );
}

/**
 * The error for a file that is no database named as the catalog to restore
 * into where the marker names another one (a move, a new store): a
 * mistyped catalog option naming a file of the user's, or the snapshot
 * itself, was never this repository's catalog, so not one to set aside and
 * rebuild as a damaged catalog is.
 */
function notToRebuild(path: string, damaged: CatalogDamagedError): CatalogUnavailableError {
  return notACatalog(
    path,
    damaged,
    "it is not the catalog the repository's marker names either, so not one to rebuild: " +
      "nothing was restored; give the catalog option the path of a new file",
  );
}

/**
 * What a restore refuses of the catalog it was given, found before the
 * snapshot is read (all of it: minutes for a large one): another
 * repository's catalog (SQLite or PostgreSQL), and of a SQLite file that
 * exists, another program's database, a file
 * that is no database and not the one the marker names (and that one,
 * damaged, without the force option). The file is opened as it is: nothing
 * is created, switched or upgraded. A catalog missing, or one this look
 * cannot open (busy, say), is left to the restore, which checks it all again.
 */
async function refuseCatalogBeforeSnapshot(
  ref: CatalogRef,
  marker: RepoMarker | undefined,
  storeUrl: string,
  uri: string,
  options: RestoreOptions,
): Promise<void> {
  let meta: Map<string, string> | undefined;
  if (ref.kind === "sqlite") {
    const read = await sqliteMetaBeforeSnapshot(ref, marker, options);
    if (read === undefined) return;
    meta = read.meta;
  } else {
    // PostgreSQL: its meta read as it is (nothing created; a server that
    // refuses now is not waited for twice); a database with no vc tables
    // yet, or one this look cannot read, is left to the restore.
    meta = await catalogMeta(ref, { ...catalogOptions(options), connectRetryMs: 0 });
    if (meta === undefined) return;
  }
  checkSameRepository(meta?.get("repository"), marker, uri, ref);
  refuseAdoptedCatalog(meta, marker, storeUrl, ref, uri);
  await refuseCopiedStore(meta, marker, uri, storeUrl, options, ref);
}

// The SQLite half of refuseCatalogBeforeSnapshot: the meta of the file
// (undefined when the file is none or is left to the restore to look at);
// what it refuses before the meta is read is thrown.
async function sqliteMetaBeforeSnapshot(
  ref: CatalogRef & { kind: "sqlite" },
  marker: RepoMarker | undefined,
  options: RestoreOptions,
): Promise<{ meta: Map<string, string> | undefined } | undefined> {
  const there = await Deno.stat(ref.path).then((info) => info.isFile, () => false);
  if (!there) return;
  let meta: Map<string, string> | undefined;
  try {
    const catalog = await openCatalog(ref, { ...catalogOptions(options), refuseForeign: true });
    try {
      meta = await catalog.transaction("read", (tx) => readMeta(tx, catalog.dialect));
    } finally {
      await catalog.close();
    }
  } catch (error) {
    if (!(error instanceof CatalogDamagedError)) {
      // Said as the restore would say it (another program's database, a
      // directory in its place); anything else is the restore's to find.
      if (error instanceof CatalogUnavailableError) throw error;
      return;
    }
    if (marker === undefined || catalogText(marker.catalog) !== catalogText(ref)) {
      throw notToRebuild(ref.path, error);
    }
    if (!options.force) throw error;
    return; // the repository's own, damaged: the forced restore rebuilds it
  }
  return { meta };
}

/**
 * Refuses a restore into a store that is not there at all (a bucket that
 * does not exist: a typo in its name), before any catalog is made: the
 * marker's write, the restore's last step, would fail, leaving a catalog that
 * names that store, which even `--force` does not take for the right one. A
 * directory never made is a new store (the marker's write makes it), and
 * lists as empty.
 */
async function refuseMissingStore(
  store: ObjectStore,
  error: unknown,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!(error instanceof RepoNotFoundError && error.cause instanceof StoreNotFoundError)) return;
  try {
    for await (const _ of store.list(CONTENT_PREFIX, { etags: false, ...signalOption(signal) })) {
      break;
    }
  } catch (listed) {
    // Another failure (no s3:ListBucket) is left to the restore's own steps.
    if (!(listed instanceof StoreNotFoundError)) return;
    throw new RepoNotFoundError(`${error.message}; nothing was restored`, { cause: listed });
  }
}

/**
 * The restored catalog against the store's content (see
 * `restore_reconcile.ts`), once the restore is done: a store that cannot be
 * listed, or a stop meanwhile, leaves the restore as it is and says why the
 * counts are missing, rather than failing a restore that was made.
 */
async function contentAfterRestore(
  ref: CatalogRef,
  store: ObjectStore,
  marker: RepoMarker | undefined,
  options: RestoreOptions,
): Promise<Partial<ContentReconciliation>> {
  let catalog: Catalog | undefined;
  let found: Partial<ContentReconciliation>;
  // The store's time of the newest unreferenced object: gc keeps what is
  // unreferenced and no newer.
  let until: number | undefined;
  try {
    catalog = await createCatalog(ref, options);
    found = await reconcileContent(catalog, store, marker?.contentPrefix ?? CONTENT_PREFIX, {
      ...signalOption(options.signal),
      onListed: (done) => options.onProgress?.({ current: "listing the store's content", done }),
      onUnreferenced: (time) => until = Math.max(until ?? time, time),
    });
  } catch (error) {
    found = { contentUnchecked: error instanceof Error ? error.message : String(error) };
  }
  try {
    // gc keeps what the restored catalog does not know until released: the
    // content added since the snapshot is the only copy of what it dropped.
    if (catalog !== undefined) await markRestoredUnknown(catalog, found, until, Date.now());
  } catch (error) {
    found.contentUnchecked ??= `the catalog could not mark it for gc to keep: ${
      error instanceof Error ? error.message : String(error)
    }`;
  } finally {
    await catalog?.close();
  }
  return found;
}

/** Makes the catalog `ref` hand out only ids after `lastId`. */
async function raiseIds(ref: CatalogRef, options: RestoreOptions, lastId: number): Promise<void> {
  const catalog = await createCatalog(ref, options);
  try {
    await catalog.transaction("write", async (tx) => {
      for (const statement of catalog.dialect.raiseIdSequence) await tx.query(statement, [lastId]);
    });
  } finally {
    await catalog.close();
  }
}

/**
 * Opens (creating) the catalog `ref` names for init and restore: a PostgreSQL
 * catalog given as `--catalog postgres://...` is also its connection URL.
 */
function createCatalog(
  ref: CatalogRef,
  options: InitOptions,
  onCreated?: () => void,
): ReturnType<typeof openCatalog> {
  const postgresUrl = options.postgresUrl ??
    (ref.kind === "postgres" ? options.catalog : undefined);
  return openCatalog(ref, {
    ...catalogOptions(options),
    ...(postgresUrl ? { postgresUrl } : {}),
    ...(onCreated ? { onCreated } : {}),
    create: true,
  });
}

/** `options` less its `postgresUrl`. */
function withoutPostgresUrl(options: RestoreOptions): RestoreOptions {
  const { postgresUrl: _, ...rest } = options;
  return rest;
}

/** What opening the catalog takes of the repository's options. */
function catalogOptions(
  options: Pick<RepositoryOptions, "postgresUrl" | "env" | "onConnectWait" | "connectRetryMs">,
): OpenCatalogOptions {
  const env = envOption("Repository", options.env);
  return {
    ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}),
    ...(env ? { env } : {}),
    ...(options.onConnectWait ? { onConnectWait: options.onConnectWait } : {}),
    ...(options.connectRetryMs !== undefined ? { connectRetryMs: options.connectRetryMs } : {}),
  };
}

/**
 * A PostgreSQL URL given at run time may add the password the marker never
 * records, and this machine's way to connect (its sslmode, its CA file's
 * path, its timeouts: see `catalogDifference`), but must name the
 * marker's catalog: anything else would silently use a second catalog. The catalog as `init` was given it passes too: a
 * `postgresql://` URL for a `postgres://` one (libpq's two spellings of one
 * scheme), and a SQLite catalog's own `sqlite:PATH` (a script that gives
 * every command the same `--catalog`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRuntimeUrl } from "./setup.ts";
 * checkRuntimeUrl({ kind: "postgres", url: "postgres://vc@db/vc" }, "postgres://vc:pw@db/vc");
 * checkRuntimeUrl({ kind: "postgres", url: "postgres://vc@db/vc" }, "postgresql://vc@db/vc");
 * checkRuntimeUrl({ kind: "postgres", url: "postgres://vc@db/vc" }, "postgres://vc@db/vc?sslmode=require");
 * checkRuntimeUrl({ kind: "sqlite", path: "/srv/c.sqlite", host: "h" }, "sqlite:/srv/c.sqlite");
 * assert.throws(() => checkRuntimeUrl({ kind: "postgres", url: "postgres://vc@db/vc" }, "postgres://vc@other/vc"), /not the repository's catalog/);
 * assert.throws(() => checkRuntimeUrl({ kind: "sqlite", path: "/srv/c.sqlite", host: "h" }, "sqlite:/srv/d.sqlite"), /not the repository's catalog/);
 * ```
 */
export function checkRuntimeUrl(
  ref: CatalogRef,
  url: string,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): void {
  const given = redactCatalogText(url);
  const named = url.startsWith("sqlite:") ? parseCatalogRef(url, "", Deno.cwd()) : undefined;
  // What differs ("": the kind or the path); undefined for the same catalog.
  let difference: string | undefined = "";
  if (ref.kind === "sqlite") {
    if (named?.kind === "sqlite" && sameFile(named.path, ref.path)) difference = undefined;
  } else if (/^postgres(ql)?:\/\//i.test(url)) {
    // Read as libpq reads each (with this machine's environment), so that
    // two spellings of one catalog match (a default port written out).
    difference = catalogDifference(url, ref.url, env);
  }
  if (difference !== undefined) {
    throw new InvalidInputError(
      `catalog ${given} is not the repository's catalog ${catalogText(ref)}` +
        `${difference === "" ? "" : ` (its ${difference})`}, which the store's marker ` +
        `(${MARKER_KEY}) names; give the same URL (in --catalog, VC_REPO_CATALOG or the ` +
        "postgresUrl option; it may add the password and this machine's connection " +
        "parameters: sslmode, sslrootcert, connect_timeout, …), or none. If the repository " +
        "did not move there, someone who may write to the store changed its marker: vc " +
        "connected to neither",
    );
  }
}

/**
 * Whether two SQLite catalog paths name one file: as written, with `.`, `..`
 * and doubled slashes resolved (`init --catalog sqlite:./c.sqlite` records
 * `/dir/./c.sqlite`, and `--catalog sqlite:c.sqlite` was refused as another
 * catalog), or where their symbolic links lead, as far as they exist (a
 * restore rebuilding a lost catalog through a linked directory).
 */
function sameFile(a: string, b: string): boolean {
  return a === b || resolve(a) === resolve(b) || realishSync(a) === realishSync(b);
}

/**
 * The store at `uri` (through `options.openStore` when given), given up when
 * `options.signal` aborts first (a store that opens late is closed).
 */
function openStoreOf(
  uri: string,
  options: { openStore?: (uri: string) => Promise<ObjectStore>; signal?: AbortSignal },
): Promise<ObjectStore> {
  options.signal?.throwIfAborted();
  return untilAborted(
    (options.openStore ?? openStore)(uri),
    options.signal,
    (late) => late.close(),
  );
}
