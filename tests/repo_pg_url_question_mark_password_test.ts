/**
 * A `?` in a PostgreSQL URL's password is itself, as libpq reads it (its user
 * info runs up to the first `@` before any `/`): `psql
 * 'postgres://vc:a?b&c=d@db/vc'` connects. The URL parser took the rest for
 * the query, so vc refused the URL with a message that named neither the `?`
 * nor its fix, or, for a password such as `12?x=1`, read the port 12 of a
 * host `vc` with a parameter `x`, and showed `postgres://vc:12` (the start
 * of the password) and `x` (more of it) in the error.
 */
import { assertEquals } from "./assert.ts";
import { parsePostgresUrl, redactPostgresUrl } from "../src/repo/postgres_url.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const env = () => undefined;

Deno.test("repo: a ? in a PostgreSQL URL's password is part of the password, as in libpq", () => {
  for (const password of ["a?b", "12?x=1", "?", "a?b&c=d", "p?#?q"]) {
    for (const query of ["", "?sslmode=disable"]) {
      const url = `postgres://vc:${password}@db:5433/cat${query}`;
      const s = parsePostgresUrl(url, env);
      assertEquals([s.user, s.password, s.host, s.port, s.database], [
        "vc",
        password,
        "db",
        5433,
        "cat",
      ]);
      assertEquals(s.params.get("sslmode"), query === "" ? undefined : "disable");
      assertEquals(redactPostgresUrl(url), `postgres://vc@db:5433/cat${query}`);
    }
  }
  // A `?` after the host still starts the query, also with an `@` in it.
  const s = parsePostgresUrl("postgres://vc@db/cat?password=p@ss", env);
  assertEquals([s.host, s.database, s.password], ["db", "cat", "p@ss"]);
});

Deno.test({
  name:
    "repo: a PostgreSQL password holding ? & = connects, given as is in the URL (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    const password = "12?x=1&y";
    await using pg = await startPgServer({ password });
    const url = pg.url.replace("postgres://vc@", `postgres://vc:${password}@`);
    const catalog = await openPostgresCatalog(url, { env });
    try {
      const rows = await catalog.transaction("read", (tx) => tx.query("SELECT 1 AS one"));
      assertEquals(Number(rows[0]?.one), 1);
    } finally {
      await catalog.close();
    }
  },
});
