/**
 * A cache dir shared by several users (group-writable, setgid): when one of
 * them, with a umask of 077, rewrote a directory's record journal (a
 * compaction after `vc cache rm`, a split past ~1000 entries), the new
 * journal was private to them, so the others' lookups all missed and their
 * downloads failed to record, removing the copies they had cached. A rewrite
 * now keeps the mode of the journal it replaces.
 */
import { assert, assertEquals } from "./assert.ts";
import { join } from "node:path";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { JOURNAL_NAME, JOURNAL_PATTERN } from "../src/cache/layout.ts";
import {
  appendRecord,
  compactJournal,
  isSplitJournal,
  keepJournalsOpen,
} from "../src/cache/record_journal.ts";
import { md5Hex } from "../src/hash.ts";

async function withPrivateUmask(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-journal-mode-" });
  const umask = Deno.umask(0o077);
  try {
    await fn(dir);
  } finally {
    Deno.umask(umask);
    forgetRecords();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A record with a long URI (~330-byte lines), so a directory splits after ~800 of them. */
function meta(i: number) {
  return {
    uri: `s3://b/${"long-prefix/".repeat(20)}part-${i}.bin`,
    etag: md5Hex(`${i}`),
    md5: md5Hex(`${i}`),
    size: 1,
    validatedAt: 1,
  };
}

const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o777;

Deno.test("journal compaction keeps the journal's mode (a shared cache dir stays shared)", async () => {
  await withPrivateUmask(async (dir) => {
    const journal = join(dir, JOURNAL_NAME);
    for (let i = 0; i < 4; i++) appendRecord(journal, `part-${i}.bin`, meta(i));
    await Deno.chmod(journal, 0o664); // as a group member with umask 002 made it
    for (let i = 0; i < 3; i++) appendRecord(journal, `part-${i}.bin`, undefined);
    const before = (await Deno.stat(journal)).ino;
    assert(compactJournal(journal, { force: true }), "compacted");
    assert((await Deno.stat(journal)).ino !== before, "a new file");
    assertEquals((await mode(journal)).toString(8), "664");
  });
});

Deno.test("journal split keeps the journal's mode for the mark and every split journal", async () => {
  await withPrivateUmask(async (dir) => {
    const journal = join(dir, JOURNAL_NAME);
    appendRecord(journal, "part-0.bin", meta(0));
    await Deno.chmod(journal, 0o664);
    const done = keepJournalsOpen();
    try {
      for (let i = 1; i < 1500; i++) appendRecord(journal, `part-${i}.bin`, meta(i));
    } finally {
      done();
    }
    assert(isSplitJournal(journal), "split");
    const modes = new Set<string>();
    for await (const e of Deno.readDir(dir)) {
      if (JOURNAL_PATTERN.test(e.name)) modes.add((await mode(join(dir, e.name))).toString(8));
    }
    assertEquals([...modes], ["664"]);
  });
});
