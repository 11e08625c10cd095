/**
 * A record journal's append refuses a symbolic link at the journal's name by
 * itself, after its open, not only through the caller's earlier check of the
 * path: a link planted between that check and the open (Deno has no
 * `O_NOFOLLOW`) must not get a record line written through it into a file
 * outside the cache dir.
 */
import assert from "node:assert/strict";
import { appendRecord, keepJournalsOpen, lookupRecord } from "../src/cache/record_journal.ts";

const meta = { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 };

Deno.test({
  name: "an append to a journal that is a symbolic link is refused and writes nothing through it",
  // Symbolic links need privileges on Windows.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-journal-link-" });
    try {
      await Deno.mkdir(`${dir}/cache/.meta`, { recursive: true });
      const outside = `${dir}/outside.txt`;
      const precious = "precious data, not a journal\n".repeat(4);
      await Deno.writeTextFile(outside, precious);
      const journal = `${dir}/cache/.meta/%records.jsonl`;
      await Deno.symlink(outside, journal);
      for (const kept of [false, true]) {
        const done = kept ? keepJournalsOpen() : () => {};
        try {
          assert.throws(
            () => appendRecord(journal, "x", meta),
            (e: Error) =>
              e instanceof Deno.errors.PermissionDenied && e.message.includes(journal) &&
              /symbolic link/.test(e.message),
          );
        } finally {
          done();
        }
        assert.equal(await Deno.readTextFile(outside), precious);
      }
      // A dangling link: refused without its target being created (outside the cache dir).
      const dangling = `${dir}/cache/.meta/d/%records.jsonl`;
      await Deno.mkdir(`${dir}/cache/.meta/d`);
      await Deno.symlink(`${dir}/made.txt`, dangling);
      for (const kept of [false, true]) {
        const done = kept ? keepJournalsOpen() : () => {};
        try {
          assert.throws(
            () => appendRecord(dangling, "x", meta),
            (e: Error) =>
              e instanceof Deno.errors.PermissionDenied && /symbolic link/.test(e.message),
          );
        } finally {
          done();
        }
        await assert.rejects(() => Deno.lstat(`${dir}/made.txt`), Deno.errors.NotFound);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("an append to a plain journal still lands, opened once or kept open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-journal-link-" });
  try {
    const journal = `${dir}/.meta/%records.jsonl`;
    appendRecord(journal, "x", meta);
    const done = keepJournalsOpen();
    try {
      appendRecord(journal, "y", { ...meta, etag: "f" });
      appendRecord(journal, "y", { ...meta, etag: "g" });
    } finally {
      done();
    }
    const y = lookupRecord(journal, "y");
    assert(y.kind === "record" && y.meta?.etag === "g");
    assert.equal(lookupRecord(journal, "x").kind, "record");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
