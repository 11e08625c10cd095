/**
 * A writer that comes while a forced restore writes the catalog waits for
 * the restore's commit, then runs on the restored catalog, on SQLite and on
 * PostgreSQL alike; a reader meanwhile sees the catalog as it was before
 * the restore, whole.
 *
 * On SQLite the restore's `BEGIN IMMEDIATE` kept every writer out already.
 * On PostgreSQL a writer read the catalog in between: a tag on record 1,
 * which the snapshot holds too, waited on the row lock of the restore's
 * DELETE and, once it committed, found the row gone (READ COMMITTED sees
 * the old row deleted, not the restored one) and failed `no record with
 * id 1` (measured: the tag waited 18.2 s, the restore's write, then
 * failed). Now every PostgreSQL write transaction takes a lock shared at
 * its first statement that a restore takes exclusive.
 *
 * The restore is held at its first INSERT until the writer is seen waiting
 * (a busy catalog retried, or a PostgreSQL lock not granted): no timing.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { restoreCatalog } from "../src/repo/backup.ts";
import type { Catalog } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/repository.ts";
import { sleep } from "../src/store/retry.ts";
import { assertEquals } from "./assert.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

/** `catalog`, its transactions' first INSERT INTO records held until `gate` resolves. */
function heldAtFirstInsert(catalog: Catalog, reached: () => void, gate: Promise<void>): Catalog {
  let held = false;
  return {
    dialect: catalog.dialect,
    location: catalog.location,
    get conflictsRetried() {
      return catalog.conflictsRetried;
    },
    close: () => catalog.close(),
    transaction: (mode, fn, options) =>
      catalog.transaction(mode, (tx) =>
        fn({
          ...tx,
          query: async (sql, params) => {
            if (!held && sql.startsWith("INSERT INTO records")) {
              held = true;
              reached();
              await gate;
            }
            return await tx.query(sql, params);
          },
        }), options),
  };
}

async function scenario(catalog: string | undefined): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "repo_restore_force_writer_waits_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    const bytes = new TextEncoder().encode("x");
    const one = await repo.add("/a.csv", bytes, { tags: ["kept"] });
    await repo.backup(pathToFileURL(join(dir, "snap.jsonl.gz")).href);
    const snapshot = await Deno.readFile(join(dir, "snap.jsonl.gz"));
    // Added after the backup: the restore drops it.
    await repo.add("/b.csv", bytes);
    await using writer = await Repository.open(uri);
    await using reader = await Repository.open(uri);

    const reached = Promise.withResolvers<void>();
    const gate = Promise.withResolvers<void>();
    const restoring = restoreCatalog(
      heldAtFirstInsert(repo.catalog, reached.resolve, gate.promise),
      snapshot,
      { force: true },
    );
    await reached.promise;
    const tagging = writer.tag({ id: one.id }, ["late"]).then(
      (tags) => tags,
      (error: Error) => `${error.name}: ${error.message}`,
    );
    // Until the writer waits: a busy catalog retried, or (PostgreSQL) a
    // lock it has not been granted.
    for (let seen = false; !seen;) {
      await sleep(10);
      seen = writer.catalog.conflictsRetried > 0 ||
        (catalog !== undefined && (await reader.catalog.transaction(
              "read",
              (tx) => tx.query("SELECT 1 FROM pg_locks WHERE NOT granted"),
            )).length > 0);
    }
    // The reader, meanwhile: the catalog as it was, both records.
    assertEquals((await reader.list()).map((r) => r.path), ["/a.csv", "/b.csv"]);
    gate.resolve();
    const counts = await restoring;
    assertEquals([counts.replaced, counts.dropped], [2, 1]);
    assertEquals(await tagging, ["late"]);
    const after = await reader.list();
    assertEquals(after.map((r) => [r.path, r.tags]), [["/a.csv", ["kept", "late"]]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

onSqliteAndPostgres({
  sqlite: "repo restore --force: a writer waits, then writes the restored catalog, on SQLite",
  postgres: "repo restore --force: a writer waits, then writes the restored catalog, on PostgreSQL",
}, scenario);
