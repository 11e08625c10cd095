import { assert, assertEquals } from "./assert.ts";
import { appendRecord, lookupRecord } from "../src/cache/record_journal.ts";
import { encodeLine } from "../src/cache/journal_file.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { withTempDir } from "./versioned_helpers.ts";

/** Replaces `path` with a new file of `bytes`, as another process's compaction does. */
function replace(path: string, bytes: Uint8Array): void {
  Deno.writeFileSync(`${path}.new`, bytes);
  Deno.renameSync(`${path}.new`, path);
}

/**
 * Whether this temp dir's filesystem gives a new file the inode number of
 * one just replaced (ext4 does, tmpfs does not): only there can a
 * replaced journal pass for the old one by its inode.
 */
function reusesInodes(): boolean {
  const dir = Deno.makeTempDirSync({ prefix: "vc-inode-probe-" });
  try {
    const path = `${dir}/f`;
    Deno.writeTextFileSync(path, "a");
    const first = Deno.statSync(path).ino;
    for (let i = 0; i < 8; i++) {
      replace(path, new Uint8Array(1));
      if (Deno.statSync(path).ino === first) return first !== null;
    }
    return false;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const meta = (uri: string, size: number) => ({ uri, etag: "e", size, validatedAt: 0 });

Deno.test({
  name:
    "a journal replaced by another process's compaction under a reused inode number is read anew",
  // Only a filesystem that reuses inode numbers at once (ext4; not tmpfs) can show it.
  ignore: !reusesInodes(),
  fn: () =>
    withTempDir((dir) => {
      const journal = `${dir}/%records.jsonl`;
      try {
        appendRecord(journal, "a.bin", meta("s3://b/a.bin", 1));
        appendRecord(journal, "b.bin", meta("s3://b/b.bin", 2));
        assertEquals(lookupRecord(journal, "a.bin").kind, "record"); // this process remembers it
        const first = Deno.statSync(journal).ino;
        // Other processes remove a.bin, cache c.bin and compact: a new file,
        // larger than the one remembered; compacted again, it may get the
        // inode number of the first back.
        const compacted = new Uint8Array([
          ...encodeLine("b.bin", meta("s3://b/b.bin", 2)),
          ...encodeLine("c.bin", meta("s3://b/c.bin?and-a-longer-uri", 3)),
        ]);
        // Other test processes creating files at once can take the freed
        // number for a while: try long enough for it to be freed again.
        let reused = false;
        for (let i = 0; i < 5000 && !reused; i++) {
          replace(journal, compacted);
          reused = Deno.statSync(journal).ino === first;
        }
        assert(reused, "the journal's inode number came back");
        assertEquals(lookupRecord(journal, "a.bin").kind, "none");
        const c = lookupRecord(journal, "c.bin");
        assert(
          c.kind === "record" && c.meta?.size === 3,
          `c.bin is recorded: ${JSON.stringify(c)}`,
        );
      } finally {
        forgetRecords();
      }
      return Promise.resolve();
    }, "vc-journal-inode-"),
});
