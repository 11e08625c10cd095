/**
 * `AssetCache.close()` waits for every operation of the cache still running,
 * not only `cache()` calls: a `verify()`, `prune()`, `ls()`, `delete()` or
 * `copyVerified()` started before `close()` has settled when it resolves
 * (it removes files and records; `ls({ checkRemote })` asks the stores
 * `close()` closes), so nothing of the cache's work is left running.
 */
import { assert, assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import type { AssetCache } from "../src/cache/asset_cache.ts";

// Starts `op` on a cache holding two entries, closes the cache at once, and
// says whether `op` had settled when close() resolved.
async function settledBeforeClose<T>(
  op: (cache: AssetCache, dir: string) => Promise<T>,
  latencyMs = 0,
): Promise<{ settled: boolean; result: PromiseSettledResult<T> }> {
  let out: { settled: boolean; result: PromiseSettledResult<T> } | undefined;
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "a.bin", new Uint8Array(256 * 1024).fill(1));
    await s3.putObject("b", "c.bin", new Uint8Array(256 * 1024).fill(2));
    const cache = make();
    await cache.cache("s3://b/a.bin");
    await cache.cache("s3://b/c.bin");
    if (latencyMs > 0) s3.setFaults({ latencyMs });
    let settled = false;
    const running = op(cache, dir).finally(() => settled = true);
    running.catch(() => {}); // settled below
    await cache.close();
    const when = settled;
    const [result] = await Promise.allSettled([running]);
    out = { settled: when, result: result! };
  });
  return out!;
}

Deno.test("close() waits for a verify() still running", async () => {
  const { settled, result } = await settledBeforeClose((c) => c.verify());
  assert(settled, "close() resolved while verify() was still reading the copies");
  assertEquals(result.status, "fulfilled");
});

Deno.test("close() waits for a prune() still running", async () => {
  const { settled, result } = await settledBeforeClose((c) => c.prune({ maxBytes: 0 }));
  assert(settled, "close() resolved while prune() was still removing entries");
  assertEquals(result.status === "fulfilled" && result.value.removed.length, 2);
});

Deno.test("close() waits for an ls({ checkRemote }) still asking the store", async () => {
  const { settled, result } = await settledBeforeClose(
    (c) => c.ls({ checkRemote: true }),
    200,
  );
  assert(settled, "close() resolved while ls() was still asking the store");
  // The stores were not closed under it: each entry was compared with the store.
  assertEquals(
    result.status === "fulfilled" &&
      result.value.map((e) => [e.outdated, e.remoteError]),
    [[false, undefined], [false, undefined]],
  );
});

Deno.test("close() waits for a delete() still running", async () => {
  const { settled, result } = await settledBeforeClose((c) => c.delete("s3://b/a.bin"));
  assert(settled, "close() resolved while delete() was still removing the entry");
  assertEquals(result.status === "fulfilled" && result.value, true);
});

Deno.test("close() waits for a copyVerified() still copying", async () => {
  const out = await Deno.makeTempDir({ prefix: "vc-close-copy-" });
  try {
    const { settled, result } = await settledBeforeClose((c) =>
      c.copyVerified(c.localPath("s3://b/a.bin"), `${out}/a.bin`)
    );
    assert(settled, "close() resolved while copyVerified() was still copying");
    assertEquals(result.status, "fulfilled");
    assertEquals((await Deno.stat(`${out}/a.bin`)).size, 256 * 1024);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
