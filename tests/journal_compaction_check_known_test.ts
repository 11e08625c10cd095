/**
 * A record journal is checked for compaction each time an append takes it
 * past a multiple of 64 KiB. The check read and parsed the whole journal
 * every time, also when this process had read or written all of it (a cold
 * prefill appending a thousand records to one directory's journal read it
 * whole four times, to find every line live). Now what the process knows
 * decides when it knows the whole file; a journal with lines to drop is
 * still compacted, and one past the split size still split.
 */
import { assert, assertEquals, assertNotEquals } from "./assert.ts";
import { appendRecords, lookupRecord } from "../src/cache/record_journal.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import type { EntryMeta } from "../src/cache/entry_meta.ts";

const meta = (i: number): EntryMeta => ({
  uri: `s3://b/data/file-${i}.bin`,
  etag: `"${String(i).padStart(32, "0")}"`,
  size: 4096,
  validatedAt: 1_700_000_000_000 + i,
});

/** Runs `fn`, counting the reads made through any `Deno.FsFile` meanwhile. */
function fileReads(fn: () => void): number {
  const readSync = Deno.FsFile.prototype.readSync;
  let reads = 0;
  Deno.FsFile.prototype.readSync = function (this: Deno.FsFile, p: Uint8Array) {
    reads++;
    return readSync.call(this, p);
  };
  try {
    fn();
  } finally {
    Deno.FsFile.prototype.readSync = readSync;
  }
  return reads;
}

/** A directory journal in a temp dir, forgotten by this process afterwards. */
async function withJournal(fn: (journal: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-journal-compaction-check-" });
  try {
    await fn(`${dir}/.meta/s3/b/data/%records.jsonl`);
  } finally {
    forgetJournals();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a growing journal this process knows whole is checked for compaction without a read", async () => {
  await withJournal((journal) => {
    appendRecords(journal, [{ name: "file-0.bin", meta: meta(0) }]);
    // Read once: from here on the process knows the whole journal.
    assertEquals(lookupRecord(journal, "file-0.bin").kind, "record");
    const before = Deno.lstatSync(journal);
    const reads = fileReads(() => {
      // ~150 bytes a line, 50 a batch: past 64 KiB and 128 KiB.
      for (let b = 0; b < 20; b++) {
        appendRecords(
          journal,
          Array.from({ length: 50 }, (_, k) => {
            const i = 1 + b * 50 + k;
            return { name: `file-${i}.bin`, meta: meta(i) };
          }),
        );
      }
    });
    const after = Deno.lstatSync(journal);
    assert(after.size > 128 * 1024, `the journal is ${after.size} bytes`);
    assertEquals(reads, 0);
    // Left as it was (every line live): not rewritten.
    assertEquals(after.ino, before.ino);
    for (const i of [0, 1, 400, 800]) {
      const found = lookupRecord(journal, `file-${i}.bin`);
      assert(found.kind === "record" && found.meta?.etag === meta(i).etag);
    }
  });
});

Deno.test("a journal this process knows whole is still compacted when most of its lines are dead", async () => {
  await withJournal((journal) => {
    appendRecords(journal, [{ name: "keep.bin", meta: meta(0) }]);
    assertEquals(lookupRecord(journal, "keep.bin").kind, "record");
    const before = Deno.lstatSync(journal);
    // The same 10 names written over and over: past 64 KiB, 11 live lines.
    for (let round = 0; round < 50; round++) {
      appendRecords(
        journal,
        Array.from({ length: 10 }, (_, k) => ({ name: `n${k}.bin`, meta: meta(round * 10 + k) })),
      );
    }
    const after = Deno.lstatSync(journal);
    assertNotEquals(after.ino, before.ino);
    assert(after.size < 64 * 1024, `the journal is ${after.size} bytes`);
    const found = lookupRecord(journal, "n3.bin");
    assert(found.kind === "record" && found.meta?.etag === meta(493).etag);
    assertEquals(lookupRecord(journal, "keep.bin").kind, "record");
  });
});

Deno.test("a journal this process knows whole is still split past the split size", async () => {
  await withJournal((journal) => {
    appendRecords(journal, [{ name: "file-0.bin", meta: meta(0) }]);
    assertEquals(lookupRecord(journal, "file-0.bin").kind, "record");
    // ~150 bytes a line: past 320 KiB of live lines.
    for (let b = 0; b < 45; b++) {
      appendRecords(
        journal,
        Array.from({ length: 50 }, (_, k) => {
          const i = 1 + b * 50 + k;
          return { name: `file-${i}.bin`, meta: meta(i) };
        }),
      );
    }
    // Split: the directory journal holds only its mark.
    assert(Deno.lstatSync(journal).size <= 32, `${Deno.lstatSync(journal).size} bytes`);
    forgetJournals();
    for (const i of [0, 700, 1500]) {
      const found = lookupRecord(journal, `file-${i}.bin`);
      assert(found.kind === "record" && found.meta?.etag === meta(i).etag);
    }
  });
});
