/**
 * A refresh (the store's copy changed) whose new version does not fit on
 * the cache dir's disk fails with `no space left`, and the copy cached
 * before stays in place, recorded, servable offline. The error said only
 * that nothing partial was kept and to free space, so a user whose script
 * stopped on it did not know the copy it used yesterday was still there,
 * nor how to go on with it: it says so, as a refresh whose record does not
 * fit does. Needs a small filesystem to fill: a tmpfs mount (root on
 * Linux); ignored elsewhere.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import { md5Hex } from "../src/hash.ts";
import { VcError } from "../src/errors.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canMount, tmpfsScratch } from "./mounts.ts";
import { filesUnder } from "./files_under.ts";

Deno.test({
  name:
    "a refresh whose new version does not fit says the copy cached before is kept (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-refresh-no-room-");
    const { dir, mnt } = scratch;
    try {
      const src = join(dir, "a.bin");
      const v1 = new Uint8Array(1000).fill(1);
      // Twice the 1 MiB mount: it cannot fit.
      const v2 = new Uint8Array(2 * 1024 * 1024).fill(2);
      await Deno.writeFile(src, v1);
      const uri = pathToFileURL(src).href;
      const cacheDir = join(mnt, "cache");
      let dataPath: string;
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
        dataPath = await cache.cache(uri);
      }
      await Deno.writeFile(src, v2);
      forgetJournals();
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, timeout: 0 });
        const e = await assertRejects(() => cache.cache(uri), VcError);
        assert(e.message.includes("no space left"), e.message);
        assert(
          e.message.includes(`the copy cached before (ETag ${md5Hex(v1)}) is kept`),
          e.message,
        );
        assert(e.message.includes("offline mode serves it (the offline option"), e.message);
      }
      assertEquals(await Deno.readFile(dataPath), v1);
      assertEquals(filesUnder(cacheDir).filter((p) => p.includes(".vc-tmp-")), []);
      forgetJournals();
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, offline: true });
        assertEquals(await cache.cache(uri), dataPath);
      }
    } finally {
      forgetJournals();
    }
  },
});
