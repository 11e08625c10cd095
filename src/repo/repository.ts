/**
 * The repository: files with states, tags and claims. Content lives in any
 * {@linkcode ObjectStore} under `content/`; the catalog (records, tags,
 * claims) lives in SQLite or PostgreSQL.
 *
 * Crash safety of `add`: the content is uploaded first, to a fresh key, and
 * the record is inserted after; a crash in between leaves an object that no
 * record references, which GC deletes once it is older than the grace period.
 * `purge` marks the record purged before deleting the content, so a crash
 * there leaves an orphan too, never a live record without content.
 *
 * @module
 */
import { purgeRecord, REPO_CHECK, REPO_GC, REPO_LS } from "../command_words.ts";
import { callCallback, withCallbackGuard } from "../callback.ts";
import { newNameProblem } from "../file_names.ts";
import { basename, extname } from "node:path";
import { untilAborted } from "../abort_hub.ts";
import { fromFileUrl, sep } from "../path.ts";
import { realish } from "../real_path.ts";
import { makeScratchDir, scratchSpaceError } from "../scratch_dir.ts";
import type { AssetCache } from "../cache/asset_cache.ts";
import { cacheStoreSource } from "../cache/store_source.ts";
import { type Clock, systemClock } from "../clock.ts";
import { contentTypeFor } from "../content_type.ts";
import {
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  PreconditionFailedError,
  VcError,
} from "../errors.ts";
import {
  checkClockOption,
  checkFunction,
  checkOptions,
  checkRequiredOptions,
  describeValue,
  type OptionNames,
  optionsRefusal,
} from "../options_check.ts";
import { regularFile } from "../regular_file.ts";
import { digestFor, hashFileWith, md5File, md5Hex } from "../hash.ts";
import { checkReport, MISSING, NOT_OURS, uploadProblem } from "../upload_check.ts";
import { openStore } from "../store/open.ts";
import type { ObjectStore } from "../store/types.ts";
import { checkedOpener } from "../store/store_check.ts";
import {
  escapedUnicode,
  spellingDifference,
  spellingKey,
  unicodeLookalike,
} from "../unicode_spelling.ts";
import { joinUri } from "../uri.ts";
import {
  assertUnchanged,
  sizeMismatchError,
  snapshotSource,
  SourceChangedError,
} from "../versioned/source_file.ts";
import type { Catalog, Tx } from "./catalog.ts";
import { refusingMovedCatalog } from "./catalog_moved.ts";
import { CatalogBusyError, CatalogReadOnlyError, CatalogUnavailableError } from "./catalog.ts";
import { type CatalogClock, catalogClock, wholeMsClock } from "./catalog_clock.ts";
import { dateTags, parseDateTagKind } from "./date_tags.ts";
import { BACKUP_PREFIX, catalogText, type RepoMarker } from "./marker.ts";
import {
  type AddOptions,
  attachTags,
  checkLimit,
  checkNewLogicalPath,
  checkNewTag,
  checkTag,
  checkTags,
  checkTagTarget,
  ContentCollectedError,
  CURRENT_SQL,
  type FindQuery,
  findSelection,
  type ListOptions,
  normalizeLogicalPath,
  parseRecordId,
  RECORD_COLUMNS,
  RECORD_COLUMNS_BARE,
  type RecordState,
  RecordStateError,
  type RepoRecord,
  rowToRecord,
  type TagTarget,
  type TransitionOptions,
  UnknownRecordError,
  Where,
} from "./records.ts";
import {
  type InitOptions,
  initParts,
  openParts,
  type RepoParts,
  type RepositoryOptions,
  type RestoreOptions,
  restoreRepository,
} from "./setup.ts";
import {
  type RestoreCounts,
  snapshotCatalog,
  type SnapshotCounts,
  type SnapshotProgressCallback,
} from "./backup.ts";
import { check, type CheckOptions, type CheckReport, headDifference, UNSTATED } from "./check.ts";
import { recordPages } from "./record_pages.ts";
import { adoptableKey, adoptedContent, type AdoptOptions } from "./adopt.ts";
import {
  catalogKeysInContent,
  contentGcMark,
  DEFAULT_GRACE_MS,
  deleteIfUnreferenced,
  gc,
  GC_MARK_SLACK_MS,
  type GcOptions,
  type GcReport,
  period,
  restoredMarkIn,
} from "./gc.ts";
import { envOption } from "../env_option.ts";
import {
  confirmBackupStored,
  objectLocation,
  refuseTakenDest,
  writeObjectUri,
} from "./object_uri.ts";
import { knownSchemaVersion, readVersion, SCHEMA_VERSION } from "./schema.ts";
import {
  type Claim,
  type ClaimContext,
  claimNext,
  type ClaimOptions,
  releaseClaim,
  type ReleaseOptions,
  renewClaim,
} from "./claims.ts";

export type { Claim, ClaimOptions, ReleaseOptions } from "./claims.ts";

export type { InitOptions, RepositoryOptions, RestoreOptions } from "./setup.ts";

export type {
  AddOptions,
  FindQuery,
  ListOptions,
  TagTarget,
  TransitionOptions,
} from "./records.ts";

export type { AdoptOptions } from "./adopt.ts";

export { type CatalogClock, catalogClock } from "./catalog_clock.ts";

// The option names of each call (a misspelt one is refused, not ignored).
const REPOSITORY_OPTIONS: OptionNames<RepositoryOptions> = {
  clock: true,
  host: true,
  openStore: true,
  postgresUrl: true,
  env: true,
  onConnectWait: true,
  connectRetryMs: true,
  cache: true,
  signal: true,
};
const INIT_OPTIONS: OptionNames<InitOptions> = { ...REPOSITORY_OPTIONS, catalog: true };
const RESTORE_OPTIONS: OptionNames<RestoreOptions> = {
  ...INIT_OPTIONS,
  force: true,
  onProgress: true,
};
const ADD_OPTIONS: OptionNames<AddOptions> = {
  tags: true,
  dateTag: true,
  onProgress: true,
  onHashProgress: true,
  onCheckProgress: true,
  signal: true,
};
const ADOPT_OPTIONS: OptionNames<AdoptOptions> = {
  tags: true,
  hash: true,
  graceMs: true,
  onHashProgress: true,
  signal: true,
};
const TRANSITION_OPTIONS: OptionNames<TransitionOptions> = { onBefore: true };
const LIST_OPTIONS: OptionNames<ListOptions> = { state: true, path: true, tag: true, limit: true };
const FIND_QUERY: OptionNames<FindQuery> = {
  any: true,
  all: true,
  exclude: true,
  published: true,
  limit: true,
};
const CLAIM_OPTIONS: OptionNames<ClaimOptions> = {
  tag: true,
  path: true,
  ttlMs: true,
  holder: true,
};
const RELEASE_OPTIONS: OptionNames<ReleaseOptions> = { untag: true, tag: true, onBefore: true };
const GC_OPTIONS: OptionNames<GcOptions> = {
  dryRun: true,
  graceMs: true,
  retentionMs: true,
  releaseRestored: true,
  onPhase: true,
  onProgress: true,
  signal: true,
};
// download() and check() take these two.
const PROGRESS_OPTIONS = { onProgress: true, signal: true } as const;
const DOWNLOAD_OPTIONS = { ...PROGRESS_OPTIONS, onCheckProgress: true } as const;
const CHECK_OPTIONS = {
  ...PROGRESS_OPTIONS,
  onListed: true,
  graceMs: true,
  concurrency: true,
} as const;
/** What an add's error says of content it uploaded, did not record and deleted. */
const UPLOAD_DELETED = "the upload was deleted";

