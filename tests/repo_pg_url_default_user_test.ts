/**
 * A PostgreSQL URL that names no user, with no PGUSER, connects as the user
 * this process runs as, as libpq does (`psql postgres:///vc` as alice is
 * alice): on a Unix socket with peer authentication, Debian's default, no
 * other role gets in. vc connected as `postgres`, which failed there (and
 * with `role "postgres" does not exist` on a server without that role)
 * where psql connects.
 */
import { userInfo } from "node:os";
import { assertEquals } from "./assert.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { parsePostgresUrl } from "../src/repo/postgres_url.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const me = userInfo().username;

Deno.test("repo: a PostgreSQL URL without a user means the process's user, as in libpq", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const none = parsePostgresUrl("postgresql:///cat?host=/run/pg", env({}));
  assertEquals([none.user, none.database], [me, "cat"]);
  // The database defaults to the user, as in libpq.
  assertEquals(parsePostgresUrl("postgres://db", env({})).database, me);
  // PGUSER and the URL's user still come first.
  assertEquals(parsePostgresUrl("postgres://db/cat", env({ PGUSER: "w" })).user, "w");
  assertEquals(parsePostgresUrl("postgres://u@db/cat", env({ PGUSER: "w" })).user, "u");
});

Deno.test({
  name:
    "repo: a PostgreSQL URL without a user connects over the socket as the process's user (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const admin = await openPostgresCatalog(pg.url);
    try {
      await admin.transaction("write", (tx) => tx.query(`CREATE ROLE "${me}" LOGIN`));
    } finally {
      await admin.close();
    }
    const url = `postgresql:///vc_test?host=${encodeURIComponent(pg.socketDir)}&port=${pg.port}`;
    const catalog = await openPostgresCatalog(url, { env: () => undefined });
    try {
      const rows = await catalog.transaction("read", (tx) => tx.query("SELECT current_user AS u"));
      assertEquals(rows[0]?.u, me);
    } finally {
      await catalog.close();
    }
  },
});
