/**
 * S3 versioning in the fake S3 server, kept small: a bucket's versioning
 * status (PutBucketVersioning / GetBucketVersioning, or the
 * `versionedBuckets` option) and, while it is on, the history of each key:
 * a write over an object or a delete keeps the old object's entry as a
 * noncurrent version, and a delete leaves a delete marker.
 * ListObjectVersions (versioning_handlers.ts) lists that history beside the
 * current objects. Writes answer the version id they made
 * (`x-amz-version-id`), and DeleteObject with `versionId` deletes that one
 * version for good. Only the entries are kept, never old bytes: a read of
 * one version (`GET ?versionId=`), or a delete that would make an older
 * object current again, is answered 501 NotImplemented (see router.ts).
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

  /** `object` was written over `previous` (`undefined`: a new key). */
  written(bucket: string, previous: StoredObject | undefined, object: StoredObject): void {
    const state = this.#buckets.get(bucket);
    if (state === undefined) return;
    this.#keep(state, object.key, previous);
    if (state.status === "Enabled") state.current.set(object.key, this.#newId());
    else state.current.delete(object.key);
  }

  /** `key` was deleted; `previous` is the object it held, if any. */
  deleted(bucket: string, key: string, previous: StoredObject | undefined): void {
    const state = this.#buckets.get(bucket);
    if (state === undefined) return;
    this.#keep(state, key, previous);
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
    return all.map((e, i) => ({ ...e, isLatest: i === 0 }));
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
   * the key never had. Throws `NotImplemented` where S3 would make an older
   * object current again: the fake keeps no old bytes.
   */
  removeVersion(
    bucket: string,
    key: string,
    versionId: string,
    current: StoredObject | undefined,
  ): "current" | "version" | "marker" | "none" {
    const state = this.#buckets.get(bucket);
    const history = state?.history.get(key) ?? [];
    const restores = (next: VersionEntry | undefined) => {
      if (next !== undefined && !next.deleteMarker) {
        throw new S3Error(
          "NotImplemented",
          `deleting version ${versionId} of ${key} would make an older version current again, ` +
            `and this fake S3 keeps no old bytes`,
        );
      }
    };
    if (current !== undefined && (state?.current.get(key) ?? "null") === versionId) {
      restores(history[0]);
      state?.current.delete(key);
      return "current";
    }
    const at = history.findIndex((e) => e.versionId === versionId);
    if (at === -1 || state === undefined) return "none";
    const entry = history[at]!;
    if (current === undefined && at === 0) restores(history[1]);
    const rest = history.filter((_, i) => i !== at);
    if (rest.length === 0) state.history.delete(key);
    else state.history.set(key, rest);
    return entry.deleteMarker ? "marker" : "version";
  }

  /** Keys with history (a delete marker or a noncurrent version). */
  keysWithHistory(bucket: string): string[] {
    return [...this.#buckets.get(bucket)?.history.keys() ?? []];
  }

  // The object a write or delete replaces becomes a noncurrent version (one
  // written while versioning was suspended, or before it, is the "null" one
  // a later "null" replaces).
  #keep(state: BucketVersions, key: string, previous: StoredObject | undefined): void {
    if (previous === undefined) return;
    const versionId = state.current.get(key) ?? "null";
    const list = (state.history.get(key) ?? []).filter((e) =>
      versionId !== "null" || e.versionId !== "null"
    );
    if (state.status === "Suspended" && versionId === "null") {
      state.history.set(key, list);
      if (list.length === 0) state.history.delete(key);
      return;
    }
    state.history.set(key, [{
      versionId,
      deleteMarker: false,
      lastModified: previous.lastModified,
      etag: previous.etag,
      size: previous.size,
    }, ...list]);
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
    let previous: StoredObject | undefined;
    const object = await this.#inner.commit(bucket, key, staged, fields, (existing) => {
      check(existing);
      previous = existing;
    });
    this.#log.written(bucket, previous, object);
    return object;
  }
  discard(staged: Staged): Promise<void> {
    return this.#inner.discard(staged);
  }
  async delete(bucket: string, key: string): Promise<boolean> {
    const previous = this.#inner.get(bucket, key);
    const existed = await this.#inner.delete(bucket, key);
    this.#log.deleted(bucket, key, existed ? previous : undefined);
    return existed;
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
    const found = this.#log.removeVersion(bucket, key, versionId, this.#inner.get(bucket, key));
    if (found === "current") await this.#inner.delete(bucket, key);
    return found === "none" ? undefined : { deleteMarker: found === "marker" };
  }
}
