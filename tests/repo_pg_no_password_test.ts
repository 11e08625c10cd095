/**
 * A PostgreSQL catalog that asks for a password when none was given (not in
 * the URL, PGPASSWORD nor the password file) says so, as libpq's "no password
 * supplied" does. Before, the server's "password authentication failed" was
 * all there was, as if a wrong password had been given.
 */
import { join } from "node:path";
import { assert, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: a PostgreSQL catalog asking for a password none was given for says so (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: "s3cret" });
    const home = await Deno.makeTempDir();
    try {
      const env = (vars: Record<string, string>) => (name: string) => vars[name];
      const none = await assertRejects(
        () => openPostgresCatalog(pg.url, { env: env({ HOME: home }) }),
        CatalogUnavailableError,
        `password authentication failed for user "vc" (no password was given: none in the URL, ` +
          `PGPASSWORD or ${join(home, ".pgpass")})`,
      );
      assert(none.message.startsWith(`cannot reach PostgreSQL catalog ${pg.url}:`), none.message);
      // A wrong password given: the server's words alone.
      const wrong = await assertRejects(
        () => openPostgresCatalog(pg.url, { env: env({ HOME: home, PGPASSWORD: "wrong" }) }),
        CatalogUnavailableError,
        "password authentication failed",
      );
      assert(!wrong.message.includes("no password"), wrong.message);
      assert(!wrong.message.includes("wrong"), wrong.message);
      const right = await openPostgresCatalog(pg.url, { env: env({ PGPASSWORD: "s3cret" }) });
      await right.close();
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});
