/**
 * A repository call started inside a `repo.catalog.transaction` body and
 * awaited only after the body (a promise kept for later) is refused at once
 * as any transaction begun in a body is. The refusal said only to "run its
 * statements through that transaction's own connection (its `tx`)", which
 * fits a call the body awaits, not one it meant to await later: it now also
 * says to start such a call after the body.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CatalogBusyError, Repository } from "../src/repo/mod.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

onSqliteAndPostgres({
  sqlite:
    "repo catalog: a call started in a transaction body to await after it is refused, saying to start it after the body (sqlite)",
  postgres:
    "repo catalog: a call started in a transaction body to await after it is refused, saying to start it after the body (postgres, needs PostgreSQL initdb, else ignored)",
}, async (catalog) => {
  const dir = await Deno.makeTempDir({ prefix: "vc_call_started_in_body_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    let later: Promise<unknown> | undefined;
    await repo.catalog.transaction("read", async (tx) => {
      later = repo.list();
      later.catch(() => {}); // awaited below, after the body
      await tx.query("SELECT 1");
    });
    const error = await assertRejects(() => later!, CatalogBusyError);
    assertStringIncludes(error.message, "its `tx`");
    assertStringIncludes(error.message, "start it after the body");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
