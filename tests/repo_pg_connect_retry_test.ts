/**
 * A PostgreSQL server refusing a new connection for now (53300 too many
 * clients, when many machines run `vc repo` at once; 57P03 starting up, in a
 * failover) is tried again with backoff while opening the catalog, within
 * `connectRetryMs`, saying so; before, the first refusal was the command's
 * error. A refusal that outlasts the retries names the server and the cause.
 */
import { assert, assertEquals } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, oneConnectionRole, startPgServer } from "./pg_server.ts";

const env = () => undefined;

Deno.test({
  name:
    "repo: opening a PostgreSQL catalog waits out a server with too many clients (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const url = await oneConnectionRole(pg.url);
    // The role's one connection, held.
    const holder = await openPostgresCatalog(url, { env, connectRetryMs: 0 });
    let holderClosed = false;
    try {
      // Gives up at once without retries, naming the server and the cause.
      const refused = await openPostgresCatalog(url, { env, connectRetryMs: 0 }).then(
        () => undefined,
        (e) => e,
      );
      assert(refused instanceof CatalogUnavailableError, String(refused));
      assert(/too many connections/.test(refused.message), refused.message);

      // Waits while the holder lets go after a second.
      const lines: string[] = [];
      const release = setTimeout(() => {
        holderClosed = true;
        holder.close();
      }, 1_200);
      const started = Date.now();
      try {
        const opened = await openPostgresCatalog(url, {
          env,
          connectRetryMs: 10_000,
          onConnectWait: (line) => lines.push(line),
        });
        await opened.close();
      } finally {
        clearTimeout(release);
      }
      assert(Date.now() - started < 10_000);
      assert(lines.length > 0, "no wait was reported");
      assertEquals(
        lines[0],
        `PostgreSQL at 127.0.0.1:${pg.port} has too many clients; trying again in 0.5 s`,
      );
    } finally {
      if (!holderClosed) await holder.close();
    }
  },
});

Deno.test({
  name:
    "repo: a PostgreSQL server with too many clients for longer than the retries is an error naming it, and an abort ends the wait (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const url = await oneConnectionRole(pg.url);
    const holder = await openPostgresCatalog(url, { env, connectRetryMs: 0 });
    try {
      const lines: string[] = [];
      const started = Date.now();
      const error = await openPostgresCatalog(url, {
        env,
        connectRetryMs: 2_000,
        onConnectWait: (line) => lines.push(line),
      }).then(() => undefined, (e) => e);
      const took = Date.now() - started;
      assert(error instanceof CatalogUnavailableError, String(error));
      assert(took < 5_000, `took ${took} ms`);
      assertEquals(lines.length, 2, lines.join("\n")); // 0.5 s, 1 s; 2 s more would pass 2 s
      assert(
        error.message.includes(`PostgreSQL at 127.0.0.1:${pg.port}`) &&
          /too many connections/.test(error.message),
        error.message,
      );

      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("stop")), 300);
      const abortedAt = Date.now();
      const aborted = await openPostgresCatalog(url, {
        env,
        connectRetryMs: 30_000,
        signal: controller.signal,
        onConnectWait: () => {},
      }).then(() => undefined, (e) => e);
      assertEquals((aborted as Error)?.message, "stop");
      assert(Date.now() - abortedAt < 2_000);
    } finally {
      await holder.close();
    }
  },
});
