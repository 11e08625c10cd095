/**
 * The PostgreSQL catalog's `onConnectWait` (told before each wait for a
 * server refusing connections, or for a transaction lost before its COMMIT)
 * was called bare: one that threw made the open fail as "cannot reach
 * PostgreSQL catalog …: <what it threw>" (a `CatalogUnavailableError`, as if
 * the server were down), a transaction reject with the bare value, and an
 * `async` one whose promise rejected ended the process (an unhandled
 * rejection). Now each of them rejects with a `CallbackError` naming
 * `onConnectWait`, and leaves nothing behind: no connection held (the
 * role's one connection is free again), nothing of the transaction
 * committed.
 */
import { assert, assertEquals } from "./assert.ts";
import { CallbackError } from "../src/errors.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, oneConnectionRole, startPgServer } from "./pg_server.ts";

const env = () => undefined;

const KINDS: [string, () => (line: string) => unknown, unknown][] = [
  ["throws", () => () => {
    throw new Error("wait refused");
  }, "wait refused"],
  ["rejects", () => () => Promise.reject(new Error("wait refused")), "wait refused"],
  ["throws a non-Error", () => () => {
    throw "no waiting"; // a string, not an Error
  }, "no waiting"],
];

/** Asserts `error` is the CallbackError of onConnectWait, naming it and what it threw. */
function assertWaitFailure(error: unknown, text: unknown): void {
  assert(error instanceof CallbackError, `rejected with ${error}`);
  assertEquals(error.callback, "onConnectWait");
  assert(error.message.includes("onConnectWait"), error.message);
  assert(error.message.includes(String(text)), error.message);
}

Deno.test({
  name:
    "repo: an onConnectWait that fails while opening a PostgreSQL catalog rejects with a CallbackError (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const url = await oneConnectionRole(pg.url);
    for (const [_kind, make, text] of KINDS) {
      // The role's one connection, held: the open waits, and tells onConnectWait.
      const holder = await openPostgresCatalog(url, { env, connectRetryMs: 0 });
      try {
        const error = await openPostgresCatalog(url, {
          env,
          connectRetryMs: 10_000,
          onConnectWait: make(),
        }).then((c) => c.close().then(() => "opened"), (e: unknown) => e);
        assertWaitFailure(error, text);
      } finally {
        await holder.close();
      }
      // It holds no connection: the role's one is free for the next open.
      const after = await openPostgresCatalog(url, { env, connectRetryMs: 0 });
      await after.close();
    }
  },
});

Deno.test({
  name:
    "repo: an onConnectWait that fails while a lost PostgreSQL transaction waits rejects with a CallbackError, nothing committed (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    for (const [_kind, make, text] of KINDS) {
      const catalog = await openPostgresCatalog(pg.url, { env, onConnectWait: make() });
      try {
        await catalog.transaction(
          "write",
          (tx) => tx.query("CREATE TABLE IF NOT EXISTS t (x INT)"),
        );
        // Lost before its COMMIT on its first two runs: the first is run
        // again at once, the second after a wait onConnectWait is told of.
        let runs = 0;
        const error = await catalog.transaction("write", async (tx) => {
          runs++;
          await tx.query("INSERT INTO t VALUES (1)");
          if (runs <= 2) await tx.query("SELECT pg_terminate_backend(pg_backend_pid())");
        }).then(() => "committed", (e: unknown) => e);
        assertWaitFailure(error, text);
        assertEquals(runs, 2);
        // Nothing of it committed; the catalog still answers.
        const rows = await catalog.transaction(
          "read",
          (tx) => tx.query("SELECT count(*)::int AS n FROM t"),
        );
        assertEquals(rows[0]!.n, 0);
      } finally {
        await catalog.close();
      }
    }
  },
});
