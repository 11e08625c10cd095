/**
 * `vc repo init --catalog sqlite:PATH` (and a restore into `--catalog
 * sqlite:PATH`) where PATH is a file that is no vc catalog: another
 * program's SQLite database (a mistyped path to `app.db`), or no database at
 * all (a text file). It is refused, naming the file, and the file is left as
 * it was. Before, another program's database got vc's tables and was
 * switched to WAL mode (which that program may not read, on a network file
 * system), and a text file was called a damaged catalog, "rebuild it from a
 * backup with vc repo restore SNAPSHOT --force".
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/repository.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { oneRecordSnapshot } from "./repo_snapshot.ts";

function appDatabase(path: string): void {
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
  db.exec("INSERT INTO users (name) VALUES ('bob')");
  db.close();
}

function assertUntouched(path: string): void {
  const db = new DatabaseSync(path);
  try {
    assertEquals(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "delete");
    assertEquals(db.prepare("SELECT name FROM sqlite_master").all().map((r) => r.name), ["users"]);
    assertEquals(db.prepare("SELECT name FROM users").all().map((r) => r.name), ["bob"]);
  } finally {
    db.close();
  }
}

Deno.test("repo init: a SQLite catalog path holding another program's database is refused, untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_init_foreign_" });
  try {
    const app = join(dir, "app.db");
    appDatabase(app);
    const error = await assertRejects(
      () => Repository.init(`file://${join(dir, "repo")}`, { catalog: `sqlite:${app}` }),
      CatalogUnavailableError,
    );
    assertStringIncludes(error.message, app);
    assertStringIncludes(error.message, "not a vc catalog");
    assertStringIncludes(error.message, "users");
    assertUntouched(app);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore --catalog: another program's database is refused, even with force, untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_foreign_" });
  try {
    const uri = `file://${join(dir, "repo")}`;
    const snapshot = `file://${join(dir, "snap.jsonl.gz")}`;
    await oneRecordSnapshot(uri, snapshot);
    const app = join(dir, "app.db");
    appDatabase(app);
    for (const force of [false, true]) {
      const error = await assertRejects(
        () => Repository.restore(uri, snapshot, { catalog: `sqlite:${app}`, force }),
        CatalogUnavailableError,
      );
      assertStringIncludes(error.message, app);
      assertStringIncludes(error.message, "not a vc catalog");
      assertUntouched(app);
    }
    // The repository is where it was.
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo init: a SQLite catalog path holding a file that is no database is refused, untouched, not called damaged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_init_text_" });
  try {
    const notes = join(dir, "notes.txt");
    await Deno.writeTextFile(notes, "my notes\n".repeat(100));
    const error = await assertRejects(
      () => Repository.init(`file://${join(dir, "repo")}`, { catalog: `sqlite:${notes}` }),
      CatalogUnavailableError,
    );
    assertStringIncludes(error.message, notes);
    assertStringIncludes(error.message, "not a vc catalog");
    // A restore --force would set the file aside and make a catalog in its place.
    assert(!error.message.includes("restore"), error.message);
    assertEquals(await Deno.readTextFile(notes), "my notes\n".repeat(100));
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["notes.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
