/**
 * On a file system that gives no locks, a compaction of a record journal
 * ran unguarded: it read the journal, wrote the live lines to a new file and
 * renamed it over the old one. A line another process appended to the old
 * file between the read and the rename was in neither, and an appender that
 * had looked at the journal before the rename never learned it was replaced:
 * the record was lost (its entry a miss, downloaded again; a removal lost
 * brings a removed entry's record back). Two processes appending at once,
 * each compacting as its appends pass the check sizes, with every lock call
 * failing as on such a file system: every record each wrote is still there.
 */
import { assertEquals } from "./assert.ts";
import { lookupRecord } from "../src/cache/record_journal.ts";

const WRITER = `
import { appendRecord } from ${
  JSON.stringify(new URL("../src/cache/record_journal.ts", import.meta.url).href)
};
const proto = Deno.FsFile.prototype;
const refuse = () => { throw new Deno.errors.NotSupported("Operation not supported (os error 95)"); };
proto.tryLockSync = refuse;
proto.lockSync = refuse;
const [journal, who, count] = Deno.args;
const meta = (i) => ({ uri: "s3://b/" + who + i, etag: '"e' + i + '"', size: i, validatedAt: i });
for (let i = 0; i < Number(count); i++) {
  appendRecord(journal, who + "-" + i, meta(i));
  // Dead lines, so the journal is compacted as it grows.
  for (let j = 0; j < 3; j++) appendRecord(journal, "churn-" + who, meta(j));
}
`;

Deno.test("record journal: without locks, lines appended during another process's compaction are kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_journal_no_locks_concurrent_" });
  try {
    const script = `${dir}/writer.mjs`;
    await Deno.writeTextFile(script, WRITER);
    const journal = `${dir}/.meta/%records.jsonl`;
    await Deno.mkdir(`${dir}/.meta`);
    const count = 2_000;
    const writers = ["a", "b", "c"].map((who) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-config", script, journal, who, String(count)],
        stdout: "null",
        stderr: "piped",
      }).output()
    );
    for (const out of await Promise.all(writers)) {
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    }
    const lost: string[] = [];
    for (const who of ["a", "b", "c"]) {
      for (let i = 0; i < count; i++) {
        const found = lookupRecord(journal, `${who}-${i}`);
        if (found.kind !== "record" || found.meta?.etag !== `"e${i}"`) lost.push(`${who}-${i}`);
      }
    }
    assertEquals(
      lost.length,
      0,
      `lost ${lost.length} records, e.g. ${lost.slice(0, 5).join(", ")}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
