/**
 * `vc repo restore SNAPSHOT --catalog NEW` moves a repository to another
 * catalog with the snapshot's records only: records added to the catalog it
 * moved from since the snapshot was taken stayed there, in no catalog the
 * repository reads, their content for gc to delete, and the restore said
 * `restored 1 record` with nothing of them (its `dropped` counts only the
 * new catalog's records). Such a move is now refused, naming the catalog and
 * how many records it would leave behind, before anything is written; with
 * `force` it goes on and counts them as `leftBehind`.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { oneRecordSnapshot } from "./repo_snapshot.ts";

Deno.test("repo restore --catalog: a move that would leave records behind is refused without force", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_left_behind_" });
  try {
    const uri = `file://${join(dir, "repo")}`;
    const snapshot = join(dir, "snap.jsonl.gz");
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      await repo.backup(snapshot);
      await repo.add("/b.txt", new TextEncoder().encode("b"));
      await repo.add("/c.txt", new TextEncoder().encode("c"));
    }
    const moved = join(dir, "moved.sqlite");
    const e = await assertRejects(
      () => Repository.restore(uri, snapshot, { catalog: `sqlite:${moved}` }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "holds 2 records that");
    assertStringIncludes(e.message, "nothing was restored");
    assertStringIncludes(e.message, "give the force option to leave them behind");
    await assertRejects(() => Deno.lstat(moved), Deno.errors.NotFound);
    {
      await using repo = await Repository.open(uri);
      assertEquals((await repo.list({})).map((r) => r.path), ["/a.txt", "/b.txt", "/c.txt"]);
    }

    const counts = await Repository.restore(uri, snapshot, {
      catalog: `sqlite:${moved}`,
      force: true,
    });
    assertEquals([counts.records, counts.leftBehind, counts.unreferencedContent], [1, 2, 2]);
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list({})).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore --catalog: a move with nothing added since the snapshot needs no force", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_left_none_" });
  try {
    const uri = `file://${join(dir, "repo")}`;
    const snapshot = join(dir, "snap.jsonl.gz");
    await oneRecordSnapshot(uri, snapshot);
    const counts = await Repository.restore(uri, snapshot, {
      catalog: `sqlite:${join(dir, "moved.sqlite")}`,
    });
    assertEquals([counts.records, counts.leftBehind], [1, 0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
