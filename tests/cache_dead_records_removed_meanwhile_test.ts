/**
 * A `vc cache verify` beside a `vc cache prune` printed `dropped 1 record
 * whose data was gone (deleted by hand, …)`: prune removes an entry's data
 * first and its record just after, and verify's scan, between the two,
 * took the record for a dead one. Under the entry's lock the record was
 * already gone, yet it was counted (`deadRecords`). Only records still
 * there to drop count now; one whose data was deleted by hand, and a
 * damaged line, still do.
 */
import { assertEquals } from "./assert.ts";
import { dropDeadRecords, removeEntryFiles } from "../src/cache/entry_removal.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { join } from "node:path";

Deno.test("dropDeadRecords: a record another process removed meanwhile is not counted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_dead_meanwhile_" });
  try {
    await Deno.mkdir(join(dir, "s3", "b"), { recursive: true });
    const meta = (key: string) => ({ uri: `s3://b/${key}`, etag: "e", size: 1, validatedAt: 0 });
    // What the scan saw: three records without data.
    const [gone, byHand, damaged] = ["gone", "by-hand", "damaged"].map((k) => {
      const r = recordPathsOf(dir, join(dir, "s3", "b", k));
      writeEntryRecord(r, meta(k));
      return r;
    });
    // Then another process removed the first entry (data, then record) ...
    await removeEntryFiles(dir, gone!);
    // ... and a line for the third was damaged.
    await Deno.writeTextFile(damaged!.journalPath, `damaged\t{"v":1,"uri":\n`, {
      append: true,
    });
    assertEquals(readEntryRecord(damaged!), undefined);

    assertEquals(await dropDeadRecords(dir, [gone!, byHand!, damaged!]), 2);
    assertEquals(readEntryRecord(byHand!), undefined);
    assertEquals(await dropDeadRecords(dir, [gone!, byHand!, damaged!]), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
