/**
 * A restore refused for a catalog that is not empty counts what the catalog
 * holds in words a reader takes at face value: "1 record", not "1 records".
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { CatalogNotEmptyError } from "../src/repo/backup.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo restore refusal names one record and one path tag in the singular", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_counts_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      snapshot = (await repo.backup()).uri; // empty
      await repo.add("/one.csv", new TextEncoder().encode("x"));
      await repo.tag({ path: "/one.csv" }, ["keep"]);
    }
    const error = await assertRejects(
      () => Repository.restore(uri, snapshot),
      CatalogNotEmptyError,
    );
    assertStringIncludes(error.message, "already holds 1 record and 1 path tag;");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
