/**
 * A transaction begun inside another's body on the same SQLite catalog
 * connection (a library caller's `repo.catalog.transaction("read", …)`
 * whose body awaits a read or write of the same catalog, or calls a
 * `Repository` method that does): the connection runs its transactions one
 * at a time, so the inner one waited for the outer, which waited for it,
 * and the process hung with no word (a write in a write was reported busy,
 * as held by "another connection", after its retries). It is refused at
 * once now, naming the way out. Transactions one after another, at once
 * side by side, or begun later from a body's timer are not nested.
 */
import { join } from "node:path";
import { CatalogBusyError } from "../src/repo/mod.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assert, assertEquals } from "./assert.ts";

type Mode = "read" | "write";

/** Rejects with a word of its own when `signal` aborts: the hang the test bounds. */
function hung(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener(
      "abort",
      () => reject(new Error("the nested transaction still waits for its turn")),
      { once: true },
    );
  });
}

for (
  const [outer, inner] of [["read", "read"], ["read", "write"], ["write", "read"], [
    "write",
    "write",
  ]] as [Mode, Mode][]
) {
  Deno.test(`sqlite catalog: a ${inner} begun inside a ${outer} transaction's body on its connection is refused, not waited for`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_sqlite_nested_same_connection_" });
    // Bounds a hang (the bug): the race below ends on it instead.
    const bound = new AbortController();
    const timer = setTimeout(() => bound.abort(), 10_000);
    const catalog = await openSqliteCatalog(join(dir, "catalog.sqlite"), {
      create: true,
      attempts: 2,
      busyTimeoutMs: 100,
    });
    try {
      await catalog.transaction("write", (tx) => tx.query("CREATE TABLE t (n INTEGER)"));
      const nested = catalog.transaction(outer, async (tx) => {
        await tx.query("SELECT count(*) AS n FROM t");
        await catalog.transaction(inner, (x) => x.query("SELECT count(*) AS n FROM t"));
      });
      const error = await Promise.race([nested, hung(bound.signal)]).then(
        () => undefined,
        (e: Error) => e,
      );
      assert(error instanceof CatalogBusyError, `${error?.name}: ${error?.message}`);
      assert(error.message.includes("its `tx`"), error.message);
      assert(!error.message.includes("another"), error.message);
      // The outer transaction ended (rolled back by its body's error): the
      // connection takes the next one.
      const rows = await catalog.transaction("read", (tx) => tx.query("SELECT 1 AS one"));
      assertEquals(rows.map((r) => r.one), [1]);
    } finally {
      clearTimeout(timer);
      await catalog.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("sqlite catalog: transactions side by side, or begun from a finished body's timer, are not nested", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sqlite_nested_same_connection_" });
  const catalog = await openSqliteCatalog(join(dir, "catalog.sqlite"), { create: true });
  try {
    await catalog.transaction("write", (tx) => tx.query("CREATE TABLE t (n INTEGER)"));
    await Promise.all([1, 2, 3].map((n) =>
      catalog.transaction("write", async (tx) => {
        await tx.query("INSERT INTO t VALUES ($1)", [n]);
      })
    ));
    // A timer set in a body runs in its async context, after the body ended.
    const later = Promise.withResolvers<{ n?: unknown }[]>();
    await catalog.transaction("read", (tx) => {
      setTimeout(() => {
        catalog.transaction("read", (x) => x.query("SELECT count(*) AS n FROM t")).then(
          later.resolve,
          later.reject,
        );
      }, 0);
      return tx.query("SELECT 1");
    });
    assertEquals((await later.promise).map((r) => r.n), [3]);
  } finally {
    await catalog.close();
    await Deno.remove(dir, { recursive: true });
  }
});
