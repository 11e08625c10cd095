/**
 * A restore into a new store (no marker) with `--catalog` naming the live
 * catalog of another repository is refused, even with `--force`: it would
 * replace that repository's records and leave two stores on one catalog.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("repo: restore into a store without a marker refuses another repository's catalog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_" });
  try {
    const first = pathToFileURL(join(dir, "first")).href;
    const catalog = `sqlite:${join(dir, "first.sqlite")}`;
    let snapshot: string;
    {
      await using repo = await Repository.init(first, { catalog });
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      snapshot = (await repo.backup()).uri;
      await repo.add("/b.txt", new TextEncoder().encode("b")); // after the backup
    }
    const fresh = pathToFileURL(join(dir, "fresh")).href;
    for (const force of [false, true]) {
      const refused = await assertRejects(
        () => Repository.restore(fresh, snapshot, { catalog, force }),
        InvalidInputError,
      );
      assertStringIncludes(refused.message, "already belongs to a vc repository");
    }
    await assertRejects(() => Deno.stat(join(dir, "fresh", ".vc-repo.json")), Deno.errors.NotFound);
    // The first repository keeps both records.
    await using again = await Repository.open(first);
    assertEquals((await again.list()).map((r) => r.path), ["/a.txt", "/b.txt"]);
    // A new catalog for the new store is still fine.
    const counts = await Repository.restore(fresh, snapshot, {
      catalog: `sqlite:${join(dir, "fresh.sqlite")}`,
    });
    assertEquals(counts.records, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
