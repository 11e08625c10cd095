/**
 * A large object downloaded with parallel ranged GETs onto a cache dir whose
 * disk fills: the error is the full disk's, naming the cache dir and the URI
 * (the ranged write's failure closed its handle, and reading the handle's
 * position then failed with a bare `BadResource` instead, an internal
 * error), and nothing of the download stays in the cache (the resume note
 * the failed write left empty stayed). Needs a small filesystem to fill: a
 * tmpfs mount (root on Linux); ignored elsewhere.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VcError } from "../src/errors.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canMount, tmpfsScratch } from "./mounts.ts";
import { filesUnder } from "./files_under.ts";

const MiB = 1024 * 1024;

Deno.test({
  name:
    "a parallel download onto a full disk says so and leaves no partial nor resume note (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-parallel-full-", { mountOn: "cache" });
    const { dir, mnt: cacheDir } = scratch;
    const big = new Uint8Array(6 * MiB);
    crypto.getRandomValues(big.subarray(0, 65536));
    await Deno.writeFile(join(dir, "big.bin"), big);
    const uri = pathToFileURL(join(dir, "big.bin")).href;
    await using cache = new AssetCache({
      cacheDir,
      configPath: false,
      env: {},
      download: { parallelThreshold: MiB, partSize: MiB },
    });
    const e = await assertRejects(() => cache.cache(uri), VcError, "no space left");
    assertStringIncludes(e.message, cacheDir);
    assertStringIncludes(e.message, uri);
    const left = filesUnder(cacheDir).filter((p) => !p.includes("/.meta/"));
    assertEquals(left, []);
  },
});
