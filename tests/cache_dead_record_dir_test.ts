/**
 * A record whose data path holds a directory (keys below its name, made by
 * hand or by another tool) or anything else that is not a file: no lookup
 * ever serves it, so `prune` and `verify` drop it as dead and say so, and
 * leave what is there.
 */
import { assertEquals } from "./assert.ts";
import { listEntries, pruneEntries, verifyEntries } from "../src/cache/maintenance.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";

async function cacheWithDirectoryEntry(dir: string) {
  const record = recordPathsOf(dir, `${dir}/s3/b/x.bin`);
  writeEntryRecord(record, { uri: "s3://b/x.bin", etag: "e", size: 1, validatedAt: 0 });
  await Deno.mkdir(record.dataPath, { recursive: true });
  await Deno.writeTextFile(`${record.dataPath}/inner`, "not the cache's");
  return record;
}

for (
  const [name, run] of [
    ["verify", (dir: string) => verifyEntries(dir)],
    ["prune", (dir: string) => pruneEntries(dir, { olderThan: 0 })],
  ] as const
) {
  Deno.test(`${name}: a record with a directory in place of its data is dropped, the directory kept`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-dead-dir-" });
    try {
      const record = await cacheWithDirectoryEntry(dir);
      assertEquals(await listEntries(dir), []);
      const r = await run(dir);
      assertEquals(r.deadRecords, 1);
      assertEquals(readEntryRecord(record), undefined);
      assertEquals(await Deno.readTextFile(`${record.dataPath}/inner`), "not the cache's");
      // Nothing left to report the next time.
      assertEquals((await run(dir)).deadRecords, undefined);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
