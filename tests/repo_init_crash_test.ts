/**
 * `vc repo init` killed after its catalog committed the repository id and
 * before the store's marker was written (kill -9, a lost machine): running
 * init again on the same store finishes the repository, while another store
 * is still refused that catalog.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { killedBeforeMarker } from "./repo_killed_helpers.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("repo: init killed before its marker can be run again on the same store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_init_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const catalog = `sqlite:${join(dir, "cat.sqlite")}`;
    await killedBeforeMarker("init", [uri], catalog);
    await assertRejects(() => Deno.stat(join(dir, "repo", ".vc-repo.json")), Deno.errors.NotFound);

    // Another store is still refused the catalog.
    const other = pathToFileURL(join(dir, "other")).href;
    const taken = await assertRejects(() => Repository.init(other, { catalog }), InvalidInputError);
    assertStringIncludes(taken.message, "already belongs to a vc repository");

    // The same store finishes its init and works.
    const repo = await Repository.init(uri, { catalog });
    try {
      const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
      assertEquals((await repo.get(r.id)).path, "/a.txt");
    } finally {
      await repo.close();
    }
    const again = await Repository.open(uri);
    try {
      assertEquals((await again.list()).length, 1);
      assert(again.marker.repository !== undefined);
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
