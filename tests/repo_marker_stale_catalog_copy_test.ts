/**
 * A directory repository whose catalog a restore moved elsewhere
 * (`vc repo restore SNAPSHOT --catalog sqlite:/disk2/.vc~repo.sqlite`) keeps
 * the catalog it moved from beside its content, marked as moved from. With
 * the marker's catalog missing (its disk not mounted, the file moved), vc
 * took that stale copy for the directory's own (as it takes a `cp -a` copy's)
 * and every command failed saying the catalog was moved "since this process
 * opened it", to "open the repository again": which never helps, and names
 * neither the missing file nor what to do. The marker's catalog is now
 * opened, and its absence named.
 */
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { VcError } from "../src/errors.ts";

Deno.test("repo: a missing marker catalog is named, not replaced by the stale catalog moved from", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_stale_catalog_copy_" });
  try {
    const uri = `file://${dir}/repo`;
    const moved = `${dir}/disk2/.vc~repo.sqlite`;
    await Deno.mkdir(`${dir}/disk2`);
    {
      await using repo = await Repository.init(uri);
      await repo.add("/x.txt", new TextEncoder().encode("x"));
      const snapshot = (await repo.backup()).uri;
      await Repository.restore(uri, snapshot, { catalog: `sqlite:${moved}` });
    }
    await Deno.rename(`${dir}/disk2`, `${dir}/unmounted`);
    const error = await assertRejects(async () => {
      await using repo = await Repository.open(uri);
      await repo.list();
    }, VcError);
    assertStringIncludes(error.message, moved);
    if (/since this process opened it/.test(error.message)) {
      throw new Error(`took the stale catalog moved from: ${error.message}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
