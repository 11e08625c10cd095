/**
 * `repo restore SNAPSHOT --repo s3://TYPO/r --catalog C`, a bucket that does
 * not exist: the store's missing marker was taken for a new store, so the
 * whole catalog was restored into C and only the marker's write failed,
 * saying to run the same restore again with `--force` (which fails the same
 * way). The catalog left behind named the mistyped store, so the restore
 * into the right bucket with that catalog was refused even with `--force`
 * (a PostgreSQL database had to be emptied by hand). The restore now names
 * the missing bucket and stops before any catalog is made; `open` names it
 * too, instead of suggesting `vc repo init`.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { RepoNotFoundError, Repository } from "../src/repo/mod.ts";
import { oneRecordSnapshot } from "./repo_snapshot.ts";

Deno.test("repo restore: into a bucket that does not exist is refused before a catalog is made", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_missing_bucket_" });
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const openStoreHere = (u: string) => openStore(u, testS3Options(s3, { maxAttempts: 1 }));
  try {
    const snapshot = join(dir, "snap.jsonl.gz");
    await oneRecordSnapshot("s3://b/old", snapshot, {
      catalog: `sqlite:${join(dir, "old.sqlite")}`,
      openStore: openStoreHere,
    });
    const catalogPath = join(dir, "new.sqlite");
    const restore = (uri: string) =>
      Repository.restore(uri, snapshot, {
        catalog: `sqlite:${catalogPath}`,
        openStore: openStoreHere,
      });

    const e = await assertRejects(() => restore("s3://typo/new"), RepoNotFoundError);
    assertStringIncludes(e.message, "bucket s3://typo does not exist");
    assertStringIncludes(e.message, "nothing was restored");
    await assertRejects(() => Deno.lstat(catalogPath), Deno.errors.NotFound);

    // Without --catalog too, the bucket is named rather than its marker.
    const bare = await assertRejects(
      () => Repository.restore("s3://typo/new", snapshot, { openStore: openStoreHere }),
      RepoNotFoundError,
    );
    assertStringIncludes(bare.message, "bucket s3://typo does not exist");
    const opened = await assertRejects(
      () => Repository.open("s3://typo/new", { openStore: openStoreHere }),
      RepoNotFoundError,
    );
    assertStringIncludes(opened.message, "bucket s3://typo does not exist");

    // The same catalog then takes the restore into the right bucket.
    assertEquals((await restore("s3://b/new")).records, 1);
    await using repo = await Repository.open("s3://b/new", { openStore: openStoreHere });
    assertEquals((await repo.list({})).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: into a directory never made still makes a new store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_new_dir_" });
  try {
    const snapshot = join(dir, "snap.jsonl.gz");
    {
      await using repo = await Repository.init(`file://${join(dir, "old")}`);
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      await repo.backup(snapshot);
    }
    const uri = `file://${join(dir, "not", "made")}`;
    const counts = await Repository.restore(uri, snapshot, {
      catalog: `sqlite:${join(dir, "new.sqlite")}`,
    });
    assertEquals(counts.records, 1);
    assertEquals(counts.missingContent, 1);
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list({})).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
