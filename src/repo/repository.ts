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
import { basename, extname } from "node:path";
import type { AssetCache } from "../cache/asset_cache.ts";
import { type Clock, systemClock } from "../clock.ts";
import { IntegrityError, InvalidInputError } from "../errors.ts";
import { md5File, md5Hex, normalizeEtag } from "../hash.ts";
import { openStore } from "../store/open.ts";
import type { ObjectStore } from "../store/types.ts";
import { joinUri } from "../uri.ts";
import type { Catalog, Row, Tx } from "./catalog.ts";
import { type DateTagKind, dateTags } from "./date_tags.ts";
import {
  type CatalogRef,
  catalogText,
  checkHost,
  parseCatalogRef,
  readMarker,
  type RepoMarker,
  writeMarker,
} from "./marker.ts";
import { openCatalog } from "./open_catalog.ts";
import {
  attachTags,
  checkTag,
  ClaimLostError,
  normalizeLogicalPath,
  parseRecordId,
  RECORD_COLUMNS,
  type RecordState,
  RecordStateError,
  type RepoRecord,
  rowToRecord,
  UnknownRecordError,
  Where,
} from "./records.ts";
import { createSchema, readMeta } from "./schema.ts";
import { CatalogUnavailableError } from "./catalog.ts";
import { restoreCatalog, snapshotCatalog, type SnapshotCounts } from "./backup.ts";
import { check, type CheckReport } from "./check.ts";
import { gc, type GcOptions, type GcReport } from "./gc.ts";
import { readObjectUri, writeObjectUri } from "./object_uri.ts";

/** Options shared by {@linkcode Repository.init} and {@linkcode Repository.open}. */
export interface RepositoryOptions {
  /** Time source for created/publish times, claims, grace periods (tests advance a manual clock). */
  clock?: Clock;
  /** This machine's name (default `Deno.hostname()`); recorded as origin and checked for SQLite catalogs. */
  host?: string;
  /** Opens the content store (default `openStore`). */
  openStore?: (uri: string) => Promise<ObjectStore>;
  /** A PostgreSQL URL given at run time (may carry the password). */
  postgresUrl?: string;
  /** Environment for PostgreSQL settings; default `Deno.env`. */
  env?: (name: string) => string | undefined;
  /** Asset cache for `download` (default: one with default settings, created on first use). */
  cache?: AssetCache;
}

/** Options of {@linkcode Repository.init}. */
export interface InitOptions extends RepositoryOptions {
  /** `sqlite:PATH` or `postgres://…`; default for a directory store: SQLite beside the content. */
  catalog?: string;
}

/** Options of {@linkcode Repository.add}. */
export interface AddOptions {
  /** Tags of the new record. */
  tags?: readonly string[];
  /** Also tag with the date tags of this granularity for the add time. */
  dateTag?: DateTagKind;
  /** Upload progress. */
  onProgress?: (bytes: number) => void;
}

/** Filters of {@linkcode Repository.list}. */
export interface ListOptions {
  /** Only records in this state. */
  state?: RecordState;
  /** Only versions of this logical path. */
  path?: string;
  /** Only records carrying this tag. */
  tag?: string;
  /** At most this many (newest ids first when given). */
  limit?: number;
}

/** A tag query of {@linkcode Repository.find}. */
export interface FindQuery {
  /** Records carrying at least one of these. */
  any?: readonly string[];
  /** Records carrying all of these. */
  all?: readonly string[];
  /** Records carrying none of these (needs `any` or `all`). */
  exclude?: readonly string[];
  /** Only published records. */
  published?: boolean;
  /** At most this many. */
  limit?: number;
}

/** What {@linkcode Repository.claim} selects and for how long. */
export interface ClaimOptions {
  /** Only records carrying this tag. */
  tag?: string;
  /** Only versions of this logical path. */
  path?: string;
  /** How long the claim holds, in milliseconds. */
  ttlMs: number;
  /** Who claims (default: host, process id and a random suffix). */
  holder?: string;
}

/** A held claim. */
export interface Claim {
  /** The claimed record. */
  record: RepoRecord;
  /** The holder, needed to renew or release. */
  holder: string;
  /** Until when it holds (ISO time). */
  until: string;
}

