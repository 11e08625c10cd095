/**
 * A refresh (the store's copy changed) whose record cannot be written (a
 * full disk at that moment) fails, and costs nothing: the copy cached
 * before stays in place, recorded with its ETag, servable offline, and the
 * error says so. Needs a small filesystem to fill: a tmpfs mount (root on
 * Linux); ignored elsewhere.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import { md5Hex } from "../src/hash.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canMount, fillDisk, tmpfsScratch } from "./mounts.ts";
import { filesUnder } from "./files_under.ts";

Deno.test({
  name:
    "a refresh whose record does not fit keeps the copy cached before (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-refresh-full-");
    const { dir, mnt } = scratch;
    try {
      const src = join(dir, "a.bin");
      // Empty: on tmpfs it holds no page, so replacing it frees no room for
      // the record (which an older copy's removal could give back).
      const v1 = new Uint8Array(0);
      const v2 = new Uint8Array(1000).fill(8);
      await Deno.writeFile(src, v1);
      const uri = pathToFileURL(src).href;
      const cacheDir = join(mnt, "cache");
      const open = () => new AssetCache({ cacheDir, configPath: false, env: {}, timeout: 0 });
      let dataPath: string;
      {
        await using cache = open();
        dataPath = await cache.cache(uri);
      }
      const journal = filesUnder(cacheDir).find((p) => p.endsWith("%records.jsonl"));
      assert(journal !== undefined);
      // Pad with a dead line so the next line needs a page of its own.
      const size = (await Deno.stat(journal)).size;
      await Deno.writeTextFile(journal, `p\t${"-".repeat(4096 - 20 - size - 3)}\n`, {
        append: true,
      });
      await Deno.writeFile(src, v2);
      const filler = join(mnt, "filler");
      await fillDisk(filler);
      // One page back: the new data fits, its record does not.
      await Deno.truncate(filler, (await Deno.stat(filler)).size - 4096);
      forgetJournals();
      {
        await using cache = open();
        const e = await assertRejects(() => cache.cache(uri));
        const message = (e as Error).message;
        assert(/no space left/.test(message), message);
        assert(message.includes(`the copy cached before (ETag ${md5Hex(v1)}) is kept`), message);
      }
      // The copy cached before: in place, recorded, servable offline.
      assertEquals(await Deno.readFile(dataPath), v1);
      assertEquals(filesUnder(cacheDir).filter((p) => p.includes(".vc-tmp-")), []);
      forgetJournals();
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, offline: true });
        assertEquals(await cache.cache(uri), dataPath);
        const [entry] = await cache.ls();
        assertEquals(entry?.etag, md5Hex(v1));
      }
      // With space back, the refresh works.
      await Deno.remove(filler);
      forgetJournals();
      {
        await using cache = open();
        assertEquals(await Deno.readFile(await cache.cache(uri)), v2);
      }
    } finally {
      forgetJournals();
    }
  },
});
