/**
 * Where the file system gives no locks, a compaction carries the lines
 * other processes appended to the journal it replaced (after its read) over
 * into the new one. A process that appended a record there, and then (the
 * journal now at the path being the new one) a newer record for the same
 * name, had its newer record undone: the carried-over older line landed
 * after it, and the last line wins. Seen with three processes appending at
 * once as a process reading back its own record older by up to 130 writes.
 * The carried-over line of a name the new journal got a line for since it
 * replaced the old one is older than that line: it is not carried.
 */
import { assertEquals } from "./assert.ts";
import {
  appendRecord,
  compactJournal,
  forgetJournals,
  lookupRecord,
} from "../src/cache/record_journal.ts";
import { encodeValueLine, lineValue } from "../src/cache/journal_file.ts";

const meta = (size: number) => ({ uri: "s3://b/x", etag: `"e${size}"`, size, validatedAt: 0 });

Deno.test("record journal: without locks, a carried-over line never undoes a newer one for its name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_journal_carry_over_order_" });
  const proto = Deno.FsFile.prototype;
  const saved = {
    tryLockSync: proto.tryLockSync,
    lockSync: proto.lockSync,
    utimeSync: proto.utimeSync,
    renameSync: Deno.renameSync,
  };
  const journal = `${dir}/%records.jsonl`;
  const line = (size: number) => encodeValueLine("x", lineValue(meta(size)));
  try {
    const refuse = () => {
      throw new Deno.errors.NotSupported("Operation not supported (os error 95)");
    };
    proto.tryLockSync = refuse;
    proto.lockSync = refuse;
    // Dead lines enough for a compaction.
    for (let i = 0; i < 4; i++) appendRecord(journal, "churn", meta(i));
    // Another process (raw O_APPEND writes, as its appends are): its record
    // x=1 lands in the old journal after the compaction read it, just
    // before the rename; its next, x=2, in the new journal the path names
    // then, before the compaction marks the old one replaced.
    Deno.renameSync = (from, to) => {
      if (to === journal) Deno.writeFileSync(journal, line(1), { append: true });
      saved.renameSync(from, to);
    };
    proto.utimeSync = function (this: Deno.FsFile, atime, mtime) {
      Deno.writeFileSync(journal, line(2), { append: true });
      proto.utimeSync = saved.utimeSync;
      return saved.utimeSync.call(this, atime, mtime);
    };
    assertEquals(compactJournal(journal, { force: true }), true);
    Deno.renameSync = saved.renameSync;
    forgetJournals();
    const found = lookupRecord(journal, "x");
    assertEquals(found.kind === "record" ? found.meta?.size : found.kind, 2);
    assertEquals(lookupRecord(journal, "churn").kind, "record");
  } finally {
    Object.assign(proto, {
      tryLockSync: saved.tryLockSync,
      lockSync: saved.lockSync,
      utimeSync: saved.utimeSync,
    });
    Deno.renameSync = saved.renameSync;
    await Deno.remove(dir, { recursive: true });
  }
});
