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
    "repo: a PostgreSQL catalog asking for a password none was given for says so, and names a password file libpq would ignore (needs PostgreSQL initdb, else ignored)",
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
      // A password file its group or others may read is ignored, as libpq
      // ignores it, and the error says so; once it is 0600 it is used.
      const pgpass = join(home, ".pgpass");
      await Deno.writeTextFile(pgpass, "*:*:*:*:s3cret\n");
      await Deno.chmod(pgpass, 0o644);
      await assertRejects(
        () => openPostgresCatalog(pg.url, { env: env({ HOME: home }) }),
        CatalogUnavailableError,
        `${pgpass} is open to its group or others (mode 0644); libpq and vc ignore it: chmod 0600`,
      );
      await Deno.chmod(pgpass, 0o600);
      await (await openPostgresCatalog(pg.url, { env: env({ HOME: home }) })).close();
      // A FIFO at its name is passed over, not read (which would block).
      await Deno.remove(pgpass);
      const mkfifo = await new Deno.Command("mkfifo", { args: ["-m", "600", pgpass] }).output();
      assert(mkfifo.success);
      await assertRejects(
        () => openPostgresCatalog(pg.url, { env: env({ HOME: home }) }),
        CatalogUnavailableError,
        `${pgpass} is not a regular file`,
      );
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});
