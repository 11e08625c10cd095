/**
 * A repository's marker (in the store, written by whoever can write there)
 * names its SQLite catalog by path. A marker that names another program's
 * database gets a clear refusal, and that database is left exactly as it
 * was: no table, and not switched to WAL (a journal mode is kept in the file).
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("a marker naming another program's SQLite database leaves that database alone", async () => {
  await using ws = await CliWorkspace.create();
  const repo = `file://${ws.path("repo")}`;
  const init = await ws.run(["repo", "init", repo]);
  assertEquals(init.code, 0, init.stderr);

  const victim = ws.path("app.db");
  const db = new DatabaseSync(victim);
  db.exec("CREATE TABLE t (x)");
  db.close();
  // The marker as another writer of the store could leave it.
  const markerPath = ws.path("repo/.vc-repo.json");
  const marker = JSON.parse(await Deno.readTextFile(markerPath));
  marker.catalog.path = victim;
  await Deno.writeTextFile(markerPath, JSON.stringify(marker));
  for await (const e of Deno.readDir(ws.path("repo"))) {
    // The store's record of the marker's old MD5.
    if (e.name.startsWith(".vc~meta~")) await Deno.remove(join(ws.path("repo"), e.name));
  }

  const r = await ws.run(["repo", "find", "--any", "x"], { VC_REPO: repo });
  assertEquals(r.code === 0, false, r.stdout);
  assertStringIncludes(r.stderr, victim);
  assertStringIncludes(r.stderr, "has no vc schema");
  const after = new DatabaseSync(victim);
  try {
    assertEquals(after.prepare("PRAGMA journal_mode").get()?.journal_mode, "delete");
    assertEquals(
      after.prepare("SELECT name FROM sqlite_master").all().map((row) => row.name),
      ["t"],
    );
  } finally {
    after.close();
  }
});

Deno.test("vc repo init with a SQLite catalog path under a regular file: the catalog's error, naming it", async () => {
  await using ws = await CliWorkspace.create();
  // "x" is a file, so the catalog's directory x/ cannot be made.
  await Deno.writeTextFile(ws.path("x"), "not a directory\n");
  const catalog = ws.path("x/c.sqlite");
  const r = await ws.run([
    "repo",
    "init",
    `file://${ws.path("repo")}`,
    "--catalog",
    `sqlite:${catalog}`,
  ]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `cannot create SQLite catalog ${catalog}`);
  assertStringIncludes(r.stderr, `a file is where one of its directories belongs: ${ws.path("x")}`);
  // Nothing was written in place of the file.
  assertEquals(await Deno.readTextFile(ws.path("x")), "not a directory\n");
});
