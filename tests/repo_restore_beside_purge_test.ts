/**
 * A purge (`vc repo purge`, and gc's purge step) commits the record as
 * purged, then deletes its content. A `restore --force` landing in between
 * (a gc from cron on another machine, while the catalog is rebuilt from last
 * night's snapshot) found the content still in the store, so it restored the
 * record as the snapshot had it (unpublished, or published: `current` and
 * claimable), and the purge then deleted the content under it: a live record
 * with no content, which the restore did not report (`missingContent` 0) and
 * `vc repo check` found later. The content of a purge is now deleted under
 * the catalog's content lock (SQLite's writer lock), and only while no record
 * references it, as gc deletes orphans: a restore either comes first and
 * keeps the record's content, or after, and keeps the record purged.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";
import { Repository } from "../src/repo/mod.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { Catalog } from "../src/repo/catalog.ts";
import { ManualClock } from "../src/testing/mod.ts";

/**
 * Runs `between` once, after `repo`'s first transaction that marks records
 * purged has committed, and before the next catalog transaction or store
 * delete that follows it: where a restore on another machine may land.
 */
function afterPurgeCommits(repo: Repository, between: () => Promise<unknown>): () => boolean {
  const catalog = repo.catalog as { transaction: Catalog["transaction"] };
  const transaction = catalog.transaction.bind(catalog);
  let armed = false;
  let ran = false;
  const maybeRun = async () => {
    if (!armed || ran) return;
    ran = true;
    await between();
  };
  catalog.transaction = async (mode, fn, options) => {
    await maybeRun();
    let purging = false;
    const result = await transaction(mode, (tx) =>
      fn({
        ...tx,
        query: (sql, params) => {
          if (/SET state = 'purged'/.test(sql)) purging = true;
          return tx.query(sql, params);
        },
      }), options);
    if (purging) armed = true;
    return result;
  };
  const store = repo.store;
  const del = store.delete.bind(store);
  store.delete = async (...args: Parameters<typeof del>) => {
    await maybeRun();
    return await del(...args);
  };
  return () => ran;
}

async function scenario(catalog: string | undefined, purgeBy: "purge" | "gc") {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_beside_purge_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const clock = new ManualClock();
    const opts = { host: "h", clock, ...(catalog === undefined ? {} : { catalog }) };
    await using repo = await Repository.init(uri, opts);
    const r = await repo.add("/a.csv", new TextEncoder().encode("a1"), { tags: ["todo"] });
    await repo.publish(r.id);
    const snapshot = (await repo.backup(join(dir, "night.jsonl.gz"))).uri;
    await repo.expire(r.id);
    let restored: unknown;
    const ran = afterPurgeCommits(repo, async () => {
      restored = await Repository.restore(uri, snapshot, { host: "h", force: true });
    });
    if (purgeBy === "purge") {
      // Said purged, or (a catalog replaced under it) refused: either way no content lost.
      await repo.purge(r.id).catch((e) => e);
    } else {
      // Past the retention of its expiry.
      await clock.advance(60_000);
      await repo.gc({ graceMs: 0, retentionMs: 30_000 }).catch((e) => e);
    }
    assertEquals(ran(), true, "the restore ran between the purge's commit and its delete");
    assertEquals((restored as { records: number }).records, 1);

    // Its download goes to the test's own cache, not the user's ~/.cache/vc.
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using again = await Repository.open(uri, { host: "h", cache });
    const after = await again.get(r.id);
    const check = await again.check({ graceMs: 0 });
    // The restore came first: the record is as the snapshot has it, with its content.
    assertEquals(after.state, "published");
    assertEquals(check.problems, []);
    assertEquals(await Deno.readTextFile(await again.download(r.id)), "a1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

onSqliteAndPostgres({
  sqlite:
    "repo: a restore between a purge's commit and its delete keeps the content it restores (SQLite)",
  postgres:
    "repo: a restore between a purge's commit and its delete keeps the content it restores (PostgreSQL)",
}, (catalog) => scenario(catalog, "purge"));

onSqliteAndPostgres({
  sqlite: "repo: a restore during gc's purge step keeps the content it restores (SQLite)",
  postgres: "repo: a restore during gc's purge step keeps the content it restores (PostgreSQL)",
}, (catalog) => scenario(catalog, "gc"));
