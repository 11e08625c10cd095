/**
 * Tagging a record that another session deletes meanwhile (a forced restore
 * of an older snapshot, run while workers go on: the record an add made
 * since is dropped) is an `UnknownRecordError` naming the record, as for an
 * id that never existed. Before, `tag` read the record without a lock,
 * then its insert's foreign-key check waited for the deleting transaction
 * and failed: a worker running `claim`, `untag todo`, `tag done` during
 * `vc repo restore SNAPSHOT --force` got a bare `PostgresError: insert or
 * update on table "record_tags" violates foreign key constraint`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository, UnknownRecordError } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo tag: a record deleted by another session meanwhile is an UnknownRecordError",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_pg_tag_deleted_" });
    const other = await openPostgresCatalog(pg.url, { env: () => undefined });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await using repo = await Repository.init(uri, { catalog: pg.url });
      const kept = await repo.add("/kept.txt", new TextEncoder().encode("k"));
      const gone = await repo.add("/gone.txt", new TextEncoder().encode("g"));

      // Another session deletes the record and holds its transaction open.
      const { promise: commit, resolve: letCommit } = Promise.withResolvers<void>();
      const { promise: deleted, resolve: isDeleted } = Promise.withResolvers<void>();
      const deleting = other.transaction("write", async (tx) => {
        await tx.query("DELETE FROM records WHERE id = $1", [gone.id]);
        isDeleted();
        await commit;
      });
      await deleted;
      const tagging = repo.tag({ id: gone.id }, ["done"]).then(
        () => undefined,
        (error: unknown) => error,
      );
      // Commit only once the tag waits for the deleter's row lock.
      let waiting = false;
      for (let i = 0; i < 200 && !waiting; i++) {
        const rows = await other.transaction(
          "read",
          (tx) => tx.query("SELECT count(*) AS n FROM pg_locks WHERE NOT granted"),
        );
        waiting = Number(rows[0]?.n) > 0;
        if (!waiting) await new Promise((r) => setTimeout(r, 10));
      }
      assert(waiting, "the tag waited for the deleting transaction");
      letCommit();
      await deleting;

      const error = await tagging;
      assert(error instanceof UnknownRecordError, `rejected with ${error}`);
      assertEquals(error.message, `no record with id ${gone.id}`);
      // The repository goes on: the other record is tagged.
      assertEquals(await repo.tag({ id: kept.id }, ["done"]), ["done"]);
      await assertRejects(() => repo.tag({ id: gone.id }, ["done"]), UnknownRecordError);
    } finally {
      await other.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
