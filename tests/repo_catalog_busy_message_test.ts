/**
 * A catalog that stays busy says for how long vc waited, and why and what to
 * do: another process kept it locked for writing (before a fix of gc, each
 * of its batches held SQLite's writer lock for up to a minute), so run the
 * command again once that is done. It said only `stayed busy after 45
 * attempts: database is locked (gave up after 45 attempts)`, the attempts
 * twice and the wait and the way on not at all.
 */
import { join } from "node:path";
import { CatalogBusyError } from "../src/repo/catalog.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assert, assertMatch, assertRejects } from "./assert.ts";

Deno.test("catalog: busy says how long it waited, once how many attempts, and what to do", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_busy_message_" });
  const path = join(dir, "c.sqlite");
  const holder = await openSqliteCatalog(path, { create: true, busyTimeoutMs: 1 });
  const waiter = await openSqliteCatalog(path, { busyTimeoutMs: 1, attempts: 3 });
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
    assertMatch(
      error.message,
      new RegExp(`^catalog sqlite:\\S+ stayed busy for \\d+(\\.\\d)? s: `),
    );
    assert(error.message.includes(path), error.message);
    assert(error.message.match(/3 attempts/g)?.length === 1, error.message);
    assert(error.message.includes("another process kept it locked"), error.message);
    assert(error.message.includes("run the command again once it is done"), error.message);
  } finally {
    await holder.close();
    await waiter.close();
    await Deno.remove(dir, { recursive: true });
  }
});
