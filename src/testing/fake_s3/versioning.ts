/**
 * S3 versioning in the fake S3 server, kept small: a bucket's versioning
 * status (PutBucketVersioning / GetBucketVersioning, or the
 * `versionedBuckets` option) and, while it is on, the history of each key:
 * a write over an object or a delete keeps the old object's entry as a
 * noncurrent version, and a delete leaves a delete marker.
 * ListObjectVersions (versioning_handlers.ts) lists that history beside the
 * current objects. Writes answer the version id they made
 * (`x-amz-version-id`), and DeleteObject with `versionId` deletes that one
 * version for good. An old object's bytes are kept beside its entry (a
 * staged copy, `kept`), as S3 keeps them: a versioned delete that makes it
 * current again (its delete marker deleted, or the version written over it)
 * puts them back, with its ETag and metadata. A read of one version
 * (`GET ?versionId=`) is answered 501 NotImplemented (see router.ts).
 *
 * @module
 */
import type { Backend, Body, ObjectFields, Staged, StoredObject } from "./backend.ts";
import { S3Error } from "./s3_error.ts";

/** One entry of a key's history: a noncurrent version or a delete marker. */
export interface VersionEntry {
  versionId: string;
  deleteMarker: boolean;
  lastModified: Date;
  etag: string;
  size: number;
  /** An object's bytes and fields, to make it current again (absent for a delete marker). */
  kept?: KeptObject | undefined;
}

/** A noncurrent object's bytes (staged in the backend) and what a write of them supplies. */
export interface KeptObject {
  staged: Staged;
  fields: ObjectFields;
}

/** What {@linkcode VersionLog.removeVersion} did. */
export interface RemovedVersion {
  /** Which entry went (see removeVersion). */
  found: "current" | "version" | "marker" | "none";
  /** The older object that becomes current again: its bytes go back under the key. */
  restore?: KeptObject;
  /** Bytes kept for an entry that went for good, to discard. */
  dropped?: KeptObject;
}

interface BucketVersions {
  status: "Enabled" | "Suspended";
  /** Per key, newest first: what the current object (if any) hides. */
  history: Map<string, VersionEntry[]>;
  /** The version id of each current object written while versioning was on. */
  current: Map<string, string>;
}

/**
 * The versioning state of the server's buckets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VersionLog } from "./versioning.ts";
 * const log = new VersionLog();
 * log.setStatus("b", "Enabled");
 * log.deleted("b", "k", undefined);
 * assert.equal(log.entries("b", "k", undefined)[0]?.deleteMarker, true);
 * ```
 */
export class VersionLog {
  readonly #buckets = new Map<string, BucketVersions>();
  #counter = 0;

  /** The bucket's status, `undefined` when versioning was never turned on. */
  status(bucket: string): "Enabled" | "Suspended" | undefined {
    return this.#buckets.get(bucket)?.status;
  }

  /** Turns versioning on or suspends it (it is never turned off again, as on S3). */
  setStatus(bucket: string, status: "Enabled" | "Suspended"): void {
    const state = this.#buckets.get(bucket);
    if (state === undefined) {
      this.#buckets.set(bucket, { status, history: new Map(), current: new Map() });
    } else state.status = status;
  }

