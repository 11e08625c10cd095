/**
 * A pass held back by --max-delete names the entries it would have deleted
 * (the first three, then how many more), in the dry run as in the real run:
 * it said only how many, and "check the source" had nothing to check
 * against; the dry run listed none of them either.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

const enc = new TextEncoder();

Deno.test("mirror --max-delete held back: the message names the entries that would go", async () => {
  await using w = await tempDir();
  await using store = new FsStore(join(w.dir, "store"));
  for (const k of ["old1", "old2", "a\u200b", "old3"]) await store.put(`p/${k}`, enc.encode(k));
  await writeTree(join(w.dir, "src"), { keep: "k" });
  const run = (dryRun: boolean, maxDelete: number) =>
    mirror({
      sources: [join(w.dir, "src")],
      target: store,
      targetPrefix: "p",
      delete: true,
      maxDelete,
      dryRun,
      statePath: join(w.dir, "s.db"),
    });
  for (const dryRun of [true, false]) {
    const held = await run(dryRun, 2);
    assertEquals(held.deleted, 0);
    assertStringIncludes(
      held.deletesSkipped ?? "",
      "4 target entries have no source, more than the 2 one pass or batch may delete " +
        "(maxDelete, --max-delete): a\u200b, old1, old2 and 1 more; check the source",
    );
  }
  // Three or fewer: all named, no count.
  await store.delete(["p/old3"]);
  assertStringIncludes(
    (await run(true, 2)).deletesSkipped ?? "",
    "--max-delete): a\u200b, old1, old2; check the source",
  );
  assertEquals((await run(false, 3)).deleted, 3);
});
