/**
 * `vc repo init --catalog postgres://…/NAME` on a server where NAME was not
 * made yet (the first thing one meets on a fresh server) said `cannot reach
 * PostgreSQL catalog …: database "NAME" does not exist`, kind `VcError`:
 * "cannot reach" for a server that answered, and nothing of what to do. vc
 * makes the tables, not the database: the error now says to make it (in
 * UTF8, as README asks), and is a `NotFoundError` (its `kind` in `--json`).
 */
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { NotFoundError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo: a PostgreSQL catalog whose database does not exist says to make it",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir();
    try {
      const catalog = `${pg.url.slice(0, pg.url.lastIndexOf("/"))}/not_made`;
      const e = await assertRejects(
        () => Repository.init(pathToFileURL(join(dir, "r")).href, { catalog }),
        CatalogUnavailableError,
      );
      assertStringIncludes(e.message, 'database "not_made" does not exist');
      assertStringIncludes(e.message, `CREATE DATABASE "not_made" ENCODING 'UTF8'`);
      assert(e.cause instanceof NotFoundError, `cause: ${e.cause}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