  /** Whether the bucket keeps any noncurrent version or delete marker. */
  hasHistory(bucket: string): boolean {
    return (this.#buckets.get(bucket)?.history.size ?? 0) > 0;
  }

  /** Forgets a deleted bucket. */
  forget(bucket: string): void {
    this.#buckets.delete(bucket);
  }

  /**
   * `object` was written over `previous` (`undefined`: a new key), whose
   * bytes `kept` holds, if copied. Returns whether they were kept (else the
   * caller discards them: a suspended bucket's "null" version is replaced).
   */
  written(
    bucket: string,
    previous: StoredObject | undefined,
    object: StoredObject,
    kept?: KeptObject,
  ): boolean {
    const state = this.#buckets.get(bucket);
    if (state === undefined) return false;
    const used = this.#keep(state, object.key, previous, kept);
    if (state.status === "Enabled") state.current.set(object.key, this.#newId());
    else state.current.delete(object.key);
    return used;
  }

  /**
   * `key` was deleted; `previous` is the object it held, if any, its bytes
   * in `kept`. Returns whether they were kept (as {@linkcode written}).
   */
  deleted(
    bucket: string,
    key: string,
    previous: StoredObject | undefined,
    kept?: KeptObject,
  ): boolean {
    const state = this.#buckets.get(bucket);
    if (state === undefined) return false;
    const used = this.#keep(state, key, previous, kept);
    // A delete in a versioned bucket only hides the key behind a marker (a
    // suspended one's is the "null" version).
    const marker: VersionEntry = {
      versionId: state.status === "Enabled" ? this.#newId() : "null",
      deleteMarker: true,
      lastModified: new Date(),
      etag: "",
      size: 0,
    };
    const list = state.history.get(key) ?? [];
    state.history.set(key, [marker, ...list.filter((e) => e.versionId !== marker.versionId)]);
    state.current.delete(key);
    return used;
  }

  /**
   * Every entry of `key`, newest first, as ListObjectVersions lists them:
   * the current object (`current`) first, then the history.
   */
  entries(
    bucket: string,
    key: string,
    current: StoredObject | undefined,
  ): Array<VersionEntry & { isLatest: boolean }> {
    const state = this.#buckets.get(bucket);
    const history = state?.history.get(key) ?? [];
    const all: VersionEntry[] = current === undefined ? [...history] : [
      {
        versionId: state?.current.get(key) ?? "null",
        deleteMarker: false,
        lastModified: current.lastModified,
        etag: current.etag,
        size: current.size,
      },
      ...history,
    ];
    return all.map(({ kept: _, ...e }, i) => ({ ...e, isLatest: i === 0 }));
  }

  /** The version id of `key`'s current object, when versioning was on as it was written. */
  currentId(bucket: string, key: string): string | undefined {
    return this.#buckets.get(bucket)?.current.get(key);
  }

  /**
   * Forgets version `versionId` of `key` for good (DeleteObject with
   * `versionId`), leaving no delete marker: `"current"` when it is the
   * current object `current` (the caller deletes the object itself),
   * `"version"` / `"marker"` for an entry of the history, `"none"` for an id
   * the key never had. Where the older object under it becomes current
   * again (S3 does so), it leaves the history and its bytes are `restore`,
   * for the caller to write back under the key; `NotImplemented` for one
   * whose bytes were not kept.
   */
  removeVersion(
    bucket: string,
    key: string,
    versionId: string,
    current: StoredObject | undefined,
  ): RemovedVersion {
    const state = this.#buckets.get(bucket);
    if (state === undefined) return { found: "none" };
    let history = state.history.get(key) ?? [];
    // The entry below the one going, made current again when it is an object.
    const restore = (below: number): KeptObject | undefined => {
      const next = history[below];
      if (next === undefined || next.deleteMarker) return undefined;
      if (next.kept === undefined) {
        throw new S3Error(
          "NotImplemented",
          `deleting version ${versionId} of ${key} would make an older version current again, ` +
            `and this fake S3 did not keep its bytes`,
        );
      }
      history = history.filter((_, i) => i !== below);
      if (next.versionId === "null") state.current.delete(key);
      else state.current.set(key, next.versionId);
      return next.kept;
    };
    const save = () => {
      if (history.length === 0) state.history.delete(key);
      else state.history.set(key, history);
    };
    if (current !== undefined && (state.current.get(key) ?? "null") === versionId) {
      state.current.delete(key);
      const back = restore(0);
      save();
      return back === undefined ? { found: "current" } : { found: "current", restore: back };
    }
    const at = history.findIndex((e) => e.versionId === versionId);
    if (at === -1) return { found: "none" };
    const entry = history[at]!;
    const back = current === undefined && at === 0 ? restore(1) : undefined;
    history = history.filter((e) => e !== entry);
    save();
    return {
      found: entry.deleteMarker ? "marker" : "version",
      ...(back === undefined ? {} : { restore: back }),
      ...(entry.kept === undefined ? {} : { dropped: entry.kept }),
    };
  }

  /** Keys with history (a delete marker or a noncurrent version). */
  keysWithHistory(bucket: string): string[] {
    return [...this.#buckets.get(bucket)?.history.keys() ?? []];
  }

  // The object a write or delete replaces becomes a noncurrent version (one
  // written while versioning was suspended, or before it, is the "null" one
  // a later "null" replaces).
  #keep(
    state: BucketVersions,
    key: string,
    previous: StoredObject | undefined,
    kept: KeptObject | undefined,
  ): boolean {
    if (previous === undefined) return false;
    const versionId = state.current.get(key) ?? "null";
    const list = (state.history.get(key) ?? []).filter((e) =>
      versionId !== "null" || e.versionId !== "null"
    );
    if (state.status === "Suspended" && versionId === "null") {
      state.history.set(key, list);
      if (list.length === 0) state.history.delete(key);
      return false;
    }
    state.history.set(key, [{
      versionId,
      deleteMarker: false,
      lastModified: previous.lastModified,
      etag: previous.etag,
      size: previous.size,
      ...(kept === undefined ? {} : { kept }),
    }, ...list]);
    return kept !== undefined;
  }

  #newId(): string {
    return `v${(++this.#counter).toString().padStart(12, "0")}`;
  }
}

/**
 * A {@linkcode Backend} that tells a {@linkcode VersionLog} of each write and
 * delete; everything else goes to `inner` unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryBackend } from "./memory_backend.ts";
 * import { VersionLog, VersioningBackend } from "./versioning.ts";
 * const log = new VersionLog();
 * const backend = new VersioningBackend(new MemoryBackend(), log);
 * await backend.createBucket("b");
 * log.setStatus("b", "Enabled");
 * assert.equal(await backend.delete("b", "never"), false);
 * assert.equal(log.entries("b", "never", undefined).length, 1); // its delete marker
 * ```
 */
export class VersioningBackend implements Backend {
  readonly #inner: Backend;
  readonly #log: VersionLog;

