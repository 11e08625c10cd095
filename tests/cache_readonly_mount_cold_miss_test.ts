/**
 * A cold miss (or a refresh to a new version) in a cache dir on a read-only
 * mount (a CI volume mounted `:ro`, root or not) said `make it writable or
 * set --cache-dir`: a chmod cannot make a read-only file system writable.
 * It says what `vc cache rm` / `prune` / `invalidate` already said there:
 * the cache dir is on a read-only file system, use a writable --cache-dir or
 * remount it read-write. Warm hits are still served.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { probeReadOnlyMount, readOnlyMount } from "./mounts.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const canMountReadOnly = await probeReadOnlyMount();

Deno.test({
  name: "cache on a read-only mount: a cold miss and a new version say 'read-only file system', " +
    "not 'make it writable' (ignored where a read-only bind mount cannot be made: not root)",
  ignore: !canMountReadOnly,
  async fn() {
    await withS3Cache(async (s3, make, dir) => {
      await s3.putObject("b", "warm.csv", "a\n");
      await s3.putObject("b", "changed.csv", "v1\n");
      {
        const fill = make();
        await fill.cache("s3://b/warm.csv");
        await fill.cache("s3://b/changed.csv");
      }
      await s3.putObject("b", "changed.csv", "v2, longer\n");
      await s3.putObject("b", "cold.csv", "c\n");
      let ran = false;
      assert(
        await readOnlyMount(dir, async () => {
          ran = true;
          const cache = make({ timeout: 0 });
          assertEquals(await Deno.readTextFile(await cache.cache("s3://b/warm.csv")), "a\n");
          for (const key of ["cold.csv", "changed.csv"]) {
            const e = await assertRejects(() => cache.cache(`s3://b/${key}`));
            const message = (e as Error).message;
            assertStringIncludes(message, `s3://b/${key}`);
            assertStringIncludes(message, dir);
            assertStringIncludes(
              message,
              "it is on a read-only file system: set the cacheDir option / VC_CACHE_DIR to a writable directory or remount it read-write",
            );
            assert(!message.includes("make it writable"), message);
          }
        }),
        "read-only bind mount",
      );
      assert(ran);
    });
  },
});
