/**
 * The catalog layer on its own: placeholder translation, busy SQLite
 * databases retried with backoff and, when they stay busy, a clear error.
 */
import { join } from "node:path";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "./assert.ts";
import {
  CatalogBusyError,
  CatalogUnavailableError,
  toSqlitePlaceholders,
} from "../src/repo/catalog.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { redactPostgresUrl } from "../src/repo/postgres_catalog.ts";
import { parseCatalogRef } from "../src/repo/marker.ts";

Deno.test("catalog: $n placeholders become ?n for SQLite, literals untouched", () => {
  assertEquals(
    toSqlitePlaceholders("SELECT $1, '$2', $12 FROM t WHERE a = 'it''s $3'"),
    "SELECT ?1, '$2', ?12 FROM t WHERE a = 'it''s $3'",
  );
});

Deno.test("catalog: a password never survives into a recorded catalog location", () => {
  assertEquals(
    redactPostgresUrl("postgresql://u:p%40ss@db:5433/x?sslmode=require"),
    "postgresql://u@db:5433/x?sslmode=require",
  );
  const ref = parseCatalogRef("postgres://vc:hunter2@db/vc", "h");
  assert(ref.kind === "postgres" && !ref.url.includes("hunter2"));
});

Deno.test("catalog: a busy SQLite database is retried, then the transaction succeeds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_" });
  const path = join(dir, "c.sqlite");
  const holder = await openSqliteCatalog(path, { create: true, busyTimeoutMs: 1 });
  // Another process's connection: it meets SQLite's lock, not this process's queue.
  const waiter = await openSqliteCatalog(path, {
    busyTimeoutMs: 1,
    attempts: 50,
    ownWriteQueue: true,
  });
  try {
    await holder.transaction("write", (tx) => tx.query("CREATE TABLE t (v INTEGER)"));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = holder.transaction("write", async (tx) => {
      await tx.query("INSERT INTO t (v) VALUES (1)");
      locked();
      await held;
    });
    await isLocked;
    const writing = waiter.transaction("write", (tx) => tx.query("INSERT INTO t (v) VALUES (2)"));
    // Bounded wait until the writer has met the lock at least once.
    for (let i = 0; i < 500 && waiter.conflictsRetried === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert(waiter.conflictsRetried > 0, "the writer found the database busy and retried");
    release();
    await holding;
    await writing;
    const rows = await waiter.transaction("read", (tx) => tx.query("SELECT v FROM t ORDER BY v"));
    assertEquals(rows.map((r) => r.v), [1, 2]);
  } finally {
    await holder.close();
    await waiter.close();
    await Deno.remove(dir, { recursive: true });
  }
});

// It says how long vc waited, once how many attempts, and why and what to do
// (it said only `stayed busy after 45 attempts: database is locked (gave up
// after 45 attempts)`).
Deno.test("catalog: a SQLite database that stays busy ends in CatalogBusyError naming it, the wait and what to do", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_" });
  const path = join(dir, "c.sqlite");
  const holder = await openSqliteCatalog(path, { create: true, busyTimeoutMs: 1 });
  const waiter = await openSqliteCatalog(path, {
    busyTimeoutMs: 1,
    attempts: 3,
    ownWriteQueue: true,
  });
  try {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = holder.transaction("write", async (tx) => {
      await tx.query("CREATE TABLE t (v INTEGER)");
      locked();
      await held;
    });
    await isLocked;
    const error = await assertRejects(
      () => waiter.transaction("write", (tx) => tx.query("SELECT 1")),
      CatalogBusyError,
    );
    release();
    await holding;
    assertStringIncludes(error.message, `catalog sqlite:${path} stayed busy for `);
    assertMatch(error.message, /stayed busy for \d+(\.\d)? s: /);
    assertEquals(error.message.match(/3 attempts/g)?.length, 1, error.message);
    assertStringIncludes(error.message, "another process kept it locked");
    assertStringIncludes(error.message, "run the command again once it is done");
  } finally {
    await holder.close();
    await waiter.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("catalog: a missing SQLite catalog is reported, not silently created", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_" });
  try {
    await assertRejects(
      () => openSqliteCatalog(join(dir, "nope.sqlite")),
      CatalogUnavailableError,
      "does not exist",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("catalog: SQLite's own wait for a busy catalog is short (it holds the event loop: a Ctrl-C waits it out)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_" });
  const path = join(dir, "c.sqlite");
  // The default under test: node:sqlite waits synchronously, so a Ctrl-C or
  // SIGTERM is handled only once the wait is over (it was 5 s); the retries
  // around it keep the total wait about a minute.
  const catalog = await openSqliteCatalog(path, { create: true });
  try {
    const rows = await catalog.transaction("read", (tx) => tx.query("PRAGMA busy_timeout"));
    const timeout = Number(Object.values(rows[0] ?? {})[0]);
    assert(timeout > 0 && timeout <= 1_000, `busy_timeout ${timeout} ms`);
  } finally {
    await catalog.close();
    await Deno.remove(dir, { recursive: true });
  }
});
