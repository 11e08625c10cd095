/**
 * What each upload of a mirror run was answered with, kept until the run
 * confirms its uploads in the store (`Mirror.#confirmUploads`): in an
 * in-memory SQLite table, not on the JavaScript heap. A `Map` of them held
 * ~0.5 KB per upload there, which V8 committed 4–5 times over: a first
 * upload of 100,000 files peaked ~190 MB above one that kept nothing.
 * The confirmation marks here what it found ({@linkcode UploadRecord.found},
 * {@linkcode UploadRecord.fail}) and reads the rest back a page at a time
 * ({@linkcode UploadRecord.unfound}), so it holds no list of every key
 * either.
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
 * // Found by a listing: not asked again; a failure kept with its key.
 * record.found("a");
 * assert.deepEqual([...record.unfound()], ["b"]);
 * record.fail("b", "missing");
 * assert.deepEqual([...record.failures()], [{ key: "b", path: "/d/b", size: 3, problem: "missing" }]);
 * ```
 */
export class UploadRecord implements Disposable {
  readonly #db = new DatabaseSync(":memory:");
  readonly #put: StatementSync;
  readonly #get: StatementSync;
  #count: StatementSync | undefined;
  #found: StatementSync | undefined;
  #fail: StatementSync | undefined;

  constructor() {
    this.#db.exec(
      "CREATE TABLE uploads (key TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, " +
        "etag TEXT NOT NULL, found INTEGER NOT NULL DEFAULT 0, problem TEXT) WITHOUT ROWID",
    );
    this.#put = this.#db.prepare(
      "INSERT INTO uploads (key, path, size, etag) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (key) DO UPDATE SET path = excluded.path, size = excluded.size, " +
        "etag = excluded.etag, found = 0, problem = NULL",
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

  /** Marks `key` found in the store as uploaded: {@linkcode unfound} skips it. */
  found(key: string): void {
    this.#found ??= this.#db.prepare("UPDATE uploads SET found = 1 WHERE key = ?");
    this.#found.run(key);
  }

  /** Keeps why `key` is not stored as uploaded (see {@linkcode failures}). */
  fail(key: string, problem: string): void {
    this.#fail ??= this.#db.prepare("UPDATE uploads SET problem = ? WHERE key = ?");
    this.#fail.run(problem, key);
  }

  /**
   * The keys not marked {@linkcode found}, in UTF-8 byte order, read `page`
   * rows at a time (each page after the last key of the one before): no
   * more than a page is held, and the table may be written between pages.
   */
  *unfound(page = 1000): IterableIterator<string> {
    const first = this.#db.prepare(
      "SELECT key FROM uploads WHERE found = 0 ORDER BY key LIMIT ?",
    );
    const after = this.#db.prepare(
      "SELECT key FROM uploads WHERE found = 0 AND key > ? ORDER BY key LIMIT ?",
    );
    let last: string | undefined;
    while (true) {
      const rows = (last === undefined ? first.all(page) : after.all(last, page)) as {
        key: string;
      }[];
      for (const row of rows) yield row.key;
      if (rows.length < page) return;
      last = rows.at(-1)!.key;
    }
  }

  /** The keys {@linkcode fail}ed, in UTF-8 byte order, with their upload's path and size. */
  *failures(): IterableIterator<{ key: string; path: string; size: number; problem: string }> {
    const rows = this.#db.prepare(
      "SELECT key, path, size, problem FROM uploads WHERE problem IS NOT NULL ORDER BY key",
    ).iterate();
    for (const row of rows) {
      const { key, path, size, problem } = row as {
        key: string;
        path: string;
        size: number;
        problem: string;
      };
      yield { key, path, size, problem };
    }
  }

  /** Frees the table. Safe to call twice. */
  [Symbol.dispose](): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
