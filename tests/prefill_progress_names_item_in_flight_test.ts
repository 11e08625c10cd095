/**
 * A CI log line of `vc prefill` names an item: after the fast items of a run
 * had finished and one slow item was left (a store slow to answer it), every
 * line for as long as it took named the last item that had *finished*
 * (`66%  2/3 … s3://b/a.bin`), not the one the run was waiting for. An item
 * that finishes now hands the line to one still in flight, the oldest.
 */
import { join } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { prefill, type PrefillProgress } from "../src/prefill/prefill.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

Deno.test("prefill: once the fast items finish, progress names the item still in flight", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const key of ["slow.bin", "a.bin", "c.bin"]) await s3.putObject("b", key, key);
  // The slow object answers after the others have finished.
  s3.setFaults({ latencyMs: 800, match: (t) => t.key === "slow.bin" });
  await using dir = await tempDir("vc-prefill-in-flight-");
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  const seen: PrefillProgress[] = [];
  const summary = await prefill({
    cache,
    uris: ["s3://b/slow.bin", "s3://b/a.bin", "s3://b/c.bin"],
    onProgress: (p) => void seen.push({ ...p }),
  });
  assertEquals(summary.fetched, 3);
  // The report as the second fast item finished: what a log line shows
  // while the slow one is awaited.
  const waiting = seen.find((p) => p.done === 2);
  assertEquals(waiting?.current, "s3://b/slow.bin", JSON.stringify(seen));
  // Nothing left in flight: the last one done is named.
  assertEquals(seen.at(-1)?.current, "s3://b/slow.bin");
});
