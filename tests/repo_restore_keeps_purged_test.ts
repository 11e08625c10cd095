/**
 * `restore --force` of a snapshot taken before records were purged (a
 * nightly backup, a gc or a `purge` since) brought them back in the state
 * the snapshot had: a published one was `current` again and handed out by
 * `claim`, its content gone from the store (`repo get` failed, `check`
 * reported it missing), and the restore said "all of them in the snapshot".
 * A purge deletes content, so the catalog's purge now stands where the store
 * no longer holds the content: those records stay purged, as the replaced
 * catalog had them, and the restore counts them (`keptPurged`). One whose
 * content is back in the store (an S3 noncurrent version copied back) is
 * restored as the snapshot has it.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { Repository, type RepositoryOptions } from "../src/repo/mod.ts";
import { ok, withWorkspace } from "./cli_process.ts";

async function keepsPurged(uri: string, opts: RepositoryOptions & { catalog?: string }) {
  const bytes = (s: string) => new TextEncoder().encode(s);
  let snapshot: string;
  let gone: number, back: number, kept: number, unpublished: number;
  let backBytes: Uint8Array;
  {
    await using repo = await Repository.init(uri, opts);
    gone = (await repo.publish((await repo.add("/a.csv", bytes("a1"), { tags: ["todo"] })).id))
      .id;
    back = (await repo.publish((await repo.add("/b.csv", bytes("b1"))).id)).id;
    kept = (await repo.publish((await repo.add("/c.csv", bytes("c1"))).id)).id;
    unpublished = (await repo.add("/d.csv", bytes("d1"))).id;
    await repo.claim({ tag: "todo", ttlMs: 3_600_000, holder: "w1" });
    snapshot = (await repo.backup()).uri;
    // After the backup: three records retired and purged, their content deleted.
    for (const id of [gone, back]) {
      await repo.expire(id);
      await repo.purge(id);
    }
    await repo.purge(unpublished);
    // One purged record's content is put back (a noncurrent S3 version copied back).
    backBytes = bytes("b1");
    await repo.store.put((await repo.get(back)).contentKey, backBytes);
  }

  const counts = await Repository.restore(uri, snapshot, { ...opts, force: true });
  assertEquals(counts.records, 4);
  assertEquals(counts.replaced, 4);
  assertEquals(counts.dropped, 0);

  const { catalog: _, ...openOpts } = opts;
  await using repo = await Repository.open(uri, openOpts);
  const byId = new Map((await repo.list()).map((r) => [r.id, r]));
  // Purged as the replaced catalog had it: not current, not claimable, no claim.
  assertEquals(byId.get(gone)?.state, "purged");
  assertEquals(byId.get(gone)?.claimedBy, null);
  assertEquals(byId.get(gone)?.expiredAt !== null, true);
  assertEquals(byId.get(gone)?.tags, ["todo"]);
  assertEquals(await repo.current("/a.csv"), undefined);
  assertEquals(byId.get(unpublished)?.state, "purged");
  // Content back in the store: restored as the snapshot has it.
  assertEquals(byId.get(back)?.state, "published");
  assertEquals(byId.get(kept)?.state, "published");
  assertEquals((await repo.check()).problems, []);
  assertEquals(counts.keptPurged, 2);
}

Deno.test("restore --force keeps purged what the catalog purged since: SQLite, directory", async () => {
  await withWorkspace(async (dir, vc) => {
    const uri = pathToFileURL(join(dir, "store")).href;
    await keepsPurged(uri, {});
    // The CLI says so.
    const env = { VC_REPO: uri };
    const snapshot = ok(await vc(["repo", "backup"], env), "backup").stdout.trim();
    ok(await vc(["repo", "expire", "3"], env), "expire");
    ok(await vc(["repo", "purge", "3"], env), "purge");
    const text = ok(await vc(["repo", "restore", snapshot, "--force"], env), "restore");
    assertStringIncludes(
      text.stdout,
      "replaced 4 records of the catalog, all of them in the snapshot; 1 purged since the " +
        "snapshot, its content gone from the store, stays purged",
    );
    const json = JSON.parse(
      ok(await vc(["repo", "restore", snapshot, "--force", "--json"], env), "restore --json")
        .stdout,
    );
    assertEquals(json.keptPurged, 1);
  });
});

Deno.test({
  name: "restore --force keeps purged what the catalog purged since: PostgreSQL, S3",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await using s3 = await startFakeS3({ buckets: ["b"] });
    const store = testS3Options(s3, { maxAttempts: 1 });
    await keepsPurged("s3://b/repo", {
      catalog: await pg.createDatabase("kept"),
      openStore: (u: string) => openStore(u, store),
      host: "test-host",
    });
  },
});
