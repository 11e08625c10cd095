/**
 * Content of a record purged whose delete never happened (a gc killed
 * between its purge's commit and its delete, or a `purge` whose delete the
 * store refused), once a restore of an older snapshot has set its mark: gc
 * and `check` took it for content the restore does not know, "added after
 * the snapshot was taken", the only copy of what the restore dropped. gc
 * kept it for ever, `check` said to record it with `vc repo adopt` (which
 * refuses a key a purged record names), and only `--release-restored`,
 * which gives up the content the restore rescued too, let gc collect it.
 * A purged record names it: it is an orphan, the purge's to delete, which
 * gc deletes past its grace and `check` lists as such; only content no
 * record names at all is kept as restored.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals } from "./assert.ts";
import { restoredOlderSnapshot } from "./repo_snapshot.ts";

Deno.test("content of a record purged after a restore is an orphan gc deletes, not kept as restored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_purged_content_after_restore_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const { laterKey } = await restoredOlderSnapshot(uri);
    await using repo = await Repository.open(uri);
    const [a] = await repo.list();
    // The restored /a.csv expired and purged, its content left in the store.
    await repo.expire(a!.id);
    await repo.catalog.transaction(
      "write",
      (tx) =>
        tx.query("UPDATE records SET state = 'purged', purged_at = $1 WHERE id = $2", [
          Date.now(),
          a!.id,
        ]),
    );
    assertEquals(await repo.store.head(a!.contentKey) !== undefined, true);

    const checked = await repo.check({ graceMs: 0 });
    assertEquals(checked.orphans.map((o) => o.key), [a!.contentKey]);
    assertEquals(checked.keptRestored?.map((o) => o.key), [laterKey]);

    const report = await repo.gc({ graceMs: 0 });
    assertEquals(report.deletedObjects, [a!.contentKey]);
    assertEquals(report.keptRestored, [laterKey]);
    assertEquals(await repo.store.head(a!.contentKey), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a restore does not count nor keep the content a purged record of its snapshot names", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_purged_content_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const bytes = (s: string) => new TextEncoder().encode(s);
    let left: string;
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      await repo.publish((await repo.add("/a.csv", bytes("aaa"))).id);
      const b = await repo.add("/b.csv", bytes("bbbbb"));
      left = b.contentKey;
      // Purged, its delete never done (a gc killed between the two).
      await repo.catalog.transaction(
        "write",
        (tx) =>
          tx.query("UPDATE records SET state = 'purged', purged_at = $1 WHERE id = $2", [
            Date.now(),
            b.id,
          ]),
      );
      snapshot = (await repo.backup()).uri;
    }
    const restored = await Repository.restore(uri, snapshot, { force: true });
    assertEquals(restored.unreferencedContent, 0);
    await using repo = await Repository.open(uri);
    const report = await repo.gc({ graceMs: 0 });
    assertEquals([report.deletedObjects, report.keptRestored], [[left], []]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
