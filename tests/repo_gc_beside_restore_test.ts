/**
 * A forced restore of an older snapshot leaves the content added since the
 * snapshot was taken referenced by no record, and marks it for gc to keep
 * (the only copy of what the restore dropped). The mark was written only
 * once the restore had listed the whole store, after its catalog had
 * committed: a gc elsewhere (cron on another machine) in between, or after a
 * restore killed during that listing, found that content unreferenced and no
 * mark, and deleted it once past its grace period. A gc already under way
 * when the restore committed read the mark before it and deleted it too. Now
 * the restore marks everything in the store up to then in its own
 * transaction (narrowed once its listing is done), and gc reads the mark
 * again under the content lock before it deletes.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { assertEquals } from "./assert.ts";
import { overriding } from "./overriding.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

type Gate = { listing: PromiseWithResolvers<void>; resume: Promise<void> | undefined };

/**
 * A gate for {@link gatedStore}: `listing` settles once a listing of
 * `content/` waits at it, `release` lets that listing go on.
 */
function closedGate(): { gate: Gate; listing: Promise<void>; release: () => void } {
  const listing = Promise.withResolvers<void>();
  const resume = Promise.withResolvers<void>();
  return {
    gate: { listing, resume: resume.promise },
    listing: listing.promise,
    release: () => resume.resolve(),
  };
}

/** A store whose listings of `content/` first wait for `gate`, when set. */
async function gatedStore(
  uri: string,
  gate: Gate,
): Promise<ObjectStore> {
  const store = await openStore(uri);
  return overriding(store, {
    list: async function* (...args: Parameters<ObjectStore["list"]>) {
      if (args[0].startsWith("content/") && gate.resume !== undefined) {
        const resume = gate.resume;
        gate.resume = undefined;
        gate.listing.resolve();
        await resume;
      }
      yield* store.list(...args);
    },
  });
}

/**
 * A repository at a new store with `/a.csv` published, backed up, then
 * `/b.csv` published (`laterKey`, which the backup does not know); runs
 * `fn`, then removes the store.
 */
async function withOlderSnapshot(
  prefix: string,
  catalog: string | undefined,
  fn: (uri: string, snapshot: string, laterKey: string, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    await repo.publish((await repo.add("/a.csv", bytes("aaa"))).id);
    const { uri: snapshot } = await repo.backup();
    const laterKey = (await repo.publish((await repo.add("/b.csv", bytes("bbbbb"))).id))
      .contentKey;
    await repo.close();
    await fn(uri, snapshot, laterKey, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

onSqliteAndPostgres({
  sqlite: "gc while a restore lists the store keeps the content the restore dropped (SQLite)",
  postgres: "gc while a restore lists the store keeps the content the restore dropped (PostgreSQL)",
}, async (catalog) => {
  await withOlderSnapshot(
    "vc_repo_gc_beside_restore_",
    catalog,
    async (uri, snapshot, key, dir) => {
      const { gate, listing, release } = closedGate();
      // The restore commits its catalog, then stops in its listing of the
      // store's content (a large bucket: minutes; or killed there).
      const restoring = Repository.restore(uri, snapshot, {
        force: true,
        openStore: (u) => gatedStore(u, gate),
      });
      try {
        await listing;
        await using collector = await Repository.open(uri);
        const report = await collector.gc({ graceMs: 0 });
        assertEquals([report.deletedObjects, report.keptRestored], [[], [key]]);
      } finally {
        release();
      }
      const restored = await restoring;
      assertEquals([restored.dropped, restored.unreferencedContent], [1, 1]);
      assertEquals(await Deno.readTextFile(join(dir, "repo", key)), "bbbbb");
      // Once its listing is done, the mark is as narrow as before.
      await using repo = await Repository.open(uri);
      assertEquals((await repo.gc({ graceMs: 0 })).keptRestored, [key]);
    },
  );
});

onSqliteAndPostgres({
  sqlite: "a gc under way when a restore commits keeps the content the restore dropped (SQLite)",
  postgres:
    "a gc under way when a restore commits keeps the content the restore dropped (PostgreSQL)",
}, async (catalog) => {
  await withOlderSnapshot(
    "vc_repo_gc_beside_restore_",
    catalog,
    async (uri, snapshot, key, dir) => {
      const { gate, listing, release } = closedGate();
      await using collector = await Repository.open(uri, { openStore: (u) => gatedStore(u, gate) });
      // gc has read the catalog's mark (none) and stops in its listing of
      // the store, where the content is still referenced.
      const collecting = collector.gc({ graceMs: 0 });
      let restored;
      try {
        await listing;
        restored = await Repository.restore(uri, snapshot, { force: true });
      } finally {
        release();
      }
      assertEquals(restored.dropped, 1);
      const report = await collecting;
      assertEquals([report.deletedObjects, report.keptRestored], [[], [key]]);
      assertEquals(await Deno.readTextFile(join(dir, "repo", key)), "bbbbb");
    },
  );
});
