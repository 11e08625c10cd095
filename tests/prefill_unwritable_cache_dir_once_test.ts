/**
 * A cold prefill into a cache dir that cannot be written (a read-only mount,
 * a CI cache restored read-only) downloaded each item before failing on the
 * cache dir: 3,050 items, 3,050 GETs, each failing alike. After the first
 * item that fails so, the other items of its store fail at once, without a
 * request, naming the cache dir and the item whose failure says why (as do
 * the items in flight with it); the items already cached are still served,
 * as they are.
 */
import { assert, assertEquals } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { canMount, run, tmpfsScratch } from "./mounts.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test({
  name: "prefill: a cache dir that cannot be written is found by one item, not asked per item " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await withS3Cache(async (s3, make) => {
      const uris = Array.from({ length: 100 }, (_, i) => `s3://b/k${i}.txt`);
      for (let i = 0; i < 100; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
      await using scratch = await tmpfsScratch("vc-prefill-unwritable-", { options: "size=4m" });
      const mnt = scratch.mnt;
      const cacheDir = `${mnt}/cache`;
      // One item cached while it could be written.
      const warm = make({ cacheDir });
      await warm.cache("s3://b/k99.txt");
      await warm.close();
      assert(await run("mount", "-o", "remount,ro", mnt), "remount ro");
      s3.resetStats();
      const summary = await prefill({ cache: make({ cacheDir }), uris, concurrency: 4 });
      assertEquals(summary.alreadyCached, 1);
      assertEquals(summary.failed.length, 99);
      assertEquals([...new Set(summary.failed.map((f) => f.errorName))], ["AccessDeniedError"]);
      // The items in flight when the first failed, at most: not one per item.
      assert(s3.stats.GetObject <= 4 + 1, JSON.stringify(s3.stats));
      const tried = summary.failed.filter((f) => !f.error.startsWith("not tried: "));
      assert(tried.length <= 4, `${tried.length} tried`);
      // One of them says why (those in flight with it refer to it).
      const long = tried.filter((f) =>
        f.error.includes(`cannot write to the cache dir ${cacheDir}`)
      );
      assertEquals(long.length, 1, tried.map((f) => f.error).join("\n"));
      // The others name the cache dir and the item whose failure says why.
      const named = new Set(long.map((f) => f.item));
      for (const f of summary.failed.filter((f) => !named.has(f.item))) {
        const why = new RegExp(
          `^(?:not tried: )?the cache dir ${cacheDir} cannot be written ` +
            `\\(the failure of (s3://b/k\\d+\\.txt) says why\\)$`,
        ).exec(f.error);
        assert(why !== null && named.has(why[1]!), f.error);
      }
    }, { maxAttempts: 1 });
  },
});
