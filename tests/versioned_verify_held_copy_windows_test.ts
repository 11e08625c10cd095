/**
 * `vc verify` with a cached copy another program holds open on Windows
 * without sharing it for reading: the read is refused with a sharing
 * violation (os error 32), and the entry's problem was the system's words
 * alone. It now says another program has the cached copy open and to run
 * verify again once it is closed; the other entries are checked as ever.
 * The Windows strategy's LOGIC, run on Linux by switching
 * `fsPlatform.mandatoryLocks` and making opens of that one file fail as
 * Windows does.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { tempDir, testS3Options, writeFile } from "./versioned_helpers.ts";

const BUCKET = "verify-held";

Deno.test("verify (Windows logic): a cached copy another program holds open is named as such; the rest verify", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  await using vc = new VersionedCache({
    manifest: join(dir.path, "manifest.json"),
    bucket: `s3://${BUCKET}`,
    cache,
    store: testS3Options(s3),
  });
  await vc.add("/d/a.csv", await writeFile(dir.path, "a.csv", "a\n"));
  await vc.add("/d/b.csv", await writeFile(dir.path, "b.csv", "b\n"));
  const held = await vc.path("/d/a.csv");
  await vc.path("/d/b.csv");
  const { open, openSync } = Deno;
  const refuse = () =>
    new Error(
      "The process cannot access the file because it is being used by another process. " +
        `(os error 32): open '${held}'`,
    );
  Deno.open = (p, o) => String(p) === held ? Promise.reject(refuse()) : open(p, o);
  Deno.openSync = (p, o) => {
    if (String(p) === held) throw refuse();
    return openSync(p, o);
  };
  let results;
  try {
    results = await withFsPlatform({ mandatoryLocks: true }, () => vc.verify());
  } finally {
    Object.assign(Deno, { open, openSync });
  }
  const byPath = Object.fromEntries(results.map((r) => [r.path, r]));
  assertEquals(byPath["/d/b.csv"]?.ok, true, byPath["/d/b.csv"]?.problem);
  assertEquals(byPath["/d/a.csv"]?.ok, false);
  const problem = byPath["/d/a.csv"]!.problem!;
  assertStringIncludes(problem, held);
  assertStringIncludes(problem, "another program has it open");
  assertStringIncludes(problem, "verify again");
});
