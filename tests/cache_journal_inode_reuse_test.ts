import { assert, assertEquals } from "./assert.ts";
import { appendRecord, lookupRecord } from "../src/cache/record_journal.ts";
import { encodeLine } from "../src/cache/journal_file.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { withTempDir } from "./versioned_helpers.ts";

/**
 * Replaces `path` with a new file of `bytes`, as another process's
 * compaction does, born after `born`. The kernel stamps a new file with its
 * coarse clock (a tick of up to 4 ms), which can lag `Date.now()`: the file
 * is written again until its own creation time is later (bounded).
 */
function replaceBornAfter(path: string, bytes: Uint8Array, born: Date): void {
  for (let tries = 0; tries < 10_000; tries++) {
    Deno.writeFileSync(`${path}.new`, bytes);
    if (Deno.statSync(`${path}.new`).birthtime!.getTime() > born.getTime()) {
      Deno.renameSync(`${path}.new`, path);
      return;
    }
    Deno.removeSync(`${path}.new`);
  }
  throw new Error(`no file here was born after ${born.toISOString()}`);
}

/**
 * Runs `fn` with every stat of this process reporting the inode number
 * `real` as `shown`: a file that got another's number back, as ext4 gives
 * a new file the number the one before last just freed. (Waiting for the
 * kernel to reuse it raced the other test processes creating files: they
 * took the freed number, and the test failed without testing anything.)
 */
function withInodeShownAs<T>(real: number, shown: number, fn: () => T): T {
  const shownAs = (info: Deno.FileInfo): Deno.FileInfo =>
    info.ino === real ? { ...info, ino: shown } : info;
  const { statSync, lstatSync } = Deno;
  const fileStatSync = Deno.FsFile.prototype.statSync;
  Deno.statSync = (path) => shownAs(statSync(path));
  Deno.lstatSync = (path) => shownAs(lstatSync(path));
  Deno.FsFile.prototype.statSync = function (this: Deno.FsFile) {
    return shownAs(fileStatSync.call(this));
  };
  try {
    return fn();
  } finally {
    Object.assign(Deno, { statSync, lstatSync });
    Deno.FsFile.prototype.statSync = fileStatSync;
  }
}

/** Whether files here tell their creation time (the memo's second key beside the inode). */
function tellsBirthtime(): boolean {
  const dir = Deno.makeTempDirSync({ prefix: "vc-birthtime-probe-" });
  try {
    Deno.writeTextFileSync(`${dir}/f`, "a");
    return Deno.statSync(`${dir}/f`).birthtime !== null;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const meta = (uri: string, size: number) => ({ uri, etag: "e", size, validatedAt: 0 });

Deno.test({
  name:
    "a journal replaced by another process's compaction under a reused inode number is read anew",
  // Only a file's creation time tells a reused inode number apart.
  ignore: !tellsBirthtime(),
  fn: () =>
    withTempDir((dir) => {
      const journal = `${dir}/%records.jsonl`;
      try {
        appendRecord(journal, "a.bin", meta("s3://b/a.bin", 1));
        appendRecord(journal, "b.bin", meta("s3://b/b.bin", 2));
        assertEquals(lookupRecord(journal, "a.bin").kind, "record"); // this process remembers it
        const before = Deno.statSync(journal);
        // Other processes remove a.bin, cache c.bin and compact: a new file,
        // larger than the one remembered, born later, under the first one's
        // inode number.
        const compacted = new Uint8Array([
          ...encodeLine("b.bin", meta("s3://b/b.bin", 2)),
          ...encodeLine("c.bin", meta("s3://b/c.bin?and-a-longer-uri", 3)),
        ]);
        replaceBornAfter(journal, compacted, before.birthtime!);
        const after = Deno.statSync(journal);
        assert(after.ino !== null && after.ino !== before.ino);
        withInodeShownAs(after.ino, before.ino!, () => {
          assertEquals(Deno.statSync(journal).ino, before.ino);
          assertEquals(lookupRecord(journal, "a.bin").kind, "none");
          const c = lookupRecord(journal, "c.bin");
          assert(
            c.kind === "record" && c.meta?.size === 3,
            `c.bin is recorded: ${JSON.stringify(c)}`,
          );
        });
      } finally {
        forgetRecords();
      }
      return Promise.resolve();
    }, "vc-journal-inode-"),
});
