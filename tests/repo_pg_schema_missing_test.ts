/**
 * A PostgreSQL catalog whose tables are not where its URL looks (its schema
 * renamed or dropped, a search_path naming another schema, or none that
 * exists) was `vc: internal error: PostgresError: relation "vc_meta" does not
 * exist` (or `no schema has been selected to create in`): the check for a
 * missing `vc_meta` caught the error of its query, but on PostgreSQL a failed
 * query fails its whole transaction. Both are now a CatalogUnavailableError
 * naming the catalog, as for SQLite.
 */
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

function withSearchPath(url: string, schema: string): string {
  // %20, not URLSearchParams' "+", which libpq reads as a plus sign.
  return `${url}${url.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`;
}

Deno.test({
  name: "repo: a PostgreSQL catalog with no vc tables, or no schema, is a clear error",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir();
    try {
      const admin = await openPostgresCatalog(pg.url);
      try {
        await admin.transaction("write", (tx) => tx.query("CREATE SCHEMA s1"));
      } finally {
        await admin.close();
      }
      const uri = pathToFileURL(join(dir, "r")).href;
      const catalog = withSearchPath(pg.url, "s1");
      await (await Repository.init(uri, { catalog })).close();
      // The schema renamed under the repository: its tables are gone from its search_path.
      const again = await openPostgresCatalog(pg.url);
      try {
        await again.transaction("write", (tx) => tx.query("ALTER SCHEMA s1 RENAME TO s1x"));
      } finally {
        await again.close();
      }
      // (Named on this machine: a marker's options alone are refused, see
      // tests/repo_pg_marker_settings_test.ts.)
      await assertRejects(
        () => Repository.open(uri, { postgresUrl: catalog }),
        CatalogUnavailableError,
        "has no vc schema",
      );
      // A search_path naming no schema that exists: nowhere to create the tables.
      const nowhere = pathToFileURL(join(dir, "n")).href;
      await assertRejects(
        () => Repository.init(nowhere, { catalog: withSearchPath(pg.url, "nosuch") }),
        CatalogUnavailableError,
        "has no schema to keep its tables in",
      );
      // Nothing was made for it.
      assertEquals(
        await Deno.stat(join(dir, "n", ".vc-repo.json")).catch(() => undefined),
        undefined,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/**
 * An `add` whose PostgreSQL catalog was down (stopped, restarting) when it
 * came to record its content left that content in the store, unreferenced,
 * for gc to delete a grace period (7 days) later: every retry of a large
 * add while the server was down left one more copy. Lost before its COMMIT
 * was sent, the transaction committed nothing, so the add deletes it.
 */
Deno.test({
  name: "repo: an add whose PostgreSQL catalog is down deletes the content it uploaded",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir();
    try {
      const uri = pathToFileURL(join(dir, "r")).href;
      // Tried again for half a second, not the default 30 s: the waits are
      // said, then the add fails.
      const waits: string[] = [];
      await using repo = await Repository.init(uri, {
        catalog: pg.url,
        connectRetryMs: 500,
        onConnectWait: (line) => waits.push(line),
      });
      await pg.stop();
      try {
        const lost = await assertRejects(
          () => repo.add("/a.bin", new Uint8Array(1000)),
          CatalogUnavailableError,
          "lost PostgreSQL catalog",
        );
        assertEquals(lost.nothingCommitted, true);
        assert(
          waits.length > 0 && waits.every((w) => w.includes("trying again")),
          waits.join("\n"),
        );
      } finally {
        await pg.start();
      }
      const left = [];
      for await (const entry of Deno.readDir(join(dir, "r"))) left.push(entry.name);
      assertEquals(left.includes("content"), false, `left: ${left.join(", ")}`);
      // The repository works again once the server is back.
      const record = await repo.add("/a.bin", new Uint8Array(1000));
      assertEquals(record.state, "unpublished");
      assertEquals((await repo.check()).ok, true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("repo: connectRetryMs that is not milliseconds ≥ 0 is refused, naming it, before connecting", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const uri = pathToFileURL(join(dir, "r")).href;
    for (const bad of [-1, Number.NaN, Infinity]) {
      await assertRejects(
        // Port 1: nothing listens there, and nothing may be tried.
        () =>
          Repository.init(uri, { catalog: "postgres://vc@127.0.0.1:1/vc", connectRetryMs: bad }),
        InvalidInputError,
        `Repository.init(): the option connectRetryMs must be a finite number of milliseconds, 0 or more, got ${bad}`,
      );
    }
    assertThrows(() => Deno.statSync(join(dir, "r")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
