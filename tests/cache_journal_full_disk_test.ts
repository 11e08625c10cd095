/**
 * A record journal on a full disk: an append that does not fit leaves the
 * journal as it was. A journal the append created is not left behind empty,
 * and a line cut short is taken back, so it can never hide the whole line
 * written before it for the same name (once space is back, the next append
 * would end the torn line and make it the name's last record: a miss).
 * Needs a small filesystem to fill: a tmpfs mount (root on Linux); ignored
 * elsewhere.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { isNoSpaceError } from "../src/cache/cache_errors.ts";
import { appendRecord, compactJournal, lookupRecord } from "../src/cache/record_journal.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import { lineValue } from "../src/cache/journal_file.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canMount, fillDisk, tmpfsScratch } from "./mounts.ts";
import { filesUnder } from "./files_under.ts";

const meta = (etag: string) => ({ uri: "s3://b/x", etag, size: 1, validatedAt: 0 });

async function withTmpfs(fn: (mnt: string, dir: string) => Promise<void>): Promise<void> {
  await using scratch = await tmpfsScratch("vc-full-journal-");
  try {
    await fn(scratch.mnt, scratch.dir);
  } finally {
    forgetJournals();
  }
}

Deno.test({
  name:
    "an append that does not fit leaves no empty journal behind (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: () =>
    withTmpfs(async (mnt) => {
      const journal = join(mnt, "c", ".meta", "s3", "b", "%records.jsonl");
      await fillDisk(join(mnt, "filler"));
      const e = assertThrows(() => appendRecord(journal, "x", meta("1")));
      assert(isNoSpaceError(e), String(e));
      assertEquals(filesUnder(join(mnt, "c")), []);
      // With space back, the append works with no cleanup.
      await Deno.remove(join(mnt, "filler"));
      appendRecord(journal, "x", meta("1"));
      const found = lookupRecord(journal, "x");
      assert(found.kind === "record" && found.meta?.etag === "1");
    }),
});

Deno.test({
  name:
    "a line cut short by a full disk is taken back: the earlier line for its name stays (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: () =>
    withTmpfs(async (mnt) => {
      const journal = join(mnt, "%records.jsonl");
      appendRecord(journal, "x", meta("old"));
      // Pad with dead lines so 40 bytes are left in the journal's last page.
      const size = (await Deno.stat(journal)).size;
      const pad = 4096 - 40 - size;
      await Deno.writeTextFile(journal, `p\t${"-".repeat(pad - 3)}\n`, { append: true });
      const before = await Deno.readFile(journal);
      await fillDisk(join(mnt, "filler"));
      forgetJournals();
      const e = assertThrows(() => appendRecord(journal, "x", meta("n".repeat(200))));
      assert(isNoSpaceError(e), String(e));
      assertEquals(await Deno.readFile(journal), before);
      await Deno.remove(join(mnt, "filler"));
      appendRecord(journal, "y", meta("1"));
      forgetJournals();
      const found = lookupRecord(journal, "x");
      assert(found.kind === "record" && found.meta?.etag === "old", JSON.stringify(found));
    }),
});

Deno.test({
  name:
    "caching on a disk with room for the data, not its record: no file left, next run works (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: () =>
    withTmpfs(async (mnt, dir) => {
      const src = join(dir, "a.bin");
      await Deno.writeFile(src, new Uint8Array(1000).fill(7));
      const uri = pathToFileURL(src).href;
      const cacheDir = join(mnt, "cache");
      await Deno.mkdir(cacheDir);
      const filler = join(mnt, "filler");
      await fillDisk(filler);
      // One page back: the data fits, its journal does not.
      await Deno.truncate(filler, (await Deno.stat(filler)).size - 4096);
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
        const e = await assertRejects(() => cache.cache(uri));
        assert(/no space left/.test((e as Error).message), (e as Error).message);
        assert((e as Error).message.includes(cacheDir), (e as Error).message);
      }
      assertEquals(filesUnder(cacheDir), []);
      await Deno.remove(filler);
      forgetJournals();
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      assertEquals(await Deno.readFile(await cache.cache(uri)), new Uint8Array(1000).fill(7));
    }),
});

Deno.test({
  name:
    "a split cut short by a full disk leaves no split journal behind, and the records all read (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: () =>
    withTmpfs(async (mnt) => {
      const journal = join(mnt, "%records.jsonl");
      // Live records past the split size, written as one journal.
      const line = (i: number) =>
        `n${i}\t${lineValue({ ...meta("e"), uri: `s3://b/${"k".repeat(100)}${i}` })}\n`;
      await Deno.writeTextFile(journal, Array.from({ length: 2000 }, (_, i) => line(i)).join(""));
      await fillDisk(join(mnt, "filler"));
      const filler = join(mnt, "filler");
      // Room for a few split journals, not all of them.
      await Deno.truncate(filler, (await Deno.stat(filler)).size - 40 * 1024);
      assertEquals(compactJournal(journal, { force: true }), false);
      assertEquals(filesUnder(mnt).sort(), [journal, filler].sort());
      const found = lookupRecord(journal, "n1999");
      assert(found.kind === "record" && found.meta?.size === 1, JSON.stringify(found));
      await Deno.remove(filler);
      assert(compactJournal(journal, { force: true }));
      forgetJournals();
      const again = lookupRecord(journal, "n7");
      assert(again.kind === "record" && again.meta?.size === 1, JSON.stringify(again));
    }),
});
