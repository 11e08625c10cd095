/**
 * A download that starts over (content that came corrupt, an object replaced
 * mid-download) does not report progress going back: each attempt counts
 * from zero, but what is reported only grows, so a progress bar (vc get),
 * prefill's and mirror's byte counts never go backwards.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { md5Hex } from "../src/hash.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { downloadToFile } from "../src/store/download.ts";
import { FaultStore, randomBytes } from "./fixtures/fault_store.ts";
import { withTempDir } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

function assertGrowing(seen: number[]): void {
  for (let i = 1; i < seen.length; i++) {
    assert(seen[i]! >= seen[i - 1]!, `progress went back: ${seen.join(", ")}`);
  }
}

for (
  const [name, size, ranged] of [
    ["small object", 300_000, undefined],
    ["ranged object", MiB, true],
  ] as const
) {
  Deno.test(`${name}: progress after a corrupt first attempt never goes back`, async () => {
    await withTempDir(async (dir) => {
      const store = new FaultStore();
      const data = randomBytes(size, 31);
      const info = store.set("k", data);
      store.fail("corrupt", 1, ["get"], ranged);
      const seen: number[] = [];
      await downloadToFile(store, "k", join(dir, "k"), {
        ...(ranged ? { expected: info, parallelThreshold: 256 * 1024, partSize: 256 * 1024 } : {}),
        onProgress: (p) => {
          assert(p.bytes <= p.total);
          seen.push(p.bytes);
        },
      });
      assertEquals(md5Hex(await Deno.readFile(join(dir, "k"))), md5Hex(data));
      assertGrowing(seen);
      assertEquals(seen.at(-1), size);
    });
  });
}

Deno.test("prefill: bytes never go back when an item's first response was corrupt", async () => {
  await withTempDir(async (dir) => {
    const store = new FaultStore("s3://bucket");
    const data = randomBytes(300_000, 32);
    store.set("k.bin", data);
    store.fail("corrupt");
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      warn: () => {},
      openStore: () => Promise.resolve(store),
    });
    const seen: number[] = [];
    const summary = await prefill({
      cache,
      uris: ["s3://bucket/k.bin"],
      onProgress: (p) => seen.push(p.bytes),
    });
    assertEquals([summary.fetched, summary.failed.length, summary.bytes], [1, 0, 300_000]);
    assertGrowing(seen);
  });
});
