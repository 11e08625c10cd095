/**
 * A restore refused for a catalog that holds records said how many it holds
 * and to give the force option, but not what that would lose: the forced
 * restore then reported `2 of them not in the snapshot (dropped)`, after
 * those records (added since the snapshot was taken) were gone, their
 * content left for gc. The refusal now says, before anything is written,
 * how many of the catalog's records the snapshot does not hold (or that it
 * holds all of them: the same snapshot restored again).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CatalogNotEmptyError } from "../src/repo/backup.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo restore refused over a catalog with records says how many a forced one drops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_refusal_dropped_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const bytes = new TextEncoder().encode("x");
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.csv", bytes);
      await repo.add("/b.csv", bytes);
      snapshot = (await repo.backup()).uri;
    }
    // The same snapshot restored again: nothing would be lost.
    const again = await assertRejects(
      () => Repository.restore(uri, snapshot),
      CatalogNotEmptyError,
    );
    assertStringIncludes(again.message, "already holds 2 records and 0 path tags;");
    assertStringIncludes(again.message, "all of its records are in the snapshot");

    {
      await using repo = await Repository.open(uri);
      await repo.add("/c.csv", bytes);
    }
    const error = await assertRejects(
      () => Repository.restore(uri, snapshot),
      CatalogNotEmptyError,
    );
    assertStringIncludes(error.message, "already holds 3 records and 0 path tags;");
    assertStringIncludes(
      error.message,
      "dropping 1 record the snapshot does not hold (added since it was taken)",
    );
    // What the forced restore then says it dropped.
    assertEquals((await Repository.restore(uri, snapshot, { force: true })).dropped, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
