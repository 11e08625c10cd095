/**
 * An append that waited out its lock while a compaction held the journal
 * (a split of a large journal flushes 32 files under the lock, which a
 * loaded machine makes last seconds) wrote its line into the journal the
 * compaction was replacing from what it had read before: the record was
 * lost (seen as one missing record of two processes appending through a
 * split). It now learns, once the lock is free, that its journal was
 * replaced, and appends again to the one at the path.
 */
import { join } from "node:path";
import { assert } from "./assert.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { appendRecord, lookupRecord } from "../src/cache/record_journal.ts";

const JOURNAL_FILE = new URL("../src/cache/journal_file.ts", import.meta.url).href;

Deno.test("journal: a line appended while a slow compaction held the lock is not lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_journal_busy_" });
  try {
    const journal = join(dir, "%records.jsonl");
    const ready = join(dir, "ready");
    const meta = (i: number) => ({ uri: `s3://b/${i}`, etag: "e", size: 1, validatedAt: i });
    appendRecord(journal, "first", meta(1));
    // A compaction in another process: it reads the journal under its
    // exclusive lock, takes longer than an appender waits for it, then
    // replaces the journal with what it read.
    const compaction = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { markReplaced } from ${JSON.stringify(JOURNAL_FILE)};
         const path = ${JSON.stringify(journal)};
         const file = Deno.openSync(path, { read: true, write: true });
         file.lockSync(true);
         const snapshot = Deno.readTextFileSync(path);
         Deno.writeTextFileSync(${JSON.stringify(ready)}, "");
         await new Promise((r) => setTimeout(r, 2_600));
         Deno.writeTextFileSync(path + ".new", snapshot);
         Deno.renameSync(path + ".new", path);
         markReplaced(file);
         file.close();`,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const status = compaction.output();
    for (let i = 0; i < 600 && !(await Deno.stat(ready).then(() => true, () => false)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    appendRecord(journal, "late", meta(2)); // waits out the lock, then writes
    const out = await status;
    assert(out.success, new TextDecoder().decode(out.stderr));
    forgetRecords(); // as a fresh process reads it
    const found = lookupRecord(journal, "late");
    assert(found.kind === "record" && found.meta?.validatedAt === 2, JSON.stringify(found));
    assert(lookupRecord(journal, "first").kind === "record");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
