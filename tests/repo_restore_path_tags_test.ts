/**
 * A catalog whose only content is tags on paths (set before any version of
 * them was added) is not empty: a restore without `force` refuses it like a
 * catalog with records, where it used to replace those tags silently.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo restore without force refuses a catalog holding only path tags", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_tags_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      snapshot = (await repo.backup()).uri; // empty
      await repo.tag({ path: "/later.csv" }, ["keep"]);
    }
    const error = await assertRejects(() => Repository.restore(uri, snapshot));
    assertStringIncludes(String(error), "0 records and 1 path tag;");
    {
      await using repo = await Repository.open(uri);
      await repo.add("/later.csv", new TextEncoder().encode("x"));
      assertEquals((await repo.list())[0]!.tags, ["keep"]);
    }
    // --force replaces them, as it says.
    assertEquals((await Repository.restore(uri, snapshot, { force: true })).records, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
