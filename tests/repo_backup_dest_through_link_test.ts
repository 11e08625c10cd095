/**
 * `vc repo backup DEST` with DEST under the repository's `content/` reached
 * through a symbolic link (`/srv/link/content/x.gz`, `link` → the
 * repository's directory), or the repository opened through one: the check
 * compared the URIs' text only, so the backup was written among the content,
 * where no record references it, and the next gc deleted it. Now refused as
 * the plain spelling is, before the snapshot is taken, and nothing is written.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo backup refuses a destination under content/ reached through a symbolic link", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_backup_link_" }));
  try {
    const store = join(dir, "store");
    const link = join(dir, "link");
    {
      await using repo = await Repository.init(pathToFileURL(store).href);
      await repo.publish((await repo.add("/a.csv", new TextEncoder().encode("a\n"))).id);
    }
    await Deno.symlink(store, link);
    const cases: [string, string][] = [
      [store, join(link, "content", "snap.gz")], // the destination through the link
      [store, join(link, "content", "new", "snap.gz")], // in a directory not made yet
      [link, join(store, "content", "snap.gz")], // the repository through the link
    ];
    for (const [opened, dest] of cases) {
      await using repo = await Repository.open(pathToFileURL(opened).href);
      const error = await assertRejects(() => repo.backup(dest), InvalidInputError);
      assertStringIncludes(
        error.message,
        `backup destination ${dest} is under the repository's content`,
      );
      const written = [...Deno.readDirSync(join(store, "content"))].filter((e) => e.isFile);
      assertEquals(written, [], `${dest} through ${opened}`);
    }
    // Beside the content, through the link, is fine, and gc leaves it alone.
    await using repo = await Repository.open(pathToFileURL(store).href);
    const beside = join(link, "snap.gz");
    assertEquals((await repo.backup(beside)).uri, beside);
    assertEquals((await repo.gc({ graceMs: 0 })).deletedObjects, []);
    assertEquals((await Deno.stat(beside)).isFile, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
