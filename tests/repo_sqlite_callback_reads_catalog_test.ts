/**
 * A progress callback vc calls from inside one of its SQLite transactions
 * (gc's counts while it purges, a backup's while it reads the catalog) runs
 * in that transaction's async context, but vc does not wait for what it
 * starts: a `repo.list()` there (an async `onProgress` showing the records
 * left) takes its turn once the transaction ends. It was refused as a
 * transaction begun inside a body of the same connection, and the refusal,
 * rejecting the callback's promise, stopped the gc or backup with a
 * CallbackError. A body that itself awaits such a call is still refused
 * (`tests/repo_sqlite_nested_same_connection_test.ts`).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ManualClock } from "../src/testing/mod.ts";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("repo on sqlite: an async gc or backup onProgress that lists the repository is not refused as nested", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sqlite_callback_reads_" });
  try {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href, { clock });
    const bytes = new TextEncoder().encode("v");
    for (let i = 0; i < 3; i++) await repo.add(`/a${i}.txt`, bytes);
    await repo.publish((await repo.add("/kept.txt", bytes)).id);
    clock.advance(8 * 24 * 3600 * 1000);
    const listed: Promise<number>[] = [];
    const onProgress = () => {
      const count = repo.list().then((records) => records.length);
      listed.push(count);
      return count;
    };
    const report = await repo.gc({ onProgress });
    assertEquals(report.purgedUnpublished.length, 3);
    assert(listed.length > 0);
    for (const count of await Promise.all(listed)) assert(count >= 1 && count <= 4, `${count}`);
    listed.length = 0;
    await repo.backup(`file://${join(dir, "catalog.jsonl.gz")}`, { onProgress });
    assert(listed.length > 0);
    const records = (await repo.list()).length;
    assertEquals([...new Set(await Promise.all(listed))], [records]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
