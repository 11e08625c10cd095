/**
 * A SQLite catalog whose write lock another process holds (a long
 * `vc repo gc`, a process stopped mid-write, a catalog on a slow disk) held
 * every writer silent for about a minute before its `CatalogBusyError`. Once
 * a transaction has waited 5 s, vc now says it waits, once, through
 * `onConnectWait` (the CLI's warning line, as for a PostgreSQL catalog),
 * naming the catalog file and how to find who has it open; a write that
 * then gets the lock still succeeds. Opening a catalog another connection
 * holds locked (`PRAGMA locking_mode = EXCLUSIVE`) says so the same way.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { DatabaseSync } from "node:sqlite";
import { openCatalog } from "../src/repo/open_catalog.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";

// Another process: takes the write lock, says so, and keeps it until its
// stdin closes (30 s at most).
const HOLDER = `
import { DatabaseSync } from "node:sqlite";
const db = new DatabaseSync(Deno.args[0]);
db.exec("BEGIN IMMEDIATE");
db.exec("INSERT INTO t (v) VALUES (1)");
console.log("held");
const stdin = Deno.stdin.readable.getReader();
let timer;
await Promise.race([stdin.read(), new Promise((r) => timer = setTimeout(r, 30_000))]);
clearTimeout(timer);
db.exec("COMMIT");
db.close();
`;

Deno.test("repo: a write waiting behind another process's SQLite lock says so, once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_sqlite_busy_said_" });
  const path = `${dir}/c.sqlite`;
  const lines: string[] = [];
  const catalog = await openCatalog({ kind: "sqlite", path, host: "h" }, {
    create: true,
    onConnectWait: (line) => lines.push(line),
  });
  let child: Deno.ChildProcess | undefined;
  try {
    await catalog.transaction("write", (tx) => tx.query("CREATE TABLE t (v INTEGER)"));
    child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", HOLDER, path],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const out = child.stdout.getReader();
    const first = await out.read();
    assertEquals(new TextDecoder().decode(first.value).trim(), "held");
    const writing = catalog.transaction("write", (tx) => tx.query("INSERT INTO t (v) VALUES (2)"));
    writing.catch(() => {}); // Awaited below; not unhandled when an assertion fails first.
    // Bounded in count and time (each SQLite wait holds this thread for up
    // to 1 s): the warning comes after 5 s of waiting.
    const until = Date.now() + 20_000;
    for (let i = 0; i < 400 && lines.length === 0 && Date.now() < until; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(lines.length, 1, "said it waits while the lock is still held");
    await child.stdin.close();
    await writing;
    const rows = await catalog.transaction("read", (tx) => tx.query("SELECT v FROM t ORDER BY v"));
    assertEquals(rows.map((r) => r.v), [1, 2]);
    assertEquals(lines.length, 1, lines.join("\n"));
    assertStringIncludes(lines[0]!, `catalog sqlite:${path} is busy`);
    assertStringIncludes(lines[0]!, `fuser ${path}`);
    assert(catalog.conflictsRetried > 0, "the write met the lock");
    await out.cancel();
    assert((await child.status).success);
    child = undefined;
  } finally {
    if (child !== undefined) {
      try {
        child.kill();
      } catch {
        // Gone.
      }
      await child.status;
    }
    await catalog.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo: opening a SQLite catalog another connection holds locked says it waits, once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_sqlite_busy_said_open_" });
  const path = `${dir}/c.sqlite`;
  const lines: string[] = [];
  try {
    const made = await openSqliteCatalog(path, { create: true });
    await made.transaction("write", (tx) => tx.query("CREATE TABLE vc_meta (key TEXT)"));
    await made.close();
    const holder = new DatabaseSync(path);
    // Kept after the write's commit, until the connection closes.
    holder.exec("PRAGMA locking_mode = EXCLUSIVE");
    holder.exec("INSERT INTO vc_meta (key) VALUES ('held')");
    // Let go once the wait was said (looked at between the opener's
    // 1 s waits), or after 20 s at most.
    const until = Date.now() + 20_000;
    const release = setInterval(() => {
      if (lines.length > 0 || Date.now() > until) holder.close();
      if (!holder.isOpen) clearInterval(release);
    }, 50);
    try {
      const catalog = await openSqliteCatalog(path, { onLockWait: (line) => lines.push(line) });
      const rows = await catalog.transaction("read", (tx) => tx.query("SELECT key FROM vc_meta"));
      await catalog.close();
      assertEquals(rows.map((r) => r.key), ["held"]);
      assertEquals(lines.length, 1, lines.join("\n"));
      assertStringIncludes(lines[0]!, `catalog sqlite:${path} is busy`);
    } finally {
      clearInterval(release);
      if (holder.isOpen) holder.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
