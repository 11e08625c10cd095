/**
 * `vc ls-remote` lists every key of the bucket (one LIST per 1000 keys:
 * minutes for a bucket of millions) and `vc versions` every key under a
 * path's prefixes; both printed nothing until the listing ended, on a
 * terminal and in a CI log alike. They report the keys listed so far from
 * the start (`onProgress` of `lsRemote` and `versions`), drawn as a bar on a
 * terminal and erased before the result.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";
import { testAwsEnv } from "./cli_process.ts";

const BUCKET = "listing-progress";
// Past one LIST page, so the count goes on across pages.
const VERSIONS = 1100;

async function withBucket(
  fn: (s3: Awaited<ReturnType<typeof startFakeS3>>, dir: string) => Promise<void>,
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir("vc_listing_progress_");
  for (let i = 0; i < VERSIONS; i++) await s3.putObject(BUCKET, `d/t.1.0.${i}.csv`, "x");
  await s3.putObject(BUCKET, "d/notes.txt", "not a version");
  await fn(s3, dir.path);
}

Deno.test("lsRemote and versions report the keys listed, from 0 to every key", async () => {
  await withBucket(async (s3, dir) => {
    await using vc = new VersionedCache({
      manifest: join(dir, "m.json"),
      bucket: `s3://${BUCKET}`,
      cache: new AssetCache({ cacheDir: join(dir, "cache"), configPath: false, env: {} }),
      store: testS3Options(s3),
    });
    const remote: number[] = [];
    const rows = await vc.lsRemote({ onProgress: ({ listed }) => remote.push(listed) });
    assertEquals(rows.map((r) => [r.path, r.versions.length]), [["/d/t.csv", VERSIONS]]);
    assertEquals(remote[0], 0);
    assertEquals(remote.at(-1), VERSIONS + 1, "every key counts, a version or not");
    assert(remote.every((n, i) => i === 0 || n > remote[i - 1]!), "the count only grows");

    const one: number[] = [];
    const versions = await vc.versions("/d/t.csv", {
      onProgress: ({ listed }) => one.push(listed),
    });
    assertEquals(versions.length, VERSIONS);
    assertEquals([one[0], one.at(-1)], [0, VERSIONS]);
  });
});

Deno.test("vc ls-remote and vc versions draw the listing on a terminal and erase it", async () => {
  await withBucket(async (s3, dir) => {
    const env = {
      HOME: join(dir, "home"),
      VC_CACHE_DIR: join(dir, "cache"),
      VC_BUCKET: `s3://${BUCKET}`,
      ...testAwsEnv(s3.url),
      TERM: "xterm",
    };
    for (
      const [args, label] of [
        [["ls-remote"], "ls-remote"],
        [["versions", "/d/t.csv"], "versions /d/t.csv"],
      ] as const
    ) {
      const io = memoryIo({ env, cwd: dir, stderrIsTerminal: true });
      // The S3 client reads its credentials from the process environment.
      let code = -1;
      await withProcessEnv(env, async () => void (code = await runCli([...args], io)));
      const stderr = io.stderr();
      assertEquals(code, 0, stderr);
      assertStringIncludes(stderr, "listing");
      assertStringIncludes(stderr, label);
      assert(
        stderr.endsWith("\r\x1b[K"),
        `the bar is erased at the end: ${JSON.stringify(stderr)}`,
      );
      assertStringIncludes(io.stdout(), "1.0.1099");
      // Piped: the result only.
      const piped = memoryIo({ env, cwd: dir, stderrIsTerminal: false });
      let pipedCode = -1;
      await withProcessEnv(env, async () => void (pipedCode = await runCli([...args], piped)));
      assertEquals([pipedCode, piped.stderr()], [0, ""]);
    }
  });
});
