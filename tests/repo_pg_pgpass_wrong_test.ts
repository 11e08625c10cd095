/**
 * A password the server refuses that came from the password file (a stale
 * line in `~/.pgpass` or `PGPASSFILE`) is reported naming that file, as
 * libpq's "password retrieved from file" does: before, the server's
 * "password authentication failed" was all there was, with nothing to say
 * the password was not the one the user gave in PGPASSWORD or the URL.
 */
import { join } from "node:path";
import { assert, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: a wrong password from the password file names the file (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: "s3cret" });
    const dir = await Deno.makeTempDir();
    try {
      const pgpass = join(dir, "pass file");
      await Deno.writeTextFile(pgpass, "*:*:*:*:stale\n");
      await Deno.chmod(pgpass, 0o600);
      const env = (vars: Record<string, string>) => (name: string) => vars[name];
      const error = await assertRejects(
        () => openPostgresCatalog(pg.url, { env: env({ PGPASSFILE: pgpass }) }),
        CatalogUnavailableError,
        `password authentication failed for user "vc" (password retrieved from file ${pgpass})`,
      );
      assert(!error.message.includes("stale"), error.message);
      // A wrong PGPASSWORD wins over the file, and the file is not named.
      const given = await assertRejects(
        () => openPostgresCatalog(pg.url, { env: env({ PGPASSFILE: pgpass, PGPASSWORD: "x" }) }),
        CatalogUnavailableError,
        "password authentication failed",
      );
      assert(!given.message.includes(pgpass), given.message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
