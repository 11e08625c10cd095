/**
 * `vc repo restore` into a new store killed after its catalog committed and
 * before the store's marker was written (kill -9, a lost machine): running
 * it again finishes the restore. The catalog then holds the new id the
 * killed restore gave it, and the snapshot, of the repository it was taken
 * of, must not be refused as another repository's.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { CatalogNotEmptyError } from "../src/repo/backup.ts";
import { Repository } from "../src/repo/mod.ts";
import { RepoNotFoundError } from "../src/repo/marker.ts";
import { killedBeforeMarker } from "./repo_killed_helpers.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

Deno.test("repo: restore into a new store killed before its marker can be run again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_killed_" });
  try {
    const first = pathToFileURL(join(dir, "first")).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(first);
      const a = await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["x"] });
      await repo.publish(a.id);
      snapshot = (await repo.backup()).uri;
    }
    const fresh = pathToFileURL(join(dir, "fresh")).href;
    const catalog = `sqlite:${join(dir, "fresh.sqlite")}`;
    await killedBeforeMarker("restore", [fresh, snapshot], catalog);
    await assertRejects(() => Deno.stat(join(dir, "fresh", ".vc-repo.json")), Deno.errors.NotFound);
    // Run again: the catalog holds the records, so --force, as its error says.
    await assertRejects(
      () => Repository.restore(fresh, snapshot, { catalog }),
      CatalogNotEmptyError,
    );
    const counts = await Repository.restore(fresh, snapshot, { catalog, force: true });
    assertEquals(counts, {
      records: 1,
      recordTags: 1,
      pathTags: 0,
      replaced: 1,
      dropped: 0,
      keptPurged: 0,
      missingContent: 1, // its content was not copied to the new store
      unreferencedContent: 0,
    });
    await using restored = await Repository.open(fresh);
    const [record] = await restored.list();
    assertEquals([record?.path, record?.state, record?.tags], ["/a.txt", "published", ["x"]]);
    // Once its marker is written, the new repository takes only its own
    // snapshots: the first one's is refused, with --force too.
    const own = await restored.backup();
    assertEquals((await Repository.restore(fresh, own.uri, { force: true })).records, 1);
    await assertRejects(
      () => Repository.restore(fresh, snapshot, { force: true }),
      InvalidInputError,
      "a backup of another repository",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo: restore into a new store without --catalog says to name the catalog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_new_" });
  try {
    const first = pathToFileURL(join(dir, "first")).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(first);
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      snapshot = (await repo.backup()).uri;
    }
    const fresh = pathToFileURL(join(dir, "fresh")).href;
    // Not `vc repo init` first: that would be another repository, refusing the snapshot.
    const error = await assertRejects(
      () => Repository.restore(fresh, snapshot),
      RepoNotFoundError,
      // The library's words: the call with its catalog option (vc says --catalog).
      '{ catalog: "sqlite:PATH" }',
    );
    assert(!/vc repo init|Repository\.init\(\)/.test(error.message), error.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
