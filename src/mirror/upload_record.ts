/**
 * What each upload of a mirror run was answered with, kept until the run
 * confirms its uploads in the store (`Mirror.#confirmUploads`): in an
 * in-memory SQLite table, not on the JavaScript heap. A `Map` of them held
 * ~0.5 KB per upload there, which V8 committed 4–5 times over: a first
 * upload of 100,000 files peaked ~190 MB above one that kept nothing.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";

/** An upload's answer: the file it was read from, its size and the ETag the store gave. */
export interface UploadAnswer {
  /** The local file. */
  path: string;
  /** Its size in bytes. */
  size: number;
  /** The ETag the store answered the PUT (or copy) with. */
  etag: string;
}

/**
 * Uploads by relative key, the last answer of each kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UploadRecord } from "./upload_record.ts";
 * using record = new UploadRecord();
 * record.set("b", { path: "/d/b", size: 1, etag: '"x"' });
 * record.set("a", { path: "/d/a", size: 2, etag: '"y"' });
 * record.set("b", { path: "/d/b", size: 3, etag: '"z"' });
 * assert.equal(record.size, 2);
 * assert.deepEqual([...record.keys()], ["a", "b"]);
 * assert.deepEqual(record.get("b"), { path: "/d/b", size: 3, etag: '"z"' });
 * assert.equal(record.get("c"), undefined);
 * ```
 */
export class UploadRecord implements Disposable {
  readonly #db = new DatabaseSync(":memory:");
  readonly #put: StatementSync;
  readonly #get: StatementSync;
  #count: StatementSync | undefined;

  constructor() {
    this.#db.exec(
      "CREATE TABLE uploads (key TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, " +
        "etag TEXT NOT NULL) WITHOUT ROWID",
    );
    this.#put = this.#db.prepare(
      "INSERT INTO uploads (key, path, size, etag) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (key) DO UPDATE SET path = excluded.path, size = excluded.size, " +
        "etag = excluded.etag",
    );
    this.#get = this.#db.prepare("SELECT path, size, etag FROM uploads WHERE key = ?");
  }

  /** How many keys are kept (counted when asked: a run asks only when its confirmation fails). */
  get size(): number {
    this.#count ??= this.#db.prepare("SELECT count(*) AS n FROM uploads");
    return (this.#count.get() as { n: number }).n;
  }

  /** Keeps `answer` for `key` (in place of an earlier one). */
  set(key: string, answer: UploadAnswer): void {
    this.#put.run(key, answer.path, answer.size, answer.etag);
  }

  /** The answer kept for `key`, or undefined. */
  get(key: string): UploadAnswer | undefined {
    const row = this.#get.get(key) as { path: string; size: number; etag: string } | undefined;
    return row === undefined ? undefined : { path: row.path, size: row.size, etag: row.etag };
  }

  /** The keys, in UTF-8 byte order (S3's). */
  *keys(): IterableIterator<string> {
    const rows = this.#db.prepare("SELECT key FROM uploads ORDER BY key").iterate();
    for (const row of rows) yield (row as { key: string }).key;
  }

  /** Frees the table. Safe to call twice. */
  [Symbol.dispose](): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
