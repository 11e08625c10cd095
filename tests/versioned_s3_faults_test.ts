/**
 * The versioned cache against a failing S3 (the fake server's fault
 * injection): a lost response, persistent errors, truncated and corrupted
 * bodies, and a listing of many pages. Each must end in the right result or
 * a clear error, with the manifest and the bucket consistent.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { StoreOptions } from "../src/store/open.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { FakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { tempDir, testS3Options, writeFile } from "./versioned_helpers.ts";

const BUCKET = "versioned-faults";

function storeOptions(s3: { url: string }, maxAttempts = 3): StoreOptions {
  return testS3Options(s3, { maxAttempts });
}

function setup(s3: FakeS3, dir: string, maxAttempts = 3) {
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    store: storeOptions(s3, maxAttempts),
  });
  const vc = new VersionedCache({
    manifest: join(dir, "versioned_assets.json"),
    bucket: `s3://${BUCKET}`,
    cache,
    store: storeOptions(s3, maxAttempts),
  });
  return {
    cache,
    vc,
    [Symbol.asyncDispose]: async () => {
      await vc.close();
      await cache.close();
    },
  };
}

Deno.test("update: a lost PUT response is our own write, published once, manifest pinned", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using t = setup(s3, dir.path);
  const file = await writeFile(dir.path, "t.csv", "v1\n");
  await t.vc.add("/t.csv", file);
  await Deno.writeTextFile(file, "v2\n");
  s3.failNext(1, "lostResponse", (r) => r.op === "PutObject");
  const r = await t.vc.update("/t.csv", file, { patch: true });
  assertEquals(r.to, "1.0.1");
  assertEquals(s3.listKeys(BUCKET), ["t.1.0.0.csv", "t.1.0.1.csv"]);
  assertEquals(JSON.parse(await Deno.readTextFile(t.vc.manifest)), { "/t.csv": "1.0.1" });
  assertEquals(await Deno.readTextFile(await t.vc.path("/t.csv")), "v2\n");
});

Deno.test("update: a listing that keeps failing is an error; nothing published, manifest unchanged", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using t = setup(s3, dir.path, 2);
  const file = await writeFile(dir.path, "t.csv", "v1\n");
  await t.vc.add("/t.csv", file);
  const before = await Deno.readTextFile(t.vc.manifest);
  await Deno.writeTextFile(file, "v2\n");
  s3.faults = { errorRate: 1, match: (r) => r.op === "ListObjectsV2" };
  const failed = await assertRejects(() => t.vc.update("/t.csv", file, { minor: true }));
  assertStringIncludes((failed as Error).message, "InternalError");
  await assertRejects(() => t.vc.versions("/t.csv"));
  s3.clearFaults();
  assertEquals(s3.listKeys(BUCKET), ["t.1.0.0.csv"]);
  assertEquals(await Deno.readTextFile(t.vc.manifest), before);
});

Deno.test("path/cat: truncated and corrupted bodies are retried or refused, never cached", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using t = setup(s3, dir.path, 1);
  const body = "x".repeat(4096) + "\n";
  const file = await writeFile(dir.path, "big.csv", body);
  await t.vc.add("/big.csv", file);
  for (const kind of ["truncate", "corrupt"] as const) {
    await t.cache.delete(`s3://${BUCKET}/big.1.0.0.csv`);
    s3.faults = {
      ...(kind === "truncate" ? { truncateRate: 1 } : { corruptRate: 1 }),
      match: (r) => r.op === "GetObject",
    };
    await assertRejects(() => t.vc.path("/big.csv"));
    const local = t.cache.localPath(`s3://${BUCKET}/big.1.0.0.csv`);
    assertEquals(await Deno.stat(local).catch(() => "absent"), "absent", kind);
    s3.clearFaults();
    assertEquals(await Deno.readTextFile(await t.vc.path("/big.csv")), body, kind);
  }
});

Deno.test("versions: a name with more than one page of versions lists all, each once", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using t = setup(s3, dir.path);
  const expected: string[] = [];
  for (let minor = 0; minor < 1100; minor++) {
    await s3.putObject(BUCKET, `d/t.1.${minor}.0.csv`, "x");
    expected.push(`1.${minor}.0`);
  }
  // The same versions under the / key, and a few only there, and a lookalike.
  for (let minor = 1090; minor < 1105; minor++) {
    await s3.putObject(BUCKET, `/d/t.1.${minor}.0.csv`, "x");
  }
  for (let minor = 1100; minor < 1105; minor++) expected.push(`1.${minor}.0`);
  await s3.putObject(BUCKET, "d/tt.9.0.0.csv", "x");
  const versions = await t.vc.versions("/d/t.csv");
  assertEquals(versions.length, expected.length);
  assertEquals(versions, expected);
  const file = await writeFile(dir.path, "t.csv", "new\n");
  await Deno.writeTextFile(t.vc.manifest, '{"/d/t.csv": "1.0.0"}');
  const r = await t.vc.update("/d/t.csv", file, { patch: true });
  assertEquals([r.from, r.to], ["1.1104.0", "1.1104.1"]);
  assert(s3.listKeys(BUCKET).includes("d/t.1.1104.1.csv"));
  assertStringIncludes(await Deno.readTextFile(t.vc.manifest), '"/d/t.csv": "1.1104.1"');
});