  /** Wraps `inner`, telling `log` of writes and deletes. */
  constructor(inner: Backend, log: VersionLog) {
    this.#inner = inner;
    this.#log = log;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
  listBuckets(): ReturnType<Backend["listBuckets"]> {
    return this.#inner.listBuckets();
  }
  hasBucket(name: string): boolean {
    return this.#inner.hasBucket(name);
  }
  createBucket(name: string): Promise<boolean> {
    return this.#inner.createBucket(name);
  }
  async deleteBucket(name: string): Promise<void> {
    // S3 refuses to delete a bucket that still has versions or delete markers.
    if (this.#inner.hasBucket(name) && this.#log.hasHistory(name)) {
      throw new S3Error(
        "BucketNotEmpty",
        "The bucket you tried to delete is not empty. You must delete all versions in the bucket.",
        { bucket: name },
      );
    }
    await this.#inner.deleteBucket(name);
    this.#log.forget(name);
  }
  get(bucket: string, key: string): StoredObject | undefined {
    return this.#inner.get(bucket, key);
  }
  sortedKeys(bucket: string): readonly string[] {
    return this.#inner.sortedKeys(bucket);
  }
  read(object: StoredObject, start: number, end: number): Body {
    return this.#inner.read(object, start, end);
  }
  stage(
    source: AsyncIterable<Uint8Array>,
    sizeHint: number | undefined,
    limit: number,
  ): Promise<Staged> {
    return this.#inner.stage(source, sizeHint, limit);
  }
  concat(parts: readonly Staged[]): Promise<Staged> {
    return this.#inner.concat(parts);
  }
  async commit(
    bucket: string,
    key: string,
    staged: Staged,
    fields: ObjectFields,
    check: (existing: StoredObject | undefined) => void,
  ): Promise<StoredObject> {
    const before = this.#inner.get(bucket, key);
    const kept = await this.#copy(bucket, before);
    let previous: StoredObject | undefined;
    let object: StoredObject;
    try {
      object = await this.#inner.commit(bucket, key, staged, fields, (existing) => {
        check(existing);
        previous = existing;
      });
    } catch (error) {
      if (kept !== undefined) await this.#inner.discard(kept.staged);
      throw error;
    }
    // Another write in between replaced `before`: its bytes are not the ones kept.
    const used = this.#log.written(
      bucket,
      previous,
      object,
      previous === before ? kept : undefined,
    );
    if (!used && kept !== undefined) await this.#inner.discard(kept.staged);
    return object;
  }
  discard(staged: Staged): Promise<void> {
    return this.#inner.discard(staged);
  }
  async delete(bucket: string, key: string): Promise<boolean> {
    const previous = this.#inner.get(bucket, key);
    const kept = await this.#copy(bucket, previous);
    const existed = await this.#inner.delete(bucket, key);
    const same = existed && this.#inner.get(bucket, key) === undefined;
    const used = this.#log.deleted(
      bucket,
      key,
      existed ? previous : undefined,
      same ? kept : undefined,
    );
    if (!used && kept !== undefined) await this.#inner.discard(kept.staged);
    return existed;
  }

  // A copy of `object`'s bytes and fields, staged, while the bucket keeps
  // versions: S3 keeps an object written over or deleted as a noncurrent
  // version, which a versioned delete can make current again.
  async #copy(bucket: string, object: StoredObject | undefined): Promise<KeptObject | undefined> {
    if (object === undefined || this.#log.status(bucket) === undefined) return undefined;
    const body = this.#inner.read(object, 0, object.size);
    const source: AsyncIterable<Uint8Array> = body instanceof Uint8Array
      ? (async function* () {
        yield body;
      })()
      : body;
    const staged = await this.#inner.stage(source, object.size, object.size);
    return {
      staged,
      fields: {
        etag: object.etag,
        contentType: object.contentType,
        metadata: object.metadata,
        headers: object.headers,
        partSizes: object.partSizes,
      },
    };
  }

  /**
   * Deletes version `versionId` of `key` for good (no delete marker), as
   * DeleteObject with `versionId` does: `undefined` when the key never had
   * that version, else whether it was a delete marker.
   */
  async deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
  ): Promise<{ deleteMarker: boolean } | undefined> {
    const { found, restore, dropped } = this.#log.removeVersion(
      bucket,
      key,
      versionId,
      this.#inner.get(bucket, key),
    );
    if (found === "current") await this.#inner.delete(bucket, key);
    if (restore !== undefined) {
      await this.#inner.commit(bucket, key, restore.staged, restore.fields, () => {});
    }
    if (dropped !== undefined) await this.#inner.discard(dropped.staged);
    return found === "none" ? undefined : { deleteMarker: found === "marker" };
  }
}
