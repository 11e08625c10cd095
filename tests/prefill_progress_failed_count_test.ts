/**
 * A CI log of a long prefill shows a progress line every 30 s, and the
 * failures only at the end: a run whose items were all failing (credentials
 * that expired mid-run, a bucket renamed) logged `2800/3000` for half an hour
 * as if all was well. The progress now counts the failures so far
 * (`PrefillProgress.failed`), and the line says them (`12 failed`).
 */
import { assert, assertEquals } from "./assert.ts";
import { prefill, type PrefillProgress } from "../src/prefill/prefill.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { ProgressBar } from "../src/progress.ts";

Deno.test("prefill: the progress counts the items failed so far", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-failed-count-" });
  try {
    await Deno.mkdir(`${dir}/bucket`);
    await Deno.writeTextFile(`${dir}/bucket/a.txt`, "a");
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} });
    const seen: PrefillProgress[] = [];
    await prefill({
      cache,
      uris: [
        `file://${dir}/bucket/a.txt`,
        `file://${dir}/bucket/missing1.txt`,
        `file://${dir}/bucket/missing2.txt`,
        "not a uri",
      ],
      concurrency: 1,
      onProgress: (p) => seen.push({ ...p }),
    });
    const last = seen.at(-1)!;
    assertEquals([last.done, last.failed], [4, 3], JSON.stringify(seen));
    // It grows as items fail, never counting one twice.
    for (let i = 1; i < seen.length; i++) assert(seen[i]!.failed >= seen[i - 1]!.failed);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("progress: a log line says how many items failed so far", () => {
  const bar = new ProgressBar({ enabled: false, label: "prefill" });
  bar.onItems({ done: 28, total: 81, failed: 12, current: "s3://b/k/28.bin" });
  assert(bar.line().includes("28/81  12 failed"), bar.line());
  // None failed: nothing said.
  const clean = new ProgressBar({ enabled: false, label: "prefill" });
  clean.onItems({ done: 28, total: 81, failed: 0 });
  assert(!clean.line().includes("failed"), clean.line());
});
