/**
 * Issue 11 layout, hostile journal contents: a journal far larger than vc
 * ever writes (a restored cache, a runaway writer) is neither read whole
 * nor appended to, so a lookup stays bounded and new records are found.
 */
import { assert, assertEquals } from "./assert.ts";
import {
  appendRecord,
  compactJournal,
  forgetJournals,
  keepJournalsOpen,
  lookupRecord,
  readJournal,
} from "../src/cache/record_journal.ts";
import { JOURNAL_MAX_BYTES } from "../src/cache/journal_file.ts";

const META = { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 };

async function withJournal(fn: (journal: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-journal-limits-" });
  try {
    forgetJournals();
    await fn(`${dir}/%records.jsonl`);
  } finally {
    forgetJournals();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a journal past the cap (sparse, no newline) is not read, and the next append replaces it", async () => {
  await withJournal(async (journal) => {
    // Sparse: costs no disk, but reading it whole would cost its size in memory.
    {
      using f = await Deno.open(journal, { create: true, write: true });
      await f.truncate(JOURNAL_MAX_BYTES * 3);
    }
    assertEquals(lookupRecord(journal, "x").kind, "none");
    assertEquals(readJournal(journal).size, 0);
    appendRecord(journal, "x", META);
    const found = lookupRecord(journal, "x");
    assert(found.kind === "record" && found.meta?.etag === "e", JSON.stringify(found));
    assert((await Deno.stat(journal)).size < 4096, "the oversized journal was replaced");
  });
});

Deno.test("a journal of garbage lines past the cap is dropped by a compaction without reading it", async () => {
  await withJournal(async (journal) => {
    {
      using f = await Deno.open(journal, { create: true, write: true });
      const line = new TextEncoder().encode("g".repeat(1023) + "\n");
      await f.write(line);
      await f.truncate(JOURNAL_MAX_BYTES + 1);
    }
    assertEquals(lookupRecord(journal, "g").kind, "none");
    assert(compactJournal(journal));
    assertEquals(await Deno.stat(journal).then(() => "exists", () => "gone"), "gone");
  });
});

Deno.test("a journal that is a directory is a miss, not a crash", async () => {
  await withJournal(async (journal) => {
    await Deno.mkdir(journal);
    assertEquals(lookupRecord(journal, "x").kind, "none");
    assertEquals(readJournal(journal).size, 0);
  });
});

Deno.test("an append after a torn last line (crash, full disk) is not glued to it and lost", async () => {
  await withJournal(async (journal) => {
    appendRecord(journal, "a", META);
    // A line torn mid-write by a crash or a full disk: no newline at the end.
    await Deno.writeTextFile(journal, 'b\t{"v":1,"uri":"s3://b/b","et', { append: true });
    appendRecord(journal, "x", META);
    const found = lookupRecord(journal, "x");
    assert(found.kind === "record" && found.meta?.etag === "e", JSON.stringify(found));
    assertEquals(lookupRecord(journal, "a").kind, "record");
    // In a fresh process too (nothing remembered).
    forgetJournals();
    assertEquals(lookupRecord(journal, "x").kind, "record");
    // The torn line is a record that does not parse: a miss.
    const all = readJournal(journal);
    assertEquals([...all.keys()].sort(), ["a", "b", "x"]);
    assertEquals(all.get("b"), undefined);
  });
});

Deno.test("a torn line another process left between two appends of a batch is still seen (kept handle, known end)", async () => {
  await withJournal(async (journal) => {
    const done = keepJournalsOpen();
    try {
      appendRecord(journal, "a", META);
      appendRecord(journal, "b", META); // the end is known to this process now
      await Deno.writeTextFile(journal, 'c\t{"v":1,"uri":"s3://b/c","et', { append: true });
      appendRecord(journal, "x", META);
      assertEquals(lookupRecord(journal, "x").kind, "record");
      // A torn line of the same length as a whole one changes the size as well:
      // the known end no longer matches, so the last byte is read.
      appendRecord(journal, "y", META);
      assertEquals(lookupRecord(journal, "y").kind, "record");
    } finally {
      done();
    }
    forgetJournals();
    const all = readJournal(journal);
    assertEquals([...all.keys()].sort(), ["a", "b", "c", "x", "y"]);
    assertEquals(all.get("c"), undefined);
  });
});
