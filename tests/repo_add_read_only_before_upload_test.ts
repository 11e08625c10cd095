/**
 * An add by a user who may only read the catalog (a PostgreSQL role granted
 * SELECT alone; a SQLite catalog file this user may not write) is refused
 * before its content is hashed or uploaded: the refusal came from the
 * record's INSERT, after the whole upload (gigabytes, for a large file),
 * which was then deleted again. No orphan content is left for a gc either.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { CatalogReadOnlyError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/mod.ts";
import type { ObjectStore } from "../src/store/mod.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { overriding } from "./overriding.ts";
import { probeReadOnlyMount, readOnlyMount } from "./mounts.ts";

/** Opens stores as vc does, noting the key of every put. */
function countingOpener(puts: string[]) {
  return async (uri: string): Promise<ObjectStore> => {
    const store = await openStore(uri);
    return overriding(store, {
      put: (...args: Parameters<ObjectStore["put"]>) => {
        puts.push(args[0]);
        return store.put(...args);
      },
    });
  };
}

Deno.test({
  name:
    "repo: an add by a read-only PostgreSQL role is refused before its upload (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc-repo-ro-before-upload-" });
    try {
      const catalog = pg.url.replace("postgres://vc@", "postgres://");
      const uri = pathToFileURL(join(dir, "repo")).href;
      const env = (user: string) => (name: string) => name === "PGUSER" ? user : undefined;
      {
        await using owner = await Repository.init(uri, { catalog, env: env("vc") });
        await owner.add("/kept.txt", new TextEncoder().encode("kept"));
      }
      const admin = await openPostgresCatalog(pg.url);
      try {
        await admin.transaction("write", async (tx) => {
          await tx.query("CREATE ROLE reader LOGIN");
          await tx.query("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader");
        });
      } finally {
        await admin.close();
      }
      const puts: string[] = [];
      await using reader = await Repository.open(uri, {
        env: env("reader"),
        openStore: countingOpener(puts),
      });
      assertEquals((await reader.list()).length, 1);
      await assertRejects(
        () => reader.add("/refused.txt", new TextEncoder().encode("refused")),
        CatalogReadOnlyError,
        "may not be changed by this user",
      );
      assertEquals(puts.filter((key) => key.startsWith("content/")), []);
      // Nothing left for a gc either (no orphan content beside the kept record).
      const report = await reader.check();
      assertEquals(report.orphans.map((o) => o.key), []);
      assertEquals(report.problems, []);
      // Reading still works.
      assertEquals((await reader.list()).length, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// A read-only bind mount of a directory (root on Linux), probed once.
const canMountReadOnly = await probeReadOnlyMount();

Deno.test({
  name: "repo: an add on a SQLite catalog on a read-only mount is refused before its upload",
  // A real read-only file system: root may write anything else.
  ignore: !canMountReadOnly,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-repo-ro-before-upload-" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await Deno.mkdir(join(dir, "catalog"));
      const path = join(dir, "catalog", "c.sqlite");
      {
        await using repo = await Repository.init(uri, { catalog: `sqlite:${path}` });
        await repo.add("/kept.txt", new TextEncoder().encode("kept"));
      }
      const mounted = await readOnlyMount(join(dir, "catalog"), async () => {
        const puts: string[] = [];
        await using repo = await Repository.open(uri, { openStore: countingOpener(puts) });
        await assertRejects(
          () => repo.add("/refused.txt", new TextEncoder().encode("refused")),
          CatalogReadOnlyError,
          "is read-only here",
        );
        assertEquals(puts.filter((key) => key.startsWith("content/")), []);
        assertEquals((await repo.list()).length, 1);
      });
      assertEquals(mounted, true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