/** Where tags go: one record, or every record of a logical path. */
export type TagTarget = { id: number } | { path: string };

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
  #closed = false;

  private constructor(
    uri: string,
    store: ObjectStore,
    catalog: Catalog,
    marker: RepoMarker,
    options: RepositoryOptions,
    host: string,
  ) {
    this.uri = uri;
    this.store = store;
    this.catalog = catalog;
    this.marker = marker;
    this.clock = options.clock ?? systemClock;
    this.host = host;
    this.#cache = options.cache;
    this.#ownsCache = options.cache === undefined;
    this.#openStore = options.openStore ?? openStore;
  }

  /**
   * Creates a repository in the store at `uri`: creates the catalog's schema
   * and writes the marker (create-once). A directory store gets a SQLite
   * catalog beside its content unless `catalog` says otherwise; an `s3://`
   * store needs an explicit `catalog`.
   */
  static async init(uri: string, options: InitOptions = {}): Promise<Repository> {
    const host = options.host ?? Deno.hostname();
    const store = await (options.openStore ?? openStore)(uri);
    try {
      let ref: CatalogRef;
      if (options.catalog !== undefined) {
        ref = parseCatalogRef(options.catalog, host, Deno.cwd());
      } else if (store.url.startsWith("file:")) {
        const dir = decodeURIComponent(new URL(store.url).pathname).replace(/\/+$/, "");
        ref = { kind: "sqlite", path: `${dir}/.vc~repo.sqlite`, host };
      } else {
        throw new InvalidInputError(
          `repository ${uri}: give a catalog (--catalog sqlite:PATH or postgres://user@host/db); ` +
            "only a directory repository keeps its catalog beside its content by default",
        );
      }
      const postgresUrl = options.postgresUrl ??
        (ref.kind === "postgres" ? options.catalog : undefined);
      const catalog = await openCatalog(ref, {
        create: true,
        ...(postgresUrl ? { postgresUrl } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
      try {
        await catalog.transaction("write", async (tx) => {
          await createSchema(tx, catalog.dialect);
          if (ref.kind === "sqlite") {
            await tx.query(
              "INSERT INTO vc_meta (key, value) VALUES ('host', $1) ON CONFLICT (key) DO NOTHING",
              [host],
            );
          }
        });
        const marker: RepoMarker = {
          format: "vc-repo",
          version: 1,
          catalog: ref,
          contentPrefix: "content/",
          createdAt: new Date((options.clock ?? systemClock).now()).toISOString(),
        };
        await writeMarker(store, marker);
        return new Repository(uri, store, catalog, marker, options, host);
      } catch (error) {
        await catalog.close();
        throw error;
      }
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /**
   * Opens the repository at `uri` through its marker. Fails clearly when the
   * store is not a repository, when a SQLite catalog belongs to another host,
   * and when the catalog cannot be reached.
   */
  static async open(uri: string, options: RepositoryOptions = {}): Promise<Repository> {
    const host = options.host ?? Deno.hostname();
    const store = await (options.openStore ?? openStore)(uri);
    try {
      const marker = await readMarker(store);
      checkHost(marker.catalog, host);
      const catalog = await openCatalog(marker.catalog, {
        ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
      try {
        const meta = await catalog.transaction("read", (tx) => readMeta(tx));
        if (meta === undefined) {
          throw new CatalogUnavailableError(
            `catalog ${catalogText(marker.catalog)} of ${uri} has no vc schema ` +
              "(restore a backup into it with vc repo restore)",
          );
        }
        const owner = meta.get("host");
        if (owner !== undefined && marker.catalog.kind === "sqlite") {
          checkHost({ ...marker.catalog, host: owner }, host);
        }
        return new Repository(uri, store, catalog, marker, options, host);
      } catch (error) {
        await catalog.close();
        throw error;
      }
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /**
   * Uploads `source` (a local file path or bytes) as a new, unpublished
   * version of `logicalPath`, with `Content-MD5`, checks the stored ETag,
   * then records it.
   */
  async add(
    logicalPath: string,
    source: string | Uint8Array,
    options: AddOptions = {},
  ): Promise<RepoRecord> {
    const path = normalizeLogicalPath(logicalPath);
    const tags = [...(options.tags ?? []).map(checkTag)];
    const now = this.clock.now();
    if (options.dateTag) tags.push(...dateTags(options.dateTag, now));
    const size = typeof source === "string" ? (await Deno.stat(source)).size : source.byteLength;
    const md5 = typeof source === "string" ? await md5File(source) : md5Hex(source);
    const ext = extname(basename(path)).replace(/[^A-Za-z0-9.]/g, "").slice(0, 16);
    const contentKey = `${this.marker.contentPrefix}${crypto.randomUUID()}${ext}`;
    const put = await this.store.put(
      contentKey,
      typeof source === "string" ? { path: source } : source,
      {
        ifNoneMatch: "*",
        md5,
        size,
        metadata: { "vc-md5": md5 },
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
    await this.#verifyStored(contentKey, put.etag, md5, size);
    return await this.catalog.transaction("write", async (tx) => {
      const rows = await tx.query(
        `INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at)
         VALUES ($1, 'unpublished', $2, $3, $4, $5, $6) RETURNING id`,
        [path, contentKey, size, md5, this.host, now],
      );
      const id = Number(rows[0]!.id);
      for (const tag of new Set(tags)) {
        await tx.query(
          "INSERT INTO record_tags (record_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
          [id, tag],
        );
      }
      return await this.#get(tx, id);
    });
  }

  async #verifyStored(key: string, etag: string, md5: string, size: number): Promise<void> {
    const plain = normalizeEtag(etag);
    if (/^[0-9a-f]{32}$/.test(plain)) {
      if (plain !== md5) {
        throw new IntegrityError(
          `upload of ${key}: the store's ETag ${plain} is not the MD5 ${md5}`,
        );
      }
      return;
    }
    // Multipart or opaque ETag: the HEAD must show the size and our MD5 metadata.
    const info = await this.store.head(key);
    if (!info || info.size !== size || (info.metadata?.["vc-md5"] ?? md5) !== md5) {
      throw new IntegrityError(
        `upload of ${key}: the stored object does not match (${size} bytes, MD5 ${md5})`,
      );
    }
  }

  /** Publishes record `id`. Revives an expired record; a republish keeps the first publish time. */
  publish(id: number): Promise<RepoRecord> {
    return this.#transition(id, "publish", ["unpublished", "published", "expired"], (now) => [
      "state = 'published', published_at = COALESCE(published_at, $2), expired_at = NULL",
      [now],
    ]);
  }

  /** Expires record `id` (published or not). */
  expire(id: number): Promise<RepoRecord> {
    return this.#transition(id, "expire", ["unpublished", "published", "expired"], (now) => [
      "state = 'expired', expired_at = COALESCE(expired_at, $2), claimed_by = NULL, claim_until = NULL",
      [now],
    ]);
  }

  /** Deletes record `id`'s content and keeps the record as purged. Refuses a published record. */
  async purge(id: number): Promise<RepoRecord> {
    const record = await this.#transition(
      id,
      "purge",
      ["unpublished", "expired", "purged"],
      (now) => [
        "state = 'purged', purged_at = COALESCE(purged_at, $2), claimed_by = NULL, claim_until = NULL",
        [now],
      ],
    );
    await this.store.delete([record.contentKey]);
    return record;
  }

  async #transition(
    id: number,
    verb: string,
    allowed: readonly RecordState[],
    set: (now: number) => [string, (string | number)[]],
  ): Promise<RepoRecord> {
    const rid = parseRecordId(id);
    return await this.catalog.transaction("write", async (tx) => {
      const rows = await tx.query(
        `SELECT state FROM records WHERE id = $1${this.catalog.dialect.forUpdate}`,
        [rid],
      );
      if (rows.length === 0) throw new UnknownRecordError(`no record with id ${rid}`);
      const state = String(rows[0]!.state) as RecordState;
      if (!allowed.includes(state)) {
        throw new RecordStateError(
          `cannot ${verb} record ${rid}: it is ${state}` +
            (verb === "purge" ? " (expire it first)" : ""),
        );
      }
      const [clause, params] = set(this.clock.now());
      await tx.query(`UPDATE records SET ${clause} WHERE id = $1`, [rid, ...params]);
      return await this.#get(tx, rid);
    });
  }

  /** Record `id`; {@linkcode UnknownRecordError} when there is none. */
  get(id: number): Promise<RepoRecord> {
    const rid = parseRecordId(id);
    return this.catalog.transaction("read", (tx) => this.#get(tx, rid));
  }

  async #get(tx: Tx, id: number): Promise<RepoRecord> {
    const rows = await tx.query(`SELECT ${RECORD_COLUMNS} FROM records r WHERE r.id = $1`, [id]);
    if (rows.length === 0) throw new UnknownRecordError(`no record with id ${id}`);
    return (await attachTags(tx, [rowToRecord(rows[0]!)]))[0]!;
  }

  /** The newest published (so not expired) record of `logicalPath`, by index. */
  current(logicalPath: string): Promise<RepoRecord | undefined> {
    const path = normalizeLogicalPath(logicalPath);
    return this.catalog.transaction("read", async (tx) => {
      const rows = await tx.query(
        `SELECT ${RECORD_COLUMNS} FROM records r WHERE r.path = $1 AND r.state = 'published'
         ORDER BY r.id DESC LIMIT 1`,
        [path],
      );
      return rows[0] ? (await attachTags(tx, [rowToRecord(rows[0])]))[0] : undefined;
    });
  }

  /** Records by state, path and/or tag, oldest first (or newest first with `limit`). */
  list(options: ListOptions = {}): Promise<RepoRecord[]> {
    const where = new Where();
    if (options.state !== undefined) {
      where.and(`r.state = ${where.param(checkState(options.state))}`);
    }
    if (options.path !== undefined) {
      where.and(`r.path = ${where.param(normalizeLogicalPath(options.path))}`);
    }
    if (options.tag !== undefined) where.and(where.idAmongTagged([checkTag(options.tag)]));
    const order = options.limit === undefined
      ? " ORDER BY r.id"
      : ` ORDER BY r.id DESC LIMIT ${limitOf(options.limit)}`;
    return this.#select(`SELECT ${RECORD_COLUMNS} FROM records r${where}${order}`, where.params);
  }

  /** Records matching a tag query; `exclude` alone is an error. */
  find(query: FindQuery): Promise<RepoRecord[]> {
    const any = (query.any ?? []).map(checkTag);
    const all = (query.all ?? []).map(checkTag);
    const exclude = (query.exclude ?? []).map(checkTag);
    if (any.length === 0 && all.length === 0) {
      throw new InvalidInputError(
        exclude.length > 0
          ? "find: --exclude alone would select almost everything; add --any or --all tags"
          : "find: give tags to find (--any, --all, optionally --exclude)",
      );
    }
    const where = new Where();
    where.and(where.idAmongTagged(any.length > 0 ? any : [all[0]!]));
    for (const tag of all) where.and(where.hasTag(tag));
    for (const tag of exclude) where.and(`NOT ${where.hasTag(tag)}`);
    if (query.published) where.and("r.state = 'published'");
    const limit = query.limit === undefined ? "" : ` LIMIT ${limitOf(query.limit)}`;
    return this.#select(
      `SELECT ${RECORD_COLUMNS} FROM records r${where} ORDER BY r.id${limit}`,
      where.params,
    );
  }

  #select(sql: string, params: (string | number | null)[]): Promise<RepoRecord[]> {
    return this.catalog.transaction("read", async (tx) => {
      const rows: Row[] = await tx.query(sql, params);
      return await attachTags(tx, rows.map(rowToRecord));
    });
  }

  /** Adds tags to a record (`{ id }`) or to a logical path (`{ path }`, inherited by all its records). */
  tag(target: TagTarget, tags: readonly string[]): Promise<void> {
    return this.#tags(target, tags, "add");
  }

  /** Removes tags from a record or a logical path. */
  untag(target: TagTarget, tags: readonly string[]): Promise<void> {
    return this.#tags(target, tags, "remove");
  }

  async #tags(target: TagTarget, tags: readonly string[], op: "add" | "remove"): Promise<void> {
    const checked = tags.map(checkTag);
    if (checked.length === 0) {
      throw new InvalidInputError(`${op === "add" ? "tag" : "untag"}: no tags given`);
    }
    await this.catalog.transaction("write", async (tx) => {
      if ("id" in target) {
        const id = parseRecordId(target.id);
        const exists = await tx.query("SELECT id FROM records WHERE id = $1", [id]);
        if (exists.length === 0) throw new UnknownRecordError(`no record with id ${id}`);
        for (const tag of checked) {
          await tx.query(
            op === "add"
              ? "INSERT INTO record_tags (record_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING"
              : "DELETE FROM record_tags WHERE record_id = $1 AND tag = $2",
            [id, tag],
          );
        }
      } else {
        const path = normalizeLogicalPath(target.path);
        for (const tag of checked) {
          await tx.query(
            op === "add"
              ? "INSERT INTO path_tags (path, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING"
              : "DELETE FROM path_tags WHERE path = $1 AND tag = $2",
            [path, tag],
          );
        }
      }
    });
  }

  /**
   * Hands the next unclaimed published record matching `tag`/`path` to this
   * caller alone, for `ttlMs`; `undefined` when none is free. A claim whose
   * ttl passed is free again (its holder is presumed dead).
   */
  claim(options: ClaimOptions): Promise<Claim | undefined> {
    const ttl = checkTtl(options.ttlMs);
    const holder = options.holder ?? `${this.host}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
    return this.catalog.transaction("write", async (tx) => {
      const now = this.clock.now();
      const where = new Where();
      where.and("r.state = 'published'");
      where.and(`(r.claim_until IS NULL OR r.claim_until <= ${where.param(now)})`);
      if (options.path !== undefined) {
        where.and(`r.path = ${where.param(normalizeLogicalPath(options.path))}`);
      }
      if (options.tag !== undefined) where.and(where.hasTag(checkTag(options.tag)));
      const rows = await tx.query(
        `SELECT r.id FROM records r${where} ORDER BY r.id LIMIT 1${this.catalog.dialect.forUpdateSkipLocked}`,
        where.params,
      );
      if (rows.length === 0) return undefined;
      const id = Number(rows[0]!.id);
      const until = now + ttl;
      await tx.query("UPDATE records SET claimed_by = $1, claim_until = $2 WHERE id = $3", [
        holder,
        until,
        id,
      ]);
      return { record: await this.#get(tx, id), holder, until: new Date(until).toISOString() };
    });
  }

  /** Extends `holder`'s claim on record `id` to `ttlMs` from now; {@linkcode ClaimLostError} if another holds it. */
  renew(id: number, holder: string, ttlMs: number): Promise<Claim> {
    const ttl = checkTtl(ttlMs);
    return this.#holderUpdate(id, holder, "renew", (now) => [
      "claim_until = $3",
      [now + ttl],
    ]).then((record) => ({ record, holder, until: record.claimUntil! }));
  }

  /** Gives up `holder`'s claim on record `id`. */
  async release(id: number, holder: string): Promise<RepoRecord> {
    return await this.#holderUpdate(
      id,
      holder,
      "release",
      () => ["claimed_by = NULL, claim_until = NULL", []],
    );
  }

  #holderUpdate(
    id: number,
    holder: string,
    verb: string,
    set: (now: number) => [string, number[]],
  ): Promise<RepoRecord> {
    const rid = parseRecordId(id);
    return this.catalog.transaction("write", async (tx) => {
      const rows = await tx.query(
        `SELECT claimed_by FROM records WHERE id = $1${this.catalog.dialect.forUpdate}`,
        [rid],
      );
      if (rows.length === 0) throw new UnknownRecordError(`no record with id ${rid}`);
      if (rows[0]!.claimed_by !== holder) {
        throw new ClaimLostError(
          `cannot ${verb} the claim on record ${rid}: ${holder} does not hold it` +
            (rows[0]!.claimed_by === null
              ? " (nobody does)"
              : " (its ttl passed and another worker took it)"),
        );
      }
      const [clause, params] = set(this.clock.now());
      await tx.query(`UPDATE records SET ${clause} WHERE id = $1 AND claimed_by = $2`, [
        rid,
        holder,
        ...params,
      ]);
      return await this.#get(tx, rid);
    });
  }

  /** The store URI of record `id`'s content. */
  async contentUri(id: number): Promise<string> {
    return joinUri(this.store.url, (await this.get(id)).contentKey);
  }

  /**
   * Downloads record `id`'s content through the asset cache (content keys
   * never change, so the cached copy is never revalidated) and checks its MD5
   * against the record. Returns the local path.
   */
  async download(id: number): Promise<string> {
    const record = await this.get(id);
    if (record.state === "purged") {
      throw new RecordStateError(`record ${record.id} is purged: its content was deleted`);
    }
    if (this.#cache === undefined) {
      const { AssetCache } = await import("../cache/asset_cache.ts");
      this.#cache = new AssetCache();
    }
    const local = await this.#cache.cache(joinUri(this.store.url, record.contentKey), {
      immutable: true,
    });
    const actual = await md5File(local);
    if (actual !== record.md5) {
      await this.#cache.delete(joinUri(this.store.url, record.contentKey)).catch(() => false);
      throw new IntegrityError(
        `record ${record.id}: downloaded MD5 ${actual}, recorded ${record.md5}`,
      );
    }
    return local;
  }

  /** Garbage collection; see `gc.ts`. */
  gc(options: GcOptions = {}): Promise<GcReport> {
    return gc(this, options);
  }

  /** Compares catalog and store; see `check.ts`. */
  check(
    options: { onProgress?: (done: number, total: number) => void } = {},
  ): Promise<CheckReport> {
    return check(this, options);
  }

  /**
   * Writes a consistent snapshot of the catalog (one transaction, gzip JSON
   * Lines) to `dest` (an object URI) or to `backups/` in the repository's
   * store, and returns its URI.
   */
  async backup(dest?: string): Promise<{ uri: string; counts: SnapshotCounts; bytes: number }> {
    const createdAt = new Date(this.clock.now()).toISOString();
    const { bytes, counts } = await snapshotCatalog(this.catalog, {
      createdAt,
      repository: this.uri,
      catalog: catalogText(this.marker.catalog),
    });
    let uri: string;
    if (dest !== undefined) {
      await writeObjectUri(dest, bytes, this.#openStore);
      uri = dest;
    } else {
      const key = `backups/catalog-${createdAt.replace(/[:.]/g, "-")}.jsonl.gz`;
      await this.store.put(key, bytes, { contentType: "application/gzip" });
      uri = joinUri(this.store.url, key);
    }
    return { uri, counts, bytes: bytes.byteLength };
  }

  /**
   * Rebuilds the catalog of the repository at `uri` from `snapshot` (an object
   * URI). With `catalog`, restores into that catalog (SQLite or PostgreSQL)
   * and points the repository's marker at it: this is how a repository moves
   * between catalog kinds. Refuses a catalog holding records unless `force`.
   */
  static async restore(
    uri: string,
    snapshot: string,
    options: InitOptions & { force?: boolean } = {},
  ): Promise<SnapshotCounts> {
    const host = options.host ?? Deno.hostname();
    const open = options.openStore ?? openStore;
    const bytes = await readObjectUri(snapshot, open);
    const store = await open(uri);
    try {
      let marker: RepoMarker | undefined;
      try {
        marker = await readMarker(store);
      } catch (error) {
        if (options.catalog === undefined) throw error;
      }
      const ref = options.catalog !== undefined
        ? parseCatalogRef(options.catalog, host, Deno.cwd())
        : marker!.catalog;
      checkHost(ref, host);
      const postgresUrl = options.postgresUrl ??
        (ref.kind === "postgres" ? options.catalog : undefined);
      const catalog = await openCatalog(ref, {
        create: true,
        ...(postgresUrl ? { postgresUrl } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
      try {
        const counts = await restoreCatalog(catalog, bytes, {
          ...(options.force ? { force: true } : {}),
          source: snapshot,
        });
        if (ref.kind === "sqlite") {
          await catalog.transaction("write", (tx) =>
            tx.query(
              "INSERT INTO vc_meta (key, value) VALUES ('host', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
              [host],
            ));
        }
        if (marker === undefined || catalogText(marker.catalog) !== catalogText(ref)) {
          await writeMarker(store, {
            format: "vc-repo",
            version: 1,
            catalog: ref,
            contentPrefix: marker?.contentPrefix ?? "content/",
            createdAt: marker?.createdAt ??
              new Date((options.clock ?? systemClock).now()).toISOString(),
          }, { replace: true });
        }
        return counts;
      } finally {
        await catalog.close();
      }
    } finally {
      await store.close();
    }
  }

  /** Closes the catalog, the store and a cache this repository created. */
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

function checkState(state: string): RecordState {
  if (!["unpublished", "published", "expired", "purged"].includes(state)) {
    throw new InvalidInputError(
      `state "${state}" is not unpublished, published, expired or purged`,
    );
  }
  return state as RecordState;
}

function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new InvalidInputError(`claim ttl ${ttlMs} ms is not a positive duration`);
  }
  return Math.round(ttlMs);
}

function limitOf(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new InvalidInputError(`limit ${limit} is not a positive integer`);
  }
  return limit;
}