/**
 * A repository: see the module documentation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Repository } from "./repository.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using repo = await Repository.init(`file://${dir}`);
 *   const r = await repo.add("/data/a.csv", new TextEncoder().encode("a,b\n"), { tags: ["raw"] });
 *   await repo.publish(r.id);
 *   assert.equal((await repo.current("/data/a.csv"))?.id, r.id);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class Repository implements AsyncDisposable {
  /** The content store. */
  readonly store: ObjectStore;
  /** The catalog. */
  readonly catalog: Catalog;
  /** The marker read from (or written to) the store. */
  readonly marker: RepoMarker;
  /** The store's URI. */
  readonly uri: string;
  /** The clock in use. */
  readonly clock: Clock;
  /** This machine's name. */
  readonly host: string;
  #cache: AssetCache | undefined;
  readonly #ownsCache: boolean;
  readonly #openStore: (uri: string) => Promise<ObjectStore>;
  // A PostgreSQL catalog's time, measured again after this machine's clock
  // is set (see `#onCatalogTime`); undefined with a given clock or SQLite.
  readonly #catalogClock: CatalogClock | undefined;
  // The refusal of an older catalog's upgrade when it was opened, until
  // someone who may upgrade it has (see `#needUpgradedSchema`).
  #upgradeRefused: CatalogReadOnlyError | undefined;
  // Whether an add found the catalog writable by this user (#refuseReadOnly).
  #mayWrite = false;
  #closed = false;

  private constructor(parts: RepoParts, options: RepositoryOptions, catalogClock?: CatalogClock) {
    this.uri = parts.uri;
    this.store = parts.store;
    // A restore that moves the repository to another catalog while this
    // process has it open fails this one's transactions, never lets them
    // write where the repository no longer reads.
    this.catalog = refusingMovedCatalog(parts.catalog);
    this.marker = parts.marker;
    // Times are whole ms in either catalog (see wholeMsClock).
    this.clock = catalogClock ??
      (options.clock === undefined ? systemClock : wholeMsClock(options.clock));
    this.#catalogClock = catalogClock;
    this.host = parts.host;
    this.#upgradeRefused = parts.upgradeRefused;
    this.#cache = options.cache;
    this.#ownsCache = options.cache === undefined;
    this.#openStore = options.openStore ?? openStore;
  }

  /**
   * Creates a repository in the store at `uri`: creates the catalog's schema
   * and writes the marker (create-once). A directory store gets a SQLite
   * catalog beside its content unless `catalog` says otherwise; an `s3://`
   * store needs an explicit `catalog`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   assert.equal(repo.marker.format, "vc-repo");
   *   assert.equal(repo.marker.catalog.kind, "sqlite");
   *   await assert.rejects(Repository.init(`file://${dir}`), /already a vc repository/);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  static async init(uri: string, options: InitOptions = {}): Promise<Repository> {
    checkOptions("Repository.init()", options, INIT_OPTIONS);
    const checked = withCheckedOpener("Repository.init()", options);
    return await Repository.#make(await initParts(uri, checked), checked);
  }

  /**
   * Opens the repository at `uri` through its marker. Fails clearly when the
   * store is not a repository, when a SQLite catalog belongs to another host,
   * and when the catalog cannot be reached.
   *
   * `options.signal` aborts the opening (the marker's read, the catalog's
   * checks, a PostgreSQL catalog's clock): it then rejects at once with the
   * signal's reason, and what it had opened is closed. The repository does
   * not keep the signal; its methods take their own.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const init = await Repository.init(`file://${dir}/repo`);
   *   await init.add("/a.txt", new TextEncoder().encode("a"));
   *   await init.close();
   *   await using repo = await Repository.open(`file://${dir}/repo`);
   *   assert.deepEqual((await repo.list()).map((r) => r.path), ["/a.txt"]);
   *   await assert.rejects(Repository.open(`file://${dir}/other`), /is not a vc repository/);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  static async open(uri: string, options: RepositoryOptions = {}): Promise<Repository> {
    checkOptions("Repository.open()", options, REPOSITORY_OPTIONS);
    const checked = withCheckedOpener("Repository.open()", options);
    return await Repository.#make(await openParts(uri, checked), checked);
  }

  // Claims compare and set times in the catalog: with PostgreSQL, shared by
  // many machines, those times are the database server's (this machine's
  // clock plus its measured offset), so a machine whose clock runs ahead
  // cannot take claims that are still live; measured again after this
  // machine's clock is set (`#onCatalogTime`). (A SQLite catalog has one host.)
  static async #make(parts: RepoParts, options: RepositoryOptions): Promise<Repository> {
    if (options.clock !== undefined || parts.catalog.dialect.name !== "postgres") {
      return new Repository(parts, options);
    }
    let measured = false;
    const measuring = catalogClock(parts.catalog).finally(() => measured = true);
    try {
      const clock = await untilAborted(measuring, options.signal);
      return new Repository(parts, options, clock);
    } catch (error) {
      // Aborted mid-query: the catalog is closed once its query is over.
      if (measured) await parts.catalog.close();
      else measuring.catch(() => {}).finally(() => parts.catalog.close()).catch(() => {});
      await parts.store.close();
      throw error;
    }
  }

  /**
   * Rebuilds the catalog of the repository at `uri` from `snapshot` (an object
   * URI). With `catalog`, restores into that catalog (SQLite or PostgreSQL)
   * and points the repository's marker at it: this is how a repository moves
   * between catalog kinds. Refuses a catalog holding records (or path tags) unless `force`;
   * returns what the snapshot held, and how many records of the catalog it
   * replaced and, of those, dropped (added after the snapshot was taken) or
   * kept purged (purged since, their content gone), then, as the store was
   * listed once it was done, how much content no restored record references
   * (gc deletes it after its grace period) and how many restored records name
   * content the store does not hold.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const repo = await Repository.init(`file://${dir}`);
   *   await repo.add("/a.txt", new TextEncoder().encode("a"));
   *   const { uri: snapshot } = await repo.backup();
   *   await repo.add("/b.txt", new TextEncoder().encode("b"));
   *   await repo.close();
   *   const counts = await Repository.restore(`file://${dir}`, snapshot, { force: true });
   *   assert.equal(counts.records, 1);
   *   // It replaced the 2 records the catalog held, and dropped /b.txt.
   *   assert.deepEqual([counts.replaced, counts.dropped], [2, 1]);
   *   // /b.txt's content is left to gc.
   *   assert.equal(counts.unreferencedContent, 1);
   *   await using restored = await Repository.open(`file://${dir}`);
   *   assert.deepEqual((await restored.list()).map((r) => r.path), ["/a.txt"]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  static restore(
    uri: string,
    snapshot: string,
    options: RestoreOptions = {},
  ): Promise<RestoreCounts> {
    // A refused opener rejects, as every refusal of this call does (never a throw).
    try {
      return optionsRefusal("Repository.restore()", options, RESTORE_OPTIONS) ??
        restoreRepository(uri, snapshot, withCheckedOpener("Repository.restore()", options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Uploads `source` (a local file path or bytes) as a new, unpublished
   * version of `logicalPath`, with `Content-MD5`, checks the stored ETag,
   * then records it. Any other `source` (a `ReadableStream`, a `Blob`) is an
   * `InvalidInputError` naming the path, before anything is uploaded.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}/repo`);
   *   await Deno.writeTextFile(`${dir}/a.csv`, "a,b\n");
   *   const r = await repo.add("/data/a.csv", `${dir}/a.csv`, { tags: ["raw"] });
   *   assert.equal(r.state, "unpublished");
   *   assert.equal(r.size, 4);
   *   assert.deepEqual(r.tags, ["raw"]);
   *   assert.equal(await repo.current("/data/a.csv"), undefined);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async add(
    logicalPath: string,
    source: string | Uint8Array,
    options: AddOptions = {},
  ): Promise<RepoRecord> {
    checkOptions("Repository.add()", options, ADD_OPTIONS);
    // An onProgress that throws (or whose promise rejects) aborts the upload
    // (nothing recorded, no content left) and is what add rejects with, a
    // CallbackError: thrown into the upload, it came out as if the store's.
    return await withCallbackGuard(
      options,
      ["onProgress"],
      (guarded) => this.#add(logicalPath, source, guarded),
    );
  }

  async #add(
    logicalPath: string,
    source: string | Uint8Array,
    options: AddOptions,
  ): Promise<RepoRecord> {
    const path = checkNewLogicalPath(logicalPath);
    // Checked before anything reads it: a stream or a Blob would otherwise
    // fail deep in the hashing with a message that names neither the call
    // nor the path (the upload sends its Content-MD5, so the content is
    // read whole before it: a file or bytes, never a stream).
    if (typeof source !== "string" && !(source instanceof Uint8Array)) {
      throw new InvalidInputError(
        `Repository.add(): the content of ${path} must be a local file path (a string) or ` +
          `bytes (a Uint8Array), got ${describeValue(source)}` +
          ((source as unknown) instanceof ReadableStream
            ? "; write the stream to a file and add that"
            : ""),
      );
    }
    // An empty string names no file: "" would be opened as the working
    // directory's nothing and fail as a NotFoundError naming no file.
    if (source === "") {
      throw new InvalidInputError(
        `Repository.add(): the content of ${path} must be a local file path or bytes, got ""`,
      );
    }
    const tags = checkTags(options.tags ?? [], "Repository.add(): tags");
    tags.forEach(checkNewTag);
    // Checked now: the date tags are made once the content is up.
    const dateTag = options.dateTag === undefined ? undefined : parseDateTagKind(options.dateTag);
    // Before any upload too, so a refused path usually leaves nothing
    // behind.
    await this.#refuseNewNameLookalikes(path, tags);
    // Before the upload: its rows need the columns of the current schema.
    await this.#needUpgradedSchema();
    // And a catalog this user may write (see #refuseReadOnly).
    await this.#refuseReadOnly(options.signal);
    // When the upload started: what gc's mark is compared with below.
    await this.#onCatalogTime();
    const started = this.clock.now();
    const size = typeof source === "string"
      ? (await regularFile(source, `file to add as ${path}`)).size
      : source.byteLength;
    // The parts of a multipart upload are read at different times: a file
    // edited meanwhile would be stored under an MD5 that is not its content's.
    const snapshot = typeof source === "string" ? await snapshotSource(source) : undefined;
    let md5: string;
    if (typeof source === "string") {
      const read = await hashFileWith(
        source,
        (n) => digestFor("md5", n),
        checkReport(size, options.onHashProgress),
      );
      md5 = read.hash.digest("hex");
      // More or fewer bytes than its size said: changed meanwhile, or a
      // file whose size is no count of its bytes (/proc): refused before
      // an upload the store would reject as a bare size mismatch.
      if (read.bytes !== size) {
        throw await sizeMismatchError(
          snapshot!,
          read.bytes,
          `${source} changed while it was hashed; nothing was recorded for ${path}: run again`,
        );
      }
    } else {
      md5 = md5Hex(source);
    }
    // Never ending in a dot (`/x/a.` has the extension "."): Windows drops
    // it, and a directory store there refuses such a key.
    const ext = extname(basename(path)).replace(/[^A-Za-z0-9.]/g, "").slice(0, 16)
      .replace(/\.+$/, "");
    // Under a directory named by the name's first two hex digits (256 of
    // them): a directory store's first put into a directory reads it whole
    // (to sweep dead writers' temp files), so one flat directory would make
    // every `vc repo add` slower as the repository grows.
    const name = crypto.randomUUID();
    const contentKey = `${this.marker.contentPrefix}${name.slice(0, 2)}/${name}${ext}`;
    // 0 as the upload starts, as `vc add` reports it (see publishVersion):
    // a store reports its bytes as parts are stored.
    options.onProgress?.(0);
    const put = await this.store.put(
      contentKey,
      typeof source === "string" ? { path: source } : source,
      {
        ifNoneMatch: "*",
        md5,
        size,
        metadata: { "vc-md5": md5 },
        // By the logical path's name, as `vc add` and `vc mirror` upload.
        contentType: contentTypeFor(path),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    if (snapshot !== undefined && snapshot.size !== size) {
      throw new SourceChangedError(
        `${snapshot.path} changed while it was hashed; nothing was recorded for ${path}: run ` +
          `again; ${await this.#discardUpload(contentKey)}`,
      );
    }
    try {
      if (snapshot !== undefined) await assertUnchanged(snapshot, `upload to ${contentKey}`);
    } catch (error) {
      // What went up is not what was hashed; nothing records it yet, so it goes.
      throw new SourceChangedError(
        `${(error as Error).message}; nothing was recorded for ${path}; ${await this
          .#discardUpload(contentKey)}`,
        { cause: error },
      );
    }
    // The file read again after a multipart upload too: a change that moves
    // no stat field (a writer through a shared mmap) passed the check above.
    let problem;
    try {
      problem = await uploadProblem(this.store, {
        key: contentKey,
        etag: put.etag,
        md5,
        size,
        ...(typeof source === "string" ? { file: source } : {}),
        onCheckProgress: options.onCheckProgress,
      });
    } catch (error) {
      // The store (a HEAD past its retries) or the file's second read failed:
      // the content is up, unchecked and unrecorded, so it goes, and the
      // error says so (else it named only the HEAD that failed).
      const left = await this.#discardUpload(contentKey);
      if (error instanceof VcError) error.message += `; nothing was recorded for ${path}; ${left}`;
      throw error;
    }
    if (
      problem === MISSING &&
      await this.catalog.transaction("read", (tx) => gcRanSince(tx, started))
    ) {
      // Not a store that kept nothing: a gc that listed the upload before
      // anything recorded it deleted it (see the same check below).
      throw collectedError(path, contentKey);
    }
    if (problem !== undefined) {
      // A fresh key: a different ETag there is no other writer's, and
      // nothing records this content yet, so it goes.
      throw new IntegrityError(
        `upload of ${
          typeof source === "string" ? source : "the bytes"
        } to ${contentKey} could not be verified: ${
          problem === NOT_OURS ? "the key holds another object than the upload" : problem
        }; nothing was recorded for ${path}; ${await this.#discardUpload(contentKey)}`,
      );
    }
    if (options.signal?.aborted) {
      // Stopped once the content was up: nothing records it, so it goes.
      await this.#discardUpload(contentKey);
      options.signal.throwIfAborted();
    }
    return await this.catalog.transaction("write", async (tx) => {
      // The check that holds: another spelling of this path recorded during
      // the upload (or a twin in ASCII) is seen here, under the path's lock.
      await this.#refuseLookalike(tx, path, true);
      // The same for its tags. Date tags need no check: vc makes them of
      // ASCII letters none of which has a twin (only `K` has one, in `\u212A`).
      await this.#refuseTagLookalikes(tx, tags, true);
      // gc deletes unreferenced content under the exclusive content lock and
      // marks the catalog with the time it did: under the shared lock, a mark
      // older than this add (with slack for clocks) means no gc deleted
      // anything since the upload started; a newer one, that a gc which
      // listed the upload before this record existed may have taken it.
      // Once committed, the record keeps it from every later gc.
      for (const statement of this.catalog.dialect.contentLock.shared) await tx.query(statement);
      if (await gcRanSince(tx, started) && await this.store.head(contentKey) === undefined) {
        throw collectedError(path, contentKey);
      }
      // A record is created when it is recorded, not when its upload began.
      // Adds of one path record one at a time (the path's lock, above), so
      // of two, the one recorded later has the higher id and the later (or
      // the same) time, and its date tags are of that time.
      const now = this.clock.now();
      const dated = dateTag === undefined ? [] : dateTags(dateTag, now);
      const rows = await tx.query(
        `INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at, path_key)
         VALUES ($1, 'unpublished', $2, $3, $4, $5, $6, $7)
         ON CONFLICT (content_key) DO NOTHING RETURNING id`,
        [path, contentKey, size, md5, this.host, now, spellingKey(path)],
      );
      if (rows[0] === undefined) {
        // An `adopt` (told to take content of any age) recorded the upload
        // first: the content is that record's now, so it stays.
        const [held] = await tx.query("SELECT id FROM records WHERE content_key = $1", [
          contentKey,
        ]);
        throw new ContentCollectedError(
          `the content of ${path} (${contentKey}) was adopted by record ${held?.id} while this ` +
            "add was recording it (an adopt with a grace period of 0); nothing was recorded " +
            `for ${path}, and the content stays with record ${held?.id}: run the add again`,
        );
      }
      const id = Number(rows[0].id);
      for (const tag of new Set([...tags, ...dated])) {
        await tx.query(
          "INSERT INTO record_tags (record_id, tag, tag_key) VALUES ($1, $2, $3) " +
            "ON CONFLICT DO NOTHING",
          [id, tag, spellingKey(tag)],
        );
      }
      return await this.#get(tx, id);
    }, { signal: options.signal }).catch(async (error) => {
      // Refused before the insert, or the catalog refused a write (a user who
      // may only read it: a statement's error, never a commit's): nothing
      // records the content, so it goes; so too when the catalog was lost
      // before the commit (down, restarted), or kept busy past every retry
      // (each attempt rolled back: a conflict is never a commit's success) or
      // stopped then.
      // (Any other failure may come after a commit: its content stays, for gc
      // to collect once its grace period is over if nothing records it.)
      if (
        error instanceof InvalidInputError || error instanceof CatalogReadOnlyError ||
        error instanceof CatalogBusyError ||
        // Stopped (Ctrl-C) while the catalog was busy, before an attempt
        // or in one that rolled back.
        (options.signal?.aborted && error === options.signal.reason) ||
        (error instanceof CatalogUnavailableError && error.nothingCommitted)
      ) {
        // The catalog is asked first only when it answered (a refusal):
        // busy, down or read-only, it would be waited for again.
        const left = await this.#discardUpload(contentKey, error instanceof InvalidInputError);
        // An upload the store kept is named, as nothing else will name it.
        if (error instanceof VcError && !left.startsWith(UPLOAD_DELETED)) {
          error.message += `; ${left}`;
        }
      }
      throw error;
    });
  }

  /**
   * Records content already in the store that no record names (an orphan
   * `check` reports, or content gc keeps since a restore) as a new,
   * unpublished version of `logicalPath`, without downloading or uploading
   * it again. Its size and MD5 are the store's: a plain-MD5 ETag or the MD5
   * in its metadata (`vc-md5`, which every add stores); one the store states
   * no MD5 of (a multipart or SSE-KMS ETag, written by another tool) is
   * refused unless `hash` is set, which downloads and hashes it.
   *
   * Refused, with nothing recorded: a key outside the repository's content
   * prefix or not shaped like a content key (the marker, a backup, `..`),
   * the repository's own SQLite catalog, a key a record already names (in
   * any state, purged too: its purge deletes the content), an object gone
   * or replaced meanwhile, and one younger than `graceMs` (gc's 7 days by
   * default: most likely an add in flight, whose own record would then
   * fail; content gc keeps since a restore is taken whatever its age). The record is made under the shared content
   * lock, after looking again that the object is there: a gc deleting
   * unreferenced content (under the exclusive lock) either deleted it first,
   * and the adoption fails (`ContentCollectedError`), or finds it recorded
   * and keeps it. Publish it within gc's grace period: gc purges unpublished
   * records older than that.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const key = `${repo.marker.contentPrefix}0f/0f1e.csv`;
   *   await repo.store.put(key, new TextEncoder().encode("a,b\n"));
   *   // Just written: taken with a grace of 0 (by default, younger than 7 days is refused).
   *   const r = await repo.adopt(key, "/data/a.csv", { tags: ["raw"], graceMs: 0 });
   *   assert.equal(r.contentKey, key);
   *   assert.equal(r.size, 4);
   *   assert.equal(r.state, "unpublished");
   *   await assert.rejects(repo.adopt(key, "/data/b.csv", { graceMs: 0 }), /already names it/);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async adopt(key: string, logicalPath: string, options: AdoptOptions = {}): Promise<RepoRecord> {
    checkOptions("Repository.adopt()", options, ADOPT_OPTIONS);
    return await withCallbackGuard(
      options,
      ["onHashProgress"],
      (guarded) => this.#adopt(key, logicalPath, guarded),
    );
  }

  /**
   * Refuses a new record's path or tags that only look like ones the catalog
   * has (add and adopt alike). A name all in ASCII costs no query here: its
   * twins (`K` and the Kelvin sign) are rare, and the recording refuses them.
   */
  async #refuseNewNameLookalikes(path: string, tags: readonly string[]): Promise<void> {
    if (/[\u0080-\uffff]/.test(path)) {
      await this.catalog.transaction("read", (tx) => this.#refuseLookalike(tx, path));
    }
    if (tags.some((tag) => /[\u0080-\uffff]/.test(tag))) {
      await this.catalog.transaction("read", (tx) => this.#refuseTagLookalikes(tx, tags));
    }
  }

  async #adopt(key: string, logicalPath: string, options: AdoptOptions): Promise<RepoRecord> {
    const path = checkNewLogicalPath(logicalPath);
    const tags = checkTags(options.tags ?? [], "Repository.adopt(): tags");
    tags.forEach(checkNewTag);
    adoptableKey(key, this.marker.contentPrefix, await catalogKeysInContent(this));
    await this.#refuseNewNameLookalikes(path, tags);
    await this.#needUpgradedSchema();
    await this.#refuseReadOnly(options.signal);
    // Before a download to hash it: a key already named is refused at once.
    await this.catalog.transaction("read", (tx) => refuseNamed(tx, key));
    const grace = period(options.graceMs ?? DEFAULT_GRACE_MS, "adopt grace");
    const { info, md5 } = await adoptedContent(this.store, key, options, async (info) => {
      // An add uploads, then records: content younger than gc's grace may be
      // one in flight, whose record of the same key would then fail. What a
      // restore found unreferenced (kept by gc whatever its age) is not.
      const age = this.clock.now() - info.lastModified.getTime();
      if (grace === 0 || age >= grace) return;
      const restored = await this.catalog.transaction("read", restoredMarkIn);
      if (restored !== undefined && info.lastModified.getTime() <= restored) return;
      throw new InvalidInputError(
        `cannot adopt ${key}: it was written at ${info.lastModified.toISOString()}, within the ` +
          `grace period (${hours(grace)}${
            options.graceMs === undefined ? ", gc's" : ""
          }): most likely an add in flight, which has ` +
          "uploaded it and not yet recorded it; adopt it once it is older, or with the graceMs " +
          "option 0 if nothing is adding it",
      );
    });
    options.signal?.throwIfAborted();
    return await this.catalog.transaction("write", async (tx) => {
      await this.#refuseLookalike(tx, path, true);
      await this.#refuseTagLookalikes(tx, tags, true);
      // As an add records its content: under the shared content lock, which
      // gc takes exclusive to look again that content is unreferenced and
      // delete it. The object is looked at again under it, always: it is old
      // (an orphan past gc's grace is just what gc deletes), and a gc that
      // set its mark before the HEAD above may have deleted it since, in a
      // batch minutes later. Found here, it stays until this commits, and
      // the record then keeps it from every gc.
      for (const statement of this.catalog.dialect.contentLock.shared) await tx.query(statement);
      await refuseNamed(tx, key);
      const now = await this.store.head(key);
      if (now === undefined) {
        throw new ContentCollectedError(
          `cannot adopt ${key}: it was deleted (by a gc, or by hand) while it was being ` +
            "adopted; nothing was recorded",
        );
      }
      if (now.size !== info.size || now.etag !== info.etag) {
        throw new InvalidInputError(
          `cannot adopt ${key}: it was replaced while it was being adopted (${info.size} bytes, ` +
            `ETag ${info.etag} at first; now ${now.size} bytes, ETag ${now.etag}); nothing was ` +
            "recorded: run again",
        );
      }
      const rows = await tx.query(
        `INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at, path_key)
         VALUES ($1, 'unpublished', $2, $3, $4, $5, $6, $7)
         ON CONFLICT (content_key) DO NOTHING RETURNING id`,
        [path, key, info.size, md5, this.host, this.clock.now(), spellingKey(path)],
      );
      // Another adoption of the key committed since the look above
      // (PostgreSQL: the content lock is shared, and the insert waited for it).
      if (rows[0] === undefined) await refuseNamed(tx, key);
      const id = Number(rows[0]!.id);
      for (const tag of new Set(tags)) {
        await tx.query(
          "INSERT INTO record_tags (record_id, tag, tag_key) VALUES ($1, $2, $3) " +
            "ON CONFLICT DO NOTHING",
          [id, tag, spellingKey(tag)],
        );
      }
      return await this.#get(tx, id);
    }, { signal: options.signal });
  }

  /**
   * Deletes the content an `add` uploaded and then did not record, and says
   * what became of it, for the add's error: a store that refuses the delete
   * too (down, no `s3:DeleteObject`) keeps it, recorded by nothing, so its
   * key is named (`gc` deletes it once older than its grace period).
   *
   * Unless a record names it by then (`asked`, the catalog answering): an
   * `adopt` told to take content of any age may have recorded the upload
   * meanwhile, and its record keeps it. Looked at under the content lock
   * taken exclusive, as an adopt records under it shared (PostgreSQL lets
   * two holders of the shared lock in at once).
   */
  async #discardUpload(contentKey: string, asked = true): Promise<string> {
    let storeFailed = false;
    try {
      const remove = async (keys: string[]) => {
        await this.store.delete(keys).catch((error) => {
          storeFailed = true;
          throw error;
        });
      };
      if (!asked) await remove([contentKey]);
      else if ((await deleteIfUnreferenced(this, [contentKey], remove, "exclusive")).length === 0) {
        return `the upload was kept: a record adopted ${contentKey} meanwhile (vc repo adopt)`;
      }
      return UPLOAD_DELETED;
    } catch (error) {
      // The catalog failed to answer: deleted unasked, as before it was asked.
      if (!storeFailed) return await this.#discardUpload(contentKey, false);
      return `the upload could not be deleted: ${contentKey} is left in ${this.store.url}, ` +
        `recorded by nothing (${(error as Error).message}); ${REPO_CHECK.library} lists it and ` +
        `${REPO_GC.library} deletes it once older than its grace period, or remove it`;
    }
  }

  /**
   * The spelling the catalog holds of a logical path or a tag given in
   * another Unicode spelling (`café` composed, NFC, vs `e` + a combining
   * accent, NFD; `K` vs the Kelvin sign): lookups (`current`, `claim`, `list`,
   * `untag`) compare as written, so a miss of one is worth saying with the
   * spelling to use. Undefined when there is none, when the name is held in
   * this very spelling, or when the catalog predates the keys that find twins
   * (schema version 1 or 2, not yet upgraded). Index lookups, as the check
   * that refuses a new twin.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   await repo.add("/caf\u00e9.txt", new TextEncoder().encode("a"), { tags: ["cr\u00e8me"] });
   *   assert.equal(await repo.heldSpelling({ path: "/cafe\u0301.txt" }), "/caf\u00e9.txt");
   *   assert.equal(await repo.heldSpelling({ tag: "cre\u0300me" }), "cr\u00e8me");
   *   assert.equal(await repo.heldSpelling({ path: "/caf\u00e9.txt" }), undefined);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async heldSpelling(name: { path: string } | { tag: string }): Promise<string | undefined> {
    if (typeof name !== "object" || name === null || ("path" in name) === ("tag" in name)) {
      throw new InvalidInputError(
        `Repository.heldSpelling() takes { path } or { tag }, got ${describeValue(name)}`,
      );
    }
    const [kind, text] = "path" in name
      ? ["path" as const, normalizeLogicalPath(name.path)]
      : ["tag" as const, checkTag(name.tag)];
    if (this.#upgradeRefused !== undefined) return undefined;
    return await this.catalog.transaction("read", (tx) => heldLookalike(tx, kind, text));
  }

  /**
   * Refuses `path` when the catalog holds it spelled otherwise in Unicode
   * (NFC "é" vs NFD "e" + accent): the two look the same in every listing
   * and are one file name on macOS, but the catalog would keep them as two
   * paths, each with its own versions, tags and `current`. Looked up by the
   * path's NFC form, as a path and as the `path_key` of paths not in NFC
   * (both indexed), so a twin in any mix of composed and decomposed letters
   * is found; as the versioned cache refuses such a twin of a manifest
   * entry. With `lock` (a write transaction about to record `path`), under
   * the lock on the path's spellings first.
   */
  async #refuseLookalike(tx: Tx, path: string, lock = false): Promise<void> {
    const nfc = path.normalize("NFC");
    if (lock) {
      for (const statement of this.catalog.dialect.pathLock) await tx.query(statement, [nfc]);
    }
    const twin = await heldLookalike(tx, "path", path);
    if (twin === undefined) return;
    throw new InvalidInputError(
      `${escapedUnicode(path)} and the path ${escapedUnicode(twin)} in repository ${this.uri} ` +
        `look the same but are spelled differently in Unicode (${
          spellingDifference(path, twin)
        }; one file name on macOS); use the repository's spelling (copy it from ${REPO_LS.library})`,
    );
  }

  /**
   * Refuses a tag of `tags` when the catalog holds it spelled otherwise in
   * Unicode, on any record or path, or when another of `tags` is such a
   * twin of it: the two look the same in every listing, yet `find`, `ls
   * --tag` and `claim` would take them for two tags. Looked up by index as
   * `#refuseLookalike` looks up a path (the tag's NFC form, as a tag and as
   * the `tag_key` of tags not in NFC). A tag the catalog already holds in
   * this very spelling is no new spelling and passes, so a catalog from
   * before this check that holds two spellings of a tag goes on using both.
   * With `lock`, under the locks on the tags' spellings first.
   */
  async #refuseTagLookalikes(tx: Tx, tags: readonly string[], lock = false): Promise<void> {
    if (lock) {
      // In one order, so two writers locking the same spellings never deadlock.
      const forms = [...new Set(tags.map((tag) => tag.normalize("NFC")))].sort();
      for (const nfc of forms) {
        for (const statement of this.catalog.dialect.tagLock) await tx.query(statement, [nfc]);
      }
    }
    // The first of the call's own tags given in each NFC form: a later one of
    // that form is its twin (one lookup each; comparing each tag with every
    // one before it was the square of their count, under the writer lock).
    const given = new Map<string, string>();
    for (const tag of new Set(tags)) {
      const held = await heldLookalike(tx, "tag", tag);
      const nfc = tag.normalize("NFC");
      const twin = held ?? given.get(nfc);
      if (!given.has(nfc)) given.set(nfc, tag);
      if (twin === undefined) continue;
      throw new InvalidInputError(
        `the tag ${escapedUnicode(tag)} and the tag ${escapedUnicode(twin)} ` +
          `${held === twin ? `in repository ${this.uri}` : "given with it"} look the same ` +
          `but are spelled differently in Unicode (${spellingDifference(tag, twin)}); use the ` +
          `repository's spelling (copy it from ${REPO_LS.library})`,
      );
    }
  }

  /**
   * Publishes record `id`. Revives an expired record; a republish keeps the first publish time.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
   *   const published = await repo.publish(r.id);
   *   assert.equal(published.state, "published");
   *   assert.equal((await repo.current("/a.txt"))?.id, r.id);
   *   await repo.expire(r.id);
   *   assert.equal((await repo.publish(r.id)).publishedAt, published.publishedAt);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async publish(id: number, options: TransitionOptions = {}): Promise<RepoRecord> {
    checkOptions("Repository.publish()", options, TRANSITION_OPTIONS);
    await this.#verifyBeforePublish(await this.get(id));
    return await this.#transition(
      id,
      "publish",
      ["unpublished", "published", "expired"],
      (now) => [
        "state = 'published', published_at = COALESCE(published_at, $2), expired_at = NULL",
        [now],
      ],
      options,
    );
  }

  /**
   * Refuses to make available for consumption a record whose content was
   * deleted or replaced behind vc's back (`aws s3 rm`, `aws s3 cp` over its
   * key): every consumer's get would fail on it. One HEAD, as `check` judges
   * it; content the store states no MD5 for is not read here (seconds a GB),
   * as every get checks its MD5 anyway. A record purged before is left to
   * the transition, which refuses it as such; one purged during the HEAD
   * (its content gone for that reason) is refused as purged here.
   */
  async #verifyBeforePublish(record: RepoRecord): Promise<void> {
    if (record.state === "purged") return;
    const uri = this.#contentUriOf(record);
    const differs = headDifference(
      await this.store.head(record.contentKey),
      record.size,
      record.md5,
    );
    if (differs === undefined || differs === UNSTATED) return;
    // Purged since it was read (a `purge` or a gc on another machine): vc
    // deleted that content, nobody behind its back, and the state says why.
    if (differs.problem === "missing" && (await this.get(record.id)).state === "purged") {
      throw new RecordStateError(`cannot publish record ${record.id}: it is purged`);
    }
    const message = `cannot publish record ${record.id} (${record.state} ${record.path}): ` +
      `its content ${uri} ${
        differs.problem === "missing" ? "is missing from the store" : `differs (${differs.detail})`
      } (${differs.problem === "missing" ? "deleted" : "changed"} behind vc's back? ` +
      `${REPO_CHECK.library} lists such records); it was not published`;
    throw differs.problem === "missing" ? new NotFoundError(message) : new IntegrityError(message);
  }

  /**
   * Expires record `id` (published or not), ending any claim on it;
   * `options.onBefore` is told the record as the expire found it (whether a
   * live claim was ended).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
   *   await repo.publish(r.id);
   *   let before: string | undefined;
   *   const expired = await repo.expire(r.id, { onBefore: (found) => before = found.state });
   *   assert.equal(expired.state, "expired");
   *   assert.equal(before, "published"); // as the expire's transaction found it
   *   assert.equal(await repo.current("/a.txt"), undefined);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async expire(id: number, options: TransitionOptions = {}): Promise<RepoRecord> {
    checkOptions("Repository.expire()", options, TRANSITION_OPTIONS);
    return await this.#transition(
      id,
      "expire",
      ["unpublished", "published", "expired"],
      (now) => [
        "state = 'expired', expired_at = COALESCE(expired_at, $2), claimed_by = NULL, claim_until = NULL",
        [now],
      ],
      options,
    );
  }

  /**
   * Deletes record `id`'s content and keeps the record as purged. Refuses a published record.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
   *   await repo.publish(r.id);
   *   await assert.rejects(repo.purge(r.id), /expire it first/);
   *   await repo.expire(r.id);
   *   assert.equal((await repo.purge(r.id)).state, "purged");
   *   assert.equal(await repo.store.head(r.contentKey), undefined);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async purge(id: number, options: TransitionOptions = {}): Promise<RepoRecord> {
    checkOptions("Repository.purge()", options, TRANSITION_OPTIONS);
    const record = await this.#transition(
      id,
      "purge",
      ["unpublished", "expired", "purged"],
      (now) => [
        "state = 'purged', purged_at = COALESCE(purged_at, $2), claimed_by = NULL, claim_until = NULL",
        [now],
      ],
      options,
    );
    if (!record.contentKey.startsWith(this.marker.contentPrefix)) {
      // Only a catalog edited by hand (or restored by an old vc) holds such a
      // key; deleting it could remove the marker or a backup.
      throw new IntegrityError(
        `record ${record.id} is purged, but its content_key ${
          JSON.stringify(record.contentKey)
        } is not under ${this.marker.contentPrefix}, so it was not deleted from ${this.store.url}`,
      );
    }
    try {
      // Only while no record references it: a forced restore committed since
      // the purge may have brought the record back (see deleteIfUnreferenced).
      await deleteIfUnreferenced(this, [record.contentKey], (keys) => this.store.delete(keys));
    } catch (error) {
      // The record is purged already (committed first, so a crash leaves
      // only an orphan): said, or the failed DELETE reads as if nothing was done.
      if (error instanceof VcError) {
        error.message += `; record ${record.id} is purged, but its content ${record.contentKey} ` +
          `is still in ${this.store.url}: run ${purgeRecord(record.id)} again to delete ` +
          `it (${REPO_GC.library} deletes it too, once older than its grace period)`;
      }
      throw error;
    }
    return record;
  }

  async #transition(
    id: number,
    verb: string,
    allowed: readonly RecordState[],
    set: (now: number) => [string, (string | number)[]],
    options: TransitionOptions,
  ): Promise<RepoRecord> {
    const rid = parseRecordId(id);
    await this.#onCatalogTime();
    let before: RepoRecord | undefined;
    const record = await this.catalog.transaction("write", async (tx) => {
      // Asked for: the row as this transaction finds it, locked (after any
      // other writer of it), not as a read before it found it.
      if (options.onBefore !== undefined) {
        before = await this.#get(tx, rid, this.catalog.dialect.forUpdate);
      }
      // The state check is part of the UPDATE, so it holds at the moment of
      // writing (PostgreSQL re-checks it after waiting for a row lock).
      const [clause, params] = set(this.clock.now());
      const updated = await tx.query(
        `UPDATE records SET ${clause} WHERE id = $1 AND state IN (${
          allowed.map((s) => `'${s}'`).join(", ")
        }) RETURNING ${RECORD_COLUMNS_BARE}`,
        [rid, ...params],
      );
      if (updated[0]) return (await attachTags(tx, [rowToRecord(updated[0])]))[0]!;
      const rows = await tx.query("SELECT state FROM records WHERE id = $1", [rid]);
      if (rows.length === 0) throw new UnknownRecordError(`no record with id ${rid}`);
      throw new RecordStateError(
        `cannot ${verb} record ${rid}: it is ${rows[0]!.state}` +
          (verb === "purge" ? " (expire it first)" : ""),
      );
    });
    callCallback("onBefore", options.onBefore, before!);
    return record;
  }

  /**
   * Record `id`; {@linkcode UnknownRecordError} when there is none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { UnknownRecordError } from "./records.ts";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const r = await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["raw"] });
   *   const got = await repo.get(r.id);
   *   assert.equal(got.path, "/a.txt");
   *   assert.deepEqual(got.tags, ["raw"]);
   *   await assert.rejects(repo.get(r.id + 1), UnknownRecordError);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async get(id: number): Promise<RepoRecord> {
    const rid = parseRecordId(id);
    return await this.catalog.transaction("read", (tx) => this.#get(tx, rid));
  }

  // `lock`: the dialect's row lock (forUpdate) to take on it, or none.
  async #get(tx: Tx, id: number, lock = ""): Promise<RepoRecord> {
    const rows = await tx.query(
      `SELECT ${RECORD_COLUMNS} FROM records r WHERE r.id = $1${lock}`,
      [id],
    );
    if (rows.length === 0) throw new UnknownRecordError(`no record with id ${id}`);
    return (await attachTags(tx, [rowToRecord(rows[0]!)]))[0]!;
  }

  /**
   * The newest published (so not expired) record of `logicalPath`, by index.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const bytes = new TextEncoder().encode("v");
   *   const v1 = await repo.publish((await repo.add("/a.txt", bytes)).id);
   *   const v2 = await repo.publish((await repo.add("/a.txt", bytes)).id);
   *   await repo.add("/a.txt", bytes); // unpublished: never current
   *   assert.equal((await repo.current("/a.txt"))?.id, v2.id);
   *   await repo.expire(v2.id);
   *   assert.equal((await repo.current("/a.txt"))?.id, v1.id);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async current(logicalPath: string): Promise<RepoRecord | undefined> {
    const path = normalizeLogicalPath(logicalPath);
    return await this.catalog.transaction("read", async (tx) => {
      const rows = await tx.query(CURRENT_SQL, [path]);
      return rows[0] ? (await attachTags(tx, [rowToRecord(rows[0])]))[0] : undefined;
    });
  }

  /**
   * Records by state, path and/or tag, oldest first (or newest first with `limit`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const bytes = new TextEncoder().encode("x");
   *   const a = await repo.add("/a.txt", bytes, { tags: ["raw"] });
   *   const b = await repo.publish((await repo.add("/b.txt", bytes)).id);
   *   const ids = (records: { id: number }[]) => records.map((r) => r.id);
   *   assert.deepEqual(ids(await repo.list()), [a.id, b.id]);
   *   assert.deepEqual(ids(await repo.list({ state: "published" })), [b.id]);
   *   assert.deepEqual(ids(await repo.list({ tag: "raw" })), [a.id]);
   *   assert.deepEqual(ids(await repo.list({ limit: 1 })), [b.id]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async list(options: ListOptions = {}): Promise<RepoRecord[]> {
    return (await Array.fromAsync(this.listPages(options))).flat();
  }

  /**
   * The records of {@linkcode Repository.list}, a page (an array) at a time,
   * each page read in a read transaction of its own: memory stays bounded
   * whatever the catalog's size. A record is listed once at most, in id
   * order; records added or removed while the pages are read are listed as
   * the listing finds them. The options are checked at the call.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const a = await repo.add("/a.txt", new TextEncoder().encode("x"), { tags: ["raw"] });
   *   const ids = [];
   *   for await (const page of repo.listPages({ tag: "raw" })) ids.push(...page.map((r) => r.id));
   *   assert.deepEqual(ids, [a.id]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  listPages(options: ListOptions = {}): AsyncIterable<RepoRecord[]> {
    checkOptions("Repository.list()", options, LIST_OPTIONS);
    const where = new Where();
    if (options.state !== undefined) {
      // Compared as an expression, not a column: SQLite would otherwise
      // read the (state, created_at) index and sort all of a state's
      // records again for every page, instead of reading them by id.
      where.and(`r.state || '' = ${where.param(checkState(options.state))}`);
    }
    if (options.path !== undefined) {
      where.and(`r.path = ${where.param(normalizeLogicalPath(options.path))}`);
    }
    return recordPages(this.catalog, {
      where,
      ...(options.tag !== undefined ? { entries: [[checkTag(options.tag)]] } : {}),
      ...(options.limit !== undefined
        ? { limit: checkLimit(options.limit), descending: true }
        : {}),
    });
  }

  /**
   * Records matching a tag query; `exclude` alone is an error.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const bytes = new TextEncoder().encode("x");
   *   const a = await repo.add("/a.txt", bytes, { tags: ["raw", "2024"] });
   *   const b = await repo.add("/b.txt", bytes, { tags: ["raw", "bad"] });
   *   const c = await repo.add("/c.txt", bytes, { tags: ["clean"] });
   *   const ids = (records: { id: number }[]) => records.map((r) => r.id);
   *   assert.deepEqual(ids(await repo.find({ all: ["raw"], exclude: ["bad"] })), [a.id]);
   *   assert.deepEqual(ids(await repo.find({ any: ["bad", "clean"] })), [b.id, c.id]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async find(query: FindQuery): Promise<RepoRecord[]> {
    return (await Array.fromAsync(this.findPages(query))).flat();
  }

  /**
   * The records of {@linkcode Repository.find}, a page (an array) at a time,
   * as {@linkcode Repository.listPages} reads them. The query is checked at
   * the call.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const a = await repo.add("/a.txt", new TextEncoder().encode("x"), { tags: ["raw"] });
   *   const ids = [];
   *   for await (const page of repo.findPages({ any: ["raw"] })) ids.push(...page.map((r) => r.id));
   *   assert.deepEqual(ids, [a.id]);
   *   assert.throws(() => repo.findPages({ exclude: ["raw"] }), /exclude option alone/);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  findPages(query: FindQuery): AsyncIterable<RepoRecord[]> {
    checkRequiredOptions("Repository.find()", query, FIND_QUERY);
    return recordPages(this.catalog, findSelection(query));
  }

  /**
   * Adds tags to a record (`{ id }`) or to a logical path (`{ path }`,
   * inherited by all its records). Returns the tags it added (the others
   * were there already).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const r = await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["raw"] });
   *   assert.deepEqual(await repo.tag({ id: r.id }, ["raw", "checked"]), ["checked"]);
   *   assert.deepEqual(await repo.tag({ path: "/a.txt" }, ["project-x"]), ["project-x"]);
   *   assert.deepEqual((await repo.get(r.id)).tags, ["checked", "project-x", "raw"]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  tag(target: TagTarget, tags: readonly string[]): Promise<string[]> {
    return this.#tags(target, tags, "add");
  }

  /**
   * Removes tags from a record or a logical path. Returns the tags it
   * removed (the others were not there).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const bytes = new TextEncoder().encode("a");
   *   const r = await repo.add("/a.txt", bytes, { tags: ["raw", "draft"] });
   *   assert.deepEqual(await repo.untag({ id: r.id }, ["draft", "never-set"]), ["draft"]);
   *   assert.deepEqual((await repo.get(r.id)).tags, ["raw"]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  untag(target: TagTarget, tags: readonly string[]): Promise<string[]> {
    return this.#tags(target, tags, "remove");
  }

  /**
   * Refuses an add or a tag while the catalog is older than this vc and this
   * user could not upgrade it when it was opened; looks again first, since
   * someone who may upgrade it may have since (a long-running worker).
   */
  /**
   * Refuses, before an add's content is hashed and uploaded, a catalog this
   * user may not write (a PostgreSQL role granted SELECT alone, a standby or
   * `default_transaction_read_only`; a SQLite file on a read-only mount or
   * without write permission): the record's INSERT refused it only after the
   * whole upload, which was then deleted again. Asked in a read (PostgreSQL)
   * or of the file's mode (SQLite), so it takes no write lock; once per
   * repository opened: a refusal that comes later (privileges revoked
   * meanwhile) still deletes the upload.
   */
  async #refuseReadOnly(signal: AbortSignal | undefined): Promise<void> {
    if (this.#mayWrite) return;
    const where = this.marker.catalog;
    if (where.kind === "sqlite") {
      try {
        // Opened for writing, not written: what SQLite's write would meet.
        (await Deno.open(where.path, { write: true })).close();
      } catch (error) {
        if (
          error instanceof Deno.errors.PermissionDenied ||
          (error as { code?: unknown }).code === "EROFS"
        ) {
          throw new CatalogReadOnlyError(
            `catalog ${this.catalog.location} is read-only here (${
              (error as Error).message
            }): this command changes it; run it as a user who may write the catalog file ` +
              "and its directory",
            { cause: error },
          );
        }
        // Anything else is left to the write itself to say.
      }
    } else {
      const may = await this.catalog.transaction(
        "read",
        (tx) => tx.query(this.catalog.dialect.mayAddRecords),
        { signal },
      );
      if (may.length === 0) {
        throw new CatalogReadOnlyError(
          `catalog ${this.catalog.location} may not be changed by this user here (no INSERT ` +
            "on its records, or a read-only server or session): this command changes it; " +
            "nothing was uploaded",
        );
      }
    }
    this.#mayWrite = true;
  }

  async #needUpgradedSchema(): Promise<void> {
    if (this.#upgradeRefused === undefined) return;
    const version = await this.catalog.transaction("read", (tx) => readVersion(tx));
    if (version !== undefined && knownSchemaVersion(version) === SCHEMA_VERSION) {
      this.#upgradeRefused = undefined;
      return;
    }
    throw this.#upgradeRefused;
  }

  async #tags(target: TagTarget, tags: readonly string[], op: "add" | "remove"): Promise<string[]> {
    const verb = op === "add" ? "tag" : "untag";
    checkTagTarget(target, `Repository.${verb}()`);
    const checked = [...new Set(checkTags(tags, `Repository.${verb}(): tags`))];
    if (checked.length === 0) {
      throw new InvalidInputError(`${verb}: no tags given`);
    }
    if (op === "add") {
      checked.forEach(checkNewTag);
      await this.#needUpgradedSchema();
    }
    const changed: string[] = [];
    await this.catalog.transaction("write", async (tx) => {
      changed.length = 0; // a retried transaction starts over
      if ("id" in target) {
        const id = parseRecordId(target.id);
        // Locked as the tag rows' foreign key will lock it: a record a forced
        // restore deletes meanwhile is then found gone here (it waits for the
        // restore's commit), not a foreign-key violation at the insert.
        const exists = await tx.query(
          `SELECT id FROM records WHERE id = $1${this.catalog.dialect.forKeyShare}`,
          [id],
        );
        if (exists.length === 0) throw new UnknownRecordError(`no record with id ${id}`);
        changed.push(...await this.#tagRecordIn(tx, id, checked, op));
      } else {
        const path = normalizeLogicalPath(target.path);
        if (op === "add") {
          // A path no record or tag holds yet is a new name: one that lists
          // as another is refused as `add` refuses it (no record could ever
          // have it); one the catalog already holds can still be tagged.
          if (newNameProblem(path) !== undefined) {
            const held = await tx.query(
              "SELECT 1 FROM records WHERE path = $1 UNION ALL " +
                "SELECT 1 FROM path_tags WHERE path = $1 LIMIT 1",
              [path],
            );
            if (held.length === 0) checkNewLogicalPath(path);
          }
          await this.#refuseLookalike(tx, path, true);
          await this.#refuseTagLookalikes(tx, checked, true);
        }
        for (const tag of checked) {
          const rows = await tx.query(
            op === "add"
              ? "INSERT INTO path_tags (path, tag, path_key, tag_key) VALUES ($1, $2, $3, $4) " +
                "ON CONFLICT DO NOTHING RETURNING tag"
              : "DELETE FROM path_tags WHERE path = $1 AND tag = $2 RETURNING tag",
            op === "add" ? [path, tag, spellingKey(path), spellingKey(tag)] : [path, tag],
          );
          if (rows.length > 0 && !changed.includes(tag)) changed.push(tag);
        }
      }
    });
    return changed;
  }

  /**
   * Adds (`op` "add") or removes the `checked` tags of record `id`, whose row
   * `tx` has locked, returning those it changed.
   */
  async #tagRecordIn(
    tx: Tx,
    id: number,
    checked: readonly string[],
    op: "add" | "remove",
  ): Promise<string[]> {
    const changed: string[] = [];
    if (op === "add") await this.#refuseTagLookalikes(tx, checked, true);
    for (const tag of checked) {
      const rows = await tx.query(
        op === "add"
          ? "INSERT INTO record_tags (record_id, tag, tag_key) VALUES ($1, $2, $3) " +
            "ON CONFLICT DO NOTHING RETURNING tag"
          : "DELETE FROM record_tags WHERE record_id = $1 AND tag = $2 RETURNING tag",
        op === "add" ? [id, tag, spellingKey(tag)] : [id, tag],
      );
      if (rows.length > 0 && !changed.includes(tag)) changed.push(tag);
    }
    return changed;
  }

  /**
   * Hands the next unclaimed published record matching `tag`/`path` to this
   * caller alone, for `ttlMs`; `undefined` when none is free. A claim whose
   * ttl passed is free again (its holder is presumed dead).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const r = await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["todo"] });
   *   assert.equal(await repo.claim({ tag: "todo", ttlMs: 60_000 }), undefined); // unpublished
   *   await repo.publish(r.id);
   *   const claim = await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "worker-1" });
   *   assert.equal(claim?.record.id, r.id);
   *   assert.equal(claim?.record.claimedBy, "worker-1");
   *   assert.equal(await repo.claim({ tag: "todo", ttlMs: 60_000 }), undefined); // taken
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async claim(options: ClaimOptions): Promise<Claim | undefined> {
    checkRequiredOptions("Repository.claim()", options, CLAIM_OPTIONS);
    await this.#onCatalogTime();
    return await claimNext(this.#claimContext(), options);
  }

  /**
   * Extends `holder`'s claim on record `id` to `ttlMs` from now; `ClaimLostError` if another holds it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ClaimLostError } from "./records.ts";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const r = await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
   *   const claim = await repo.claim({ ttlMs: 1_000, holder: "worker-1" });
   *   const renewed = await repo.renew(r.id, "worker-1", 60_000);
   *   assert(renewed.until > claim!.until);
   *   await assert.rejects(repo.renew(r.id, "worker-2", 60_000), ClaimLostError);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async renew(id: number, holder: string, ttlMs: number): Promise<Claim> {
    await this.#onCatalogTime();
    return await renewClaim(this.#claimContext(), id, holder, ttlMs);
  }

  /**
   * Gives up `holder`'s claim on record `id`. With `untag`/`tag`, a worker's
   * "done": in the same transaction, and only while `holder` still holds the
   * claim, the record's `untag` tags are removed and its `tag` tags added; a
   * claim that ended meanwhile (its ttl passed and another worker took the
   * record, or it was expired) is `ClaimLostError` with no tag changed, so the
   * other worker's record is not marked done by this one. A claim whose ttl
   * passed while nobody took the record is still this holder's to finish.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const todo = await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["todo"] });
   *   const r = await repo.publish(todo.id);
   *   await repo.claim({ ttlMs: 60_000, holder: "worker-1" });
   *   assert.equal((await repo.release(r.id, "worker-1")).claimedBy, null);
   *   assert.equal((await repo.claim({ ttlMs: 60_000, holder: "worker-2" }))?.record.id, r.id);
   *   // Done, only while still held: worker-1 no longer holds it.
   *   await assert.rejects(repo.release(r.id, "worker-1", { tag: ["done"] }), /not changed/);
   *   const done = await repo.release(r.id, "worker-2", { untag: ["todo"], tag: ["done"] });
   *   assert.deepEqual(done.tags, ["done"]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async release(id: number, holder: string, options?: ReleaseOptions): Promise<RepoRecord> {
    checkOptions("Repository.release()", options, RELEASE_OPTIONS);
    const untag = [
      ...new Set(checkTags(options?.untag ?? [], "Repository.release(): untag")),
    ];
    const tag = [...new Set(checkTags(options?.tag ?? [], "Repository.release(): tag"))];
    const onBefore = options?.onBefore;
    if (onBefore !== undefined) checkFunction("Repository.release() onBefore", onBefore);
    if (tag.length > 0) {
      tag.forEach(checkNewTag);
      await this.#needUpgradedSchema();
    }
    // The release's own clock: a lapse is judged on the catalog's time.
    await this.#onCatalogTime();
    let before: RepoRecord | undefined;
    const marking = untag.length > 0 || tag.length > 0;
    const step = !marking && onBefore === undefined ? undefined : {
      run: async (tx: Tx, rid: number) => {
        // Asked for: the row as this transaction holds it, not as a read
        // before it found it (another process's tag change in between).
        if (onBefore !== undefined) before = await this.#get(tx, rid);
        // A tag both removed and added ends up added, as untag then tag would.
        await this.#tagRecordIn(tx, rid, untag, "remove");
        if (tag.length > 0) await this.#tagRecordIn(tx, rid, tag, "add");
      },
      notDone: marking ? "its tags were not changed" : "",
    };
    const record = await releaseClaim(this.#claimContext(), id, holder, step);
    callCallback("onBefore", onBefore, before!);
    return record;
  }

  /**
   * Before a decision by the time (a claim's ttl, a record's time, gc's
   * grace): a long-running process on a PostgreSQL catalog measures the
   * server's offset again if this machine's clock was set since it last did.
   */
  async #onCatalogTime(): Promise<void> {
    await this.#catalogClock?.resync();
  }

  #claimContext(): ClaimContext {
    return {
      catalog: this.catalog,
      clock: this.clock,
      host: this.host,
    };
  }

  /**
   * The store URI of record `id`'s content.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const r = await repo.add("/a.txt", new TextEncoder().encode("hello"));
   *   const uri = await repo.contentUri(r.id);
   *   assert.equal(uri, `${repo.store.url}/${r.contentKey}`);
   *   assert.equal(await Deno.readTextFile(new URL(uri)), "hello");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async contentUri(id: number): Promise<string> {
    return this.#contentUriOf(await this.get(id));
  }

  /**
   * The URI of `record`'s content. A key a repository never writes (only a
   * catalog edited by hand holds one: `content/../../x`, or one outside the
   * content prefix) is refused naming the record: as a URI, its `..`
   * segments would be resolved away, reading a file outside the store.
   */
  #contentUriOf(record: RepoRecord): string {
    const key = record.contentKey;
    const prefix = this.marker.contentPrefix;
    const segments = key.slice(prefix.length).split("/");
    if (!key.startsWith(prefix) || segments.some((s) => s === "" || s === "." || s === "..")) {
      throw new IntegrityError(
        `record ${record.id}: its content_key ${
          JSON.stringify(key)
        } is not a key under ${prefix} ` +
          `of ${this.store.url} (a catalog edited by hand?), so its content was not read`,
      );
    }
    return joinUri(this.store.url, key);
  }

  /**
   * Downloads record `id`'s content through the asset cache (content keys
   * never change, so the cached copy is never revalidated) and checks its MD5
   * against the record. Returns the local path.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "../cache/asset_cache.ts";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
   *   await using repo = await Repository.init(`file://${dir}/repo`, { cache });
   *   const r = await repo.add("/a.txt", new TextEncoder().encode("hello"));
   *   const local = await repo.download(r.id);
   *   assert(local.startsWith(cache.dir));
   *   assert.equal(await Deno.readTextFile(local), "hello");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async download(
    id: number,
    options: {
      signal?: AbortSignal;
      onProgress?: (p: { bytes: number; total?: number | undefined }) => void;
      /**
       * Progress of the MD5 check after the download (the local copy read
       * whole, seconds a GB; a cached copy too): called at its start and as
       * it reads.
       */
      onCheckProgress?: (p: { bytes: number; total: number }) => void;
    } = {},
  ): Promise<string> {
    checkOptions("Repository.download()", options, DOWNLOAD_OPTIONS);
    options.signal?.throwIfAborted();
    const record = await this.get(id);
    if (record.state === "purged") {
      throw new RecordStateError(`record ${record.id} is purged: its content was deleted`);
    }
    if (this.#cache === undefined) {
      const { AssetCache } = await import("../cache/asset_cache.ts");
      // Through the repository's own store opener: a repository opened on a
      // custom endpoint (or backend) must not read its content elsewhere.
      this.#cache = new AssetCache({ openStore: this.#openStore });
    }
    const uri = this.#contentUriOf(record);
    let local;
    try {
      local = await this.#cache.cache(uri, {
        immutable: true,
        // Read as the store has it, as `check` does: a symbolic link put at a
        // `file://` store's content key is no object (read through, it was a
        // file outside the store, its MD5 named in the error).
        ...(/^file:/i.test(this.store.url) ? { storeRoot: this.store.url } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (error) {
      // The content's bytes do not match what the store states of them (its
      // ETag or `vc-md5`, edited or replaced behind vc's back): said of the
      // record asked for, as content missing or changed is, not only of a
      // cache entry (the download cached nothing).
      if (error instanceof IntegrityError) {
        throw new IntegrityError(
          `record ${record.id} (${record.state} ${record.path}): its content ${uri} does not ` +
            `match what the store states of it, and was not handed out (MD5 recorded ` +
            `${record.md5}; the object or its ETag / vc-md5 metadata changed behind vc's back? ` +
            `${REPO_CHECK.library} lists such records): ${error.message}`,
          { cause: error },
        );
      }
      // Said of the record asked for, not of a cache entry: its content was
      // deleted behind vc's back (`vc repo check` lists such records).
      if (!(error instanceof NotFoundError) || / its bucket /.test(error.message)) throw error;
      // A purge (or gc) beside this download deletes the content it read the
      // record for: that is no damage, so it is said as such.
      if ((await this.get(id).catch(() => record)).state === "purged") {
        throw new RecordStateError(
          `record ${record.id} was purged while it was downloaded: its content was deleted`,
          { cause: error },
        );
      }
      throw new NotFoundError(
        `record ${record.id} (${record.state} ${record.path}): its content ${uri} is missing ` +
          `from the store (deleted behind vc's back? ${REPO_CHECK.library} lists such records)`,
        { cause: error },
      );
    }
    options.signal?.throwIfAborted();
    const actual = await md5File(local, checkReport(record.size, options.onCheckProgress));
    if (actual !== record.md5) {
      await this.#cache.delete(uri).catch(() => false);
      // Said as a missing one is: the record, its content, and where to look.
      throw new IntegrityError(
        `record ${record.id} (${record.state} ${record.path}): its content ${uri}, as read, ` +
          `has the MD5 ${actual}, not the recorded ${record.md5} (changed behind vc's back? ` +
          `${REPO_CHECK.library} lists such records); the copy downloaded was not kept`,
      );
    }
    return local;
  }

  /**
   * Garbage collection; see `gc.ts`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   const bytes = new TextEncoder().encode("v");
   *   const v1 = await repo.publish((await repo.add("/a.txt", bytes)).id);
   *   const v2 = await repo.publish((await repo.add("/a.txt", bytes)).id);
   *   assert.deepEqual((await repo.gc({ dryRun: true })).expired, [v1.id]);
   *   assert.equal((await repo.get(v1.id)).state, "published");
   *   assert.deepEqual((await repo.gc()).expired, [v1.id]);
   *   assert.equal((await repo.get(v1.id)).state, "expired");
   *   assert.equal((await repo.current("/a.txt"))?.id, v2.id);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  gc(options: GcOptions = {}): Promise<GcReport> {
    return optionsRefusal("Repository.gc()", options, GC_OPTIONS) ??
      this.#onCatalogTime().then(() => gc(this, options));
  }

  /**
   * Compares catalog and store; see `check.ts`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   await repo.add("/a.txt", new TextEncoder().encode("a"));
   *   assert.equal((await repo.check()).ok, true);
   *   await repo.store.put("content/stray.bin", new Uint8Array([1]));
   *   // Younger than gc's grace period (7 days): perhaps an add in flight.
   *   assert.equal((await repo.check()).ok, true);
   *   const report = await repo.check({ graceMs: 0 });
   *   assert.equal(report.records, 1);
   *   assert.deepEqual(report.orphans.map((o) => o.key), ["content/stray.bin"]);
   *   assert.equal(report.ok, false);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  check(options: CheckOptions = {}): Promise<CheckReport> {
    return optionsRefusal("Repository.check()", options, CHECK_OPTIONS) ??
      this.#onCatalogTime().then(() => check(this, options));
  }

  /**
   * Writes a consistent snapshot of the catalog (one transaction, gzip JSON
   * Lines) to `dest` (an object URI) or to `backups/` in the repository's
   * store, and returns its URI. `signal` stops it before the upload, or
   * during it (a create-only write: nothing is left under the name then).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}/repo`);
   *   await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["raw"] });
   *   const inStore = await repo.backup();
   *   assert(inStore.uri.startsWith(`${repo.store.url}/backups/catalog-`));
   *   assert.deepEqual(inStore.counts, { records: 1, recordTags: 1, pathTags: 0 });
   *   const elsewhere = await repo.backup(`file://${dir}/catalog.jsonl.gz`);
   *   assert.equal((await Deno.stat(`${dir}/catalog.jsonl.gz`)).size, elsewhere.bytes);
   *   // Not under content/, which gc collects:
   *   await assert.rejects(repo.backup(`${repo.store.url}/content/x.gz`), /under the repository/);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async backup(
    dest?: string,
    options: { signal?: AbortSignal; onProgress?: SnapshotProgressCallback } = {},
  ): Promise<{ uri: string; counts: SnapshotCounts; bytes: number }> {
    checkOptions("Repository.backup()", options, PROGRESS_OPTIONS);
    options.signal?.throwIfAborted();
    // An onProgress that throws (or whose promise rejects) stops the backup
    // as its signal would (the snapshot's upload aborted: no object left),
    // and is what it rejects with: a CallbackError. Without one, the
    // caller's signal goes to the upload as it is.
    return await withCallbackGuard(
      options,
      ["onProgress"],
      (guarded) => this.#backup(dest, guarded),
    );
  }

  async #backup(
    dest: string | undefined,
    options: { signal?: AbortSignal | undefined; onProgress?: SnapshotProgressCallback },
  ): Promise<{ uri: string; counts: SnapshotCounts; bytes: number }> {
    const { signal, onProgress } = options;
    // Before the snapshot, which can take a while on a large catalog: a DEST
    // taken (a cron job's dated name run twice) or a directory was refused
    // only at the upload, once the whole catalog was read.
    if (dest !== undefined) {
      await this.#refuseUnderContent(dest);
      await refuseTakenDest(dest, this.#openStore, signal);
    }
    const createdAt = new Date(this.clock.now()).toISOString();
    // Written to a temp file, then uploaded from it: a catalog of any size
    // is never held in memory whole (one that is killed leaves it for the
    // next backup to remove).
    await using scratch = await makeScratchDir("vc-backup-");
    const path = `${scratch.path}/snapshot.jsonl.gz`;
    const { size, counts } = await snapshotCatalog(
      this.catalog,
      {
        createdAt,
        repository: this.uri,
        // A restore refuses a snapshot of another repository by this id.
        ...(this.marker.repository === undefined ? {} : { repositoryId: this.marker.repository }),
        catalog: catalogText(this.marker.catalog),
      },
      path,
      { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) },
    ).catch((error) => {
      throw scratchSpaceError(error, "the backup's snapshot", path);
    });
    // The upload, in bytes, where the store reports them (S3).
    const uploaded = onProgress &&
      ((sent: number) => onProgress({ current: "uploading", bytes: sent, totalBytes: size }));
    onProgress?.({ current: "uploading" });
    let uri: string;
    if (dest !== undefined) {
      // The snapshot can take a while on a large catalog: a stop meanwhile uploads nothing.
      signal?.throwIfAborted();
      await writeObjectUri(dest, { path }, this.#openStore, signal, uploaded);
      uri = dest;
    } else {
      signal?.throwIfAborted();
      // Create-only: two backups in one millisecond (two machines, a
      // script) get the next free name, never each other's: that of the next
      // millisecond, so names keep sorting in the order they were taken (a
      // `-2` suffix sorted before the name it followed: `ls | tail -1` and
      // `aws s3 ls` showed the older snapshot last).
      const taken = Date.parse(createdAt);
      for (let n = 1;; n++) {
        const stamp = new Date(taken + n - 1).toISOString().replace(/[:.]/g, "-");
        const key = `${BACKUP_PREFIX}catalog-${stamp}.jsonl.gz`;
        try {
          await this.store.put(key, { path }, {
            contentType: "application/gzip",
            ifNoneMatch: "*",
            ...(signal === undefined ? {} : { signal }),
            ...(uploaded === undefined ? {} : { onProgress: uploaded }),
          });
        } catch (error) {
          if (error instanceof PreconditionFailedError && n < 100) continue;
          throw error;
        }
        uri = joinUri(this.store.url, key);
        await confirmBackupStored(this.store, key, uri, size, signal);
        break;
      }
    }
    return { uri, counts, bytes: size };
  }

  /**
   * Refuses a backup destination under the content prefix, whose objects no
   * record references, so gc deletes them: also one that reaches it through
   * a symbolic link (`/srv/link/content/x.gz`, `link` → the repository), or
   * the repository through one, which the URIs' text does not show.
   */
  async #refuseUnderContent(dest: string): Promise<void> {
    const content = joinUri(this.store.url, this.marker.contentPrefix);
    const location = objectLocation(dest);
    let under = location.startsWith(content);
    if (!under && location.startsWith("file:") && content.startsWith("file:")) {
      const [real, realContent] = await Promise.all([
        realish(fromFileUrl(location)),
        realish(fromFileUrl(content)),
      ]);
      under = real.startsWith(realContent.endsWith(sep) ? realContent : realContent + sep);
    }
    if (under) {
      throw new InvalidInputError(
        `backup destination ${dest} is under the repository's content (${content}), which gc ` +
          "collects; write it elsewhere, or omit it for backups/",
      );
    }
  }

  /**
   * Closes the catalog, the store and a cache this repository created.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const repo = await Repository.init(`file://${dir}`);
   *   await repo.add("/a.txt", new TextEncoder().encode("a"));
   *   await repo.close();
   *   await repo.close(); // a second close does nothing
   *   await assert.rejects(repo.list());
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsCache) await this.#cache?.close();
    await this.catalog.close();
    await this.store.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * `state` as a record state, or `InvalidInputError` naming the four.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkState } from "./repository.ts";
 * assert.equal(checkState("published"), "published");
 * assert.throws(() => checkState("live"), /unpublished, published, expired or purged/);
 * ```
 */
export function checkState(state: string): RecordState {
  if (!["unpublished", "published", "expired", "purged"].includes(state)) {
    throw new InvalidInputError(
      `state "${state}" is not unpublished, published, expired or purged`,
    );
  }
  return state as RecordState;
}

/**
 * `options` with their `env` and `openStore` checked (a function, returning stores that
 * are `ObjectStore`s), so a script's incomplete store is refused naming what
 * it lacks, not met as a `TypeError` mid-init.
 */
function withCheckedOpener<O extends RepositoryOptions>(what: string, options: O): O {
  // Before anything is opened: a wrong `env` was a bare `TypeError` only once
  // a PostgreSQL catalog read a variable.
  envOption(what, options.env);
  checkClockOption(what, options.clock);
  // Else a bare TypeError, and only once a PostgreSQL catalog was opened
  // (a SQLite repository took -1 or "30000" unsaid).
  const retryMs: unknown = options.connectRetryMs;
  if (
    retryMs !== undefined &&
    !(typeof retryMs === "number" && Number.isFinite(retryMs) && retryMs >= 0)
  ) {
    throw new InvalidInputError(
      `${what}: the option connectRetryMs must be a finite number of milliseconds, 0 or more, got ${
        describeValue(retryMs)
      }`,
    );
  }
  // Else opened, and the first download failed (`this[#cache].cache is not a function`).
  const cache: unknown = options.cache;
  if (cache !== undefined && typeof (cache as { cache?: unknown } | null)?.cache !== "function") {
    throw new InvalidInputError(
      `${what}: the option cache must be an AssetCache, got ${describeValue(cache)}`,
    );
  }
  const openStore = checkedOpener(what, options.openStore) ?? cacheOpener(options.cache);
  return openStore === undefined ? options : { ...options, openStore };
}

// Given a cache and no `openStore`, the stores are opened with that cache's
// store settings: a cache made for a test's fake S3 (`env: s3.env`) was used
// for downloads while the content store went to the shell's endpoint. Not
// through a caller's opener of the cache: its stores stay the caller's, and
// the repository closes its own.
function cacheOpener(
  cache: AssetCache | undefined,
): RepositoryOptions["openStore"] {
  const source = cache === undefined ? undefined : cacheStoreSource(cache);
  if (source === undefined || source.open !== undefined) return undefined;
  const base = source.options;
  return (uri, use) =>
    openStore(
      uri,
      use === undefined ? base : {
        ...base,
        ...use,
        file: { ...base.file, ...use.file },
        s3: { ...base.s3, ...use.s3 },
      },
    );
}

/**
 * A spelling of `name` (a path or a tag) the catalog holds, other than
 * `name` itself, with the same NFC form; undefined when there is none, or
 * when the catalog holds `name` in this very spelling too: that is no new
 * spelling, so a catalog holding two (restored from a snapshot of one made
 * before twins were refused) goes on taking each, rather than refuse both
 * as twins of each other for good. Looked up by the NFC form as a name and
 * as the key (`path_key`, `tag_key`) of names not in NFC, and by `name`
 * itself, all indexed, in every table holding such names; one of each
 * table's is enough, so each lookup stops at a row.
 */
async function heldLookalike(
  tx: Tx,
  kind: "path" | "tag",
  name: string,
): Promise<string | undefined> {
  const nfc = name.normalize("NFC");
  const tables = kind === "path" ? ["records", "path_tags"] : ["record_tags", "path_tags"];
  const lookups = tables.flatMap((table) => [
    // The name itself: when held, it is no new spelling.
    `(SELECT ${kind} FROM ${table} WHERE ${kind} = $2 LIMIT 1)`,
    `(SELECT ${kind} FROM ${table} WHERE ${kind}_key = $1 AND ${kind} <> $2 LIMIT 1)`,
    // The NFC spelling itself, when `name` is not it.
    ...(nfc === name ? [] : [`(SELECT ${kind} FROM ${table} WHERE ${kind} = $1 LIMIT 1)`]),
  ]);
  const row = (await tx.query(
    `SELECT ${lookups.map((sql, i) => `${sql} AS n${i}`).join(", ")}`,
    [nfc, name],
  ))[0]!;
  const held = Object.values(row).filter((n) => n !== null).map(String);
  return unicodeLookalike(name, held);
}

/** `ms` in hours, as a grace period is said (`168 hours`, `1 hour`, `0.5 hours`). */
function hours(ms: number): string {
  const n = Number((ms / 3_600_000).toFixed(2));
  return `${n} ${n === 1 ? "hour" : "hours"}`;
}

/**
 * Refuses to adopt `key` when a record names it, in any state: a purged
 * one's content is being deleted by its purge (or was), and content keys
 * are unique in the catalog.
 */
async function refuseNamed(tx: Tx, key: string): Promise<void> {
  const rows = await tx.query("SELECT id, state FROM records WHERE content_key = $1", [key]);
  if (rows[0] === undefined) return;
  const { id, state } = rows[0];
  throw new InvalidInputError(
    `cannot adopt ${key}: record ${id} (${state}) already names it` +
      (state === "purged"
        ? ", and its purge deletes that content (a record is never made again of purged content)"
        : ""),
  );
}

/**
 * Whether a gc deleted unreferenced content since `started` (an add's
 * upload): gc marks the catalog with the time it did, and a mark older than
 * the add (with slack for clocks) means none did. Once committed, a record
 * keeps its content from every later gc.
 */
async function gcRanSince(tx: Tx, started: number): Promise<boolean> {
  const mark = await contentGcMark(tx);
  return mark !== undefined && mark >= started - GC_MARK_SLACK_MS;
}

/** The error of an add whose upload a concurrent gc deleted. */
function collectedError(path: string, contentKey: string): ContentCollectedError {
  return new ContentCollectedError(
    `the content of ${path} (${contentKey}) was deleted by a gc that ran while this add ` +
      "was recording it (the add took longer than gc's grace period); nothing was " +
      "recorded: run the add again",
  );
}
