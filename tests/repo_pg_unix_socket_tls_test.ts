/**
 * Over a Unix socket, a PostgreSQL catalog's connection is plain text
 * whatever its sslmode, as libpq's ("sslmode is ignored for Unix domain
 * socket communication"): PostgreSQL never offers TLS on its sockets. Before,
 * vc sent an SSLRequest there too, so `sslmode=require` (or a `verify-`
 * mode, or `PGSSLMODE=require` set for the TCP hosts) could never connect
 * through a socket that psql connects through.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const noEnv = () => undefined;

/** Whether the catalog at `url` connects through a Unix socket, in plain text. */
async function plainOverSocket(
  url: string,
  env: (name: string) => string | undefined = noEnv,
): Promise<boolean> {
  const catalog = await openPostgresCatalog(url, { env });
  try {
    const rows = await catalog.transaction("read", (tx) =>
      tx.query(
        "SELECT (a.client_addr IS NULL AND NOT s.ssl)::int AS plain FROM pg_stat_activity a " +
          "JOIN pg_stat_ssl s USING (pid) WHERE a.pid = pg_backend_pid()",
      ));
    return rows[0]?.plain === 1;
  } finally {
    await catalog.close();
  }
}

Deno.test({
  name:
    "repo: a PostgreSQL catalog over a Unix socket ignores sslmode, as libpq (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    // ssl=off: no TLS anywhere, as on most servers' sockets.
    await using pg = await startPgServer();
    const dir = encodeURIComponent(pg.socketDir);
    const query = `postgresql:///vc_test?host=${dir}&port=${pg.port}&user=vc`;
    const hostForm = `postgres://vc@${dir}:${pg.port}/vc_test`;
    for (const url of [query, hostForm]) {
      const and = url.includes("?") ? "&" : "?";
      for (
        const params of [
          "sslmode=require",
          "sslmode=prefer",
          "sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem",
          "sslmode=verify-full",
          "sslmode=require&sslnegotiation=direct",
        ]
      ) {
        assertEquals(await plainOverSocket(`${url}${and}${params}`), true, params);
      }
      assertEquals(
        await plainOverSocket(url, (n) => n === "PGSSLMODE" ? "require" : undefined),
        true,
        "PGSSLMODE=require",
      );
    }
    // The parameters are still checked, as libpq checks them.
    await assertRejects(
      () => openPostgresCatalog(`${query}&sslmode=requir`, { env: noEnv }),
      CatalogUnavailableError,
      "invalid sslmode=requir",
    );
    await assertRejects(
      () => openPostgresCatalog(`${query}&sslmode=require&sslrootcert=system`, { env: noEnv }),
      CatalogUnavailableError,
      "sslrootcert=system",
    );
    // TCP to the same server still requires TLS.
    await assertRejects(
      () => openPostgresCatalog(`${pg.url}?sslmode=require`, { env: noEnv }),
      CatalogUnavailableError,
      "sslmode requires TLS",
    );
  },
});
