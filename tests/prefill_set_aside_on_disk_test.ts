/**
 * Past max(1024, 4 × concurrency) items set aside (a paused store's, or a
 * store's that has not answered), the next ones wait in temp files instead of
 * memory, so the list is read on to find the other stores' work. What an item
 * is named by in the summary (its list file and line, its manifest's version
 * message) comes back with it, and the temp files are gone at the end.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("prefill: items set aside past the bound are fetched, named as listed, and leave no temp file", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "vc-prefill-set-aside-disk-" });
  const before = Deno.env.get("TMPDIR");
  Deno.env.set("TMPDIR", tmp);
  try {
    await withS3Cache(async (s3, make, dir) => {
      const n = 1100;
      for (let i = 0; i < n; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
      await s3.putObject("b", "a.1.0.0.csv", "a");
      await s3.putObject("b", "gone.1.0.0.csv", "g");
      const manifest = `${dir}/versioned_assets.json`;
      await Deno.writeTextFile(manifest, '{"/a.csv": "1.0.0"}');
      const cache = make();
      await using vc = new VersionedCache({ manifest, bucket: "s3://b", cache });
      // The first GETs are asked to slow down: the store pauses, and every
      // item of the list is set aside meanwhile (past the bound, on disk).
      let gets = 0;
      s3.faults = {
        errorRate: 1,
        errorKind: "slowdown",
        match: (t) => t.op === "GetObject" && gets++ < 2,
      };
      const entries = [
        ...Array.from({ length: n }, (_, i) => ({
          item: `s3://b/k${i}.txt`,
          file: "list.txt",
          line: i + 1,
        })),
        { item: "s3://b/nope.txt", file: "list.txt", line: n + 1 },
        { item: "/gone.csv@2.0.0", file: "list.txt", line: n + 2 },
      ];
      let sawTempDir = false;
      const summary = await prefill({
        cache,
        versioned: [vc],
        uris: entries,
        concurrency: 2,
        throttleWait: 0.5,
        onProgress: () => {
          if (!sawTempDir) {
            sawTempDir = [...Deno.readDirSync(tmp)].some((e) =>
              e.name.startsWith("vc-prefill-set-aside-")
            );
          }
        },
      });
      assert(sawTempDir, "items were set aside on disk");
      assertEquals(summary.fetched, n + 1, JSON.stringify(summary.failed));
      assertEquals(summary.failed.map((f) => [f.item, f.file, f.line, f.errorName]), [
        ["s3://b/nope.txt", "list.txt", n + 1, "NotFoundError"],
        ["/gone.csv@2.0.0", "list.txt", n + 2, "NotFoundError"],
      ]);
      // Said as `vc path` says a missing version (its manifest's cache kept).
      assertMatch(summary.failed[1]!.error, /^version 2\.0\.0 of \/gone\.csv does not exist/);
      assertEquals(await Deno.readTextFile(cache.localPath(`s3://b/k${n - 1}.txt`)), `v${n - 1}`);
    }, { maxAttempts: 1 });
    assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
  } finally {
    if (before === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", before);
    await Deno.remove(tmp, { recursive: true });
  }
});
