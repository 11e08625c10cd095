/**
 * A mirror state file damaged past what opening it checks (a schema whose
 * column was renamed by a flipped byte, a page of a row's overflow zeroed)
 * is refused naming the file and what to do about it, as a file that is
 * not a database is: before, SQLite's words alone ("no such column: md5",
 * "database disk image is malformed") reached the CLI as an internal error.
 */
import { assert, assertMatch } from "./assert.ts";
import { DatabaseSync } from "node:sqlite";
import { MirrorState } from "../src/mirror/state.ts";
import { VcError } from "../src/errors.ts";

Deno.test("mirror state: a files table with a damaged column is refused at open, named", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc-mirror-state-" });
  try {
    const path = `${dir}/m.sqlite`;
    const db = new DatabaseSync(path);
    db.exec(
      "CREATE TABLE files (key TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, " +
        "ctime_ms REAL NOT NULL, ino INTEGER NOT NULL, md6 TEXT NOT NULL, etag TEXT NOT NULL) WITHOUT ROWID",
    );
    db.close();
    let error: unknown;
    try {
      new MirrorState(path).close();
    } catch (e) {
      error = e;
    }
    assert(error instanceof VcError, `not a VcError: ${error}`);
    assertMatch(
      error.message,
      /mirror state file .*m\.sqlite cannot be used \(.*md5.*\); remove it/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("mirror state: a row whose overflow page is damaged is refused when read, named", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc-mirror-state-" });
  try {
    const path = `${dir}/m.sqlite`;
    const state = new MirrorState(path);
    // ETags far longer than a page: their text lives in overflow pages,
    // which opening the file (a count of the rows) never reads.
    const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "m", etag: "e".repeat(20_000) };
    for (let i = 0; i < 8; i++) state.set(`k${i}`, row);
    state.close();
    const db = new DatabaseSync(path);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.exec("PRAGMA journal_mode = DELETE");
    db.close();
    // Every page after the first few (the schema and the table's root) made
    // garbage: the overflow chains are there.
    const bytes = Deno.readFileSync(path);
    const pageSize = (bytes[16]! << 8) | bytes[17]!;
    for (let at = pageSize * 4; at < bytes.length; at++) bytes[at] = 0xa5;
    Deno.writeFileSync(path, bytes);
    let failure: unknown;
    let opened: MirrorState | undefined;
    try {
      opened = new MirrorState(path);
      const lookup = opened.cursor();
      for (let i = 0; i < 8; i++) lookup(`k${i}`);
      for (let i = 0; i < 8; i++) opened.get(`k${i}`);
    } catch (error) {
      failure = error;
    } finally {
      try {
        opened?.close();
      } catch {
        // Closing a damaged file may fail too; the read's error is the one checked.
      }
    }
    assert(failure !== undefined, "the damaged file was read without an error");
    assert(failure instanceof VcError, `not a VcError: ${failure}`);
    assertMatch(
      (failure as Error).message,
      /mirror state file .*m\.sqlite cannot be (used|read) .*remove it/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
