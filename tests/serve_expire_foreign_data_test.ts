/**
 * `vc serve expire` removes data objects no entry points to (left by a
 * crashed upload), a day old. Only keys the service writes
 * (`data/<cache id>/<uuid>`) are its own: pointed by mistake at a directory
 * that holds a `data/` folder of someone's files (a typo in a cron job's
 * `--store`), it deleted every file under it a day old as "orphaned data".
 */
import { assertEquals } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import { Entries } from "../src/server/entries.ts";
import { ManualClock, timedBy } from "./server_helpers.ts";

const DAY = 86_400_000;

Deno.test("serve expire: files under data/ that the service never wrote are left alone", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FsStore(dir);
  try {
    const id = "ab".repeat(64);
    const orphan = `data/${id}/${crypto.randomUUID()}`;
    const foreign = [
      "data/proj/results.csv",
      `data/${id}/notes.txt`,
      `data/${"cd".repeat(64)}`,
      "data/x/y/z.bin",
    ];
    for (const key of [orphan, ...foreign]) await store.put(key, new TextEncoder().encode("x"));
    const clock = new ManualClock(Date.now() + 3 * DAY);
    const result = await new Entries(timedBy(store, clock), { clock }).sweep();
    assertEquals(result.orphansRemoved, 1);
    assertEquals(await store.head(orphan), undefined);
    for (const key of foreign) assertEquals((await store.head(key))?.size, 1, key);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
