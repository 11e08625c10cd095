/**
 * Two restores into one new SQLite catalog at once (a script run twice, two
 * terminals): the one that finds the catalog made and filled by the other
 * is refused, and removes only a catalog file it made itself. Before, it
 * looked once whether the file existed, before opening it: when the other
 * restore made the file in between and filled it, this one, refused as on a
 * catalog holding records, deleted the other's restored catalog (and its
 * WAL), whose marker then named no catalog. The other process's restore is
 * run here at that moment, in this process, when this restore first looks
 * for the file.
 */
import { join } from "node:path";
import { Repository } from "../src/repo/repository.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { oneRecordSnapshot } from "./repo_snapshot.ts";

Deno.test("repo restore: refused on a new catalog another restore just made, it leaves that catalog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_race_" });
  const lstat = Deno.lstat;
  const stat = Deno.stat;
  try {
    const orig = `file://${join(dir, "orig")}`;
    const snapshot = `file://${join(dir, "snap.jsonl.gz")}`;
    await oneRecordSnapshot(orig, snapshot);
    const target = `file://${join(dir, "new")}`;
    const catalog = join(dir, "new.sqlite");
    // The first look for the catalog file (stat or lstat) finds none, and
    // the other restore runs before that answer comes.
    let raced = 0;
    const racing = <T>(look: (path: string | URL) => Promise<T>) => async (path: string | URL) => {
      const info = look(path);
      if (String(path) === catalog && raced++ === 0) {
        await info.catch(() => {});
        await Repository.restore(target, snapshot, { catalog: `sqlite:${catalog}` });
      }
      return await info;
    };
    Deno.lstat = racing(lstat);
    Deno.stat = racing(stat);
    const error = await assertRejects(() =>
      Repository.restore(target, snapshot, { catalog: `sqlite:${catalog}` })
    );
    assertEquals(raced > 0, true, "the restore looked for its catalog file");
    Deno.lstat = lstat;
    Deno.stat = stat;
    assertStringIncludes(error.message, "already holds 1 record");
    // The other restore's repository works: its catalog is where its marker says.
    await using repo = await Repository.open(target);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
  } finally {
    Deno.lstat = lstat;
    Deno.stat = stat;
    await Deno.remove(dir, { recursive: true });
  }
});
