/**
 * `AssetCache.close()` waits for the `cache()` calls still running, not only
 * for the downloads every caller abandoned: after `Promise.all` rejected on
 * one URI, the others were still downloading when `close()` resolved, and
 * wrote their files, records and lock-holder notes after it.
 */
import { assert, assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

// Names under `dir` (recursively) of the cache's temp files and holder notes.
async function leftovers(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.name.includes(".vc-tmp-")) found.push(`${d}/${e.name}`);
      if (e.isDirectory) await walk(`${d}/${e.name}`);
    }
  };
  await walk(dir);
  return found;
}

Deno.test("close() waits for cache() calls still downloading", async () => {
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "slow.bin", new Uint8Array(64 * 1024).fill(7));
    // The store holds slow.bin's requests back until the test lets them go
    // (a 300 ms latency was outrun on a loaded machine by the failing item).
    const gate = Promise.withResolvers<void>();
    s3.setFaults({ hold: gate.promise, match: ({ key }) => key === "slow.bin" });
    const cache = make();
    let slowSettled = false;
    const slow = cache.cache("s3://b/slow.bin").finally(() => slowSettled = true);
    slow.catch(() => {}); // awaited below; a failed assertion first must not leave it unhandled
    try {
      // The other item of a `Promise.all` fails early (no such object).
      const results = await Promise.allSettled([cache.cache("s3://b/missing.bin")]);
      assertEquals(results[0].status, "rejected");
      assertEquals(slowSettled, false, "the slow download is still running");
      let closed = false;
      const closing = cache.close().finally(() => closed = true);
      // While the store holds slow.bin, close() cannot be done, however long
      // it is given (a close() that did not wait resolves within these turns).
      await new Promise((r) => setTimeout(r, 100));
      assertEquals([closed, slowSettled], [false, false], "close() resolved before the download");
      gate.resolve();
      await closing;
    } finally {
      gate.resolve();
    }
    assert(slowSettled, "close() resolved while a cache() call was still running");
    assertEquals(await leftovers(dir), [], "no temp file or holder note left after close()");
    assertEquals(await Deno.readFile(await slow), new Uint8Array(64 * 1024).fill(7));
  });
});

Deno.test("close() with nothing running resolves, and the cache stays usable", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "x.txt", "x");
    const cache = make();
    await cache.close();
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/x.txt")), "x");
    await cache.close();
  });
});
