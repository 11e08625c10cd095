/**
 * The versioned cache against the in-process fake S3 server: the same
 * workflow as on FsStore, plus request counts (one LIST per 1000 keys),
 * create-only races over HTTP, and multipart uploads verified by metadata.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { SourceChangedError } from "../src/versioned/source_file.ts";
import { PreconditionFailedError } from "../src/errors.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { StoreOptions } from "../src/store/open.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { FakeS3 } from "../src/testing/mod.ts";
import { readManifest } from "../src/versioned/manifest.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { tempDir, testS3Options, writeFile } from "./versioned_helpers.ts";

const BUCKET = "versioned-assets";

function storeOptions(
  s3: FakeS3,
  extra: Partial<NonNullable<StoreOptions["s3"]>> = {},
): StoreOptions {
  return testS3Options(s3, extra);
}

function newCache(dir: string, s3: FakeS3): AssetCache {
  return new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    store: storeOptions(s3),
  });
}

Deno.test("versioned cache on fake S3: add, update, versions, ls-remote, sync, verify, prefill", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using cache = newCache(dir.path, s3);
  await using vc = new VersionedCache({
    manifest: join(dir.path, "manifest.json"),
    bucket: `s3://${BUCKET}/pre`,
    cache,
    store: storeOptions(s3),
  });

  const file = await writeFile(dir.path, "bar.csv", "a,b\n1,2\n");
  assertEquals(await vc.add("/foo/bar.csv", file), "1.0.0");
  await vc.add("/foo/barbell.csv", file, { version: "5.0.0" });
  assertEquals(s3.listKeys(BUCKET), ["pre/foo/bar.1.0.0.csv", "pre/foo/barbell.5.0.0.csv"]);
  // Stored with the MD5 in metadata, so multipart copies stay verifiable.
  assertEquals(
    s3.headObject(BUCKET, "pre/foo/bar.1.0.0.csv")?.metadata["vc-md5"],
    s3.headObject(BUCKET, "pre/foo/bar.1.0.0.csv")?.etag,
  );
  assertEquals(await Deno.readTextFile(await vc.path("/foo/bar.csv")), "a,b\n1,2\n");
  assertEquals(await vc.uri("/foo/bar.csv"), `s3://${BUCKET}/pre/foo/bar.1.0.0.csv`);

  await Deno.writeTextFile(file, "a,b\n1,3\n");
  assertEquals(await vc.update("/foo/bar.csv", file, { minVersion: "1.3" }), {
    path: "/foo/bar.csv",
    from: "1.0.0",
    to: "1.3.0",
  });
  assertEquals(await Deno.readTextFile(await vc.path("/foo/bar.csv")), "a,b\n1,3\n");

  s3.resetStats();
  assertEquals(await vc.versions("/foo/bar.csv"), ["1.0.0", "1.3.0"]);
  // One LIST for `pre/foo/bar.` and one for `pre//foo/bar.` (keys other tools wrote with a leading /).
  assertEquals(s3.stats.ListObjectsV2, 2);
  assertEquals(await vc.lsRemote(), [
    { path: "/foo/bar.csv", versions: ["1.0.0", "1.3.0"] },
    { path: "/foo/barbell.csv", versions: ["5.0.0"] },
  ]);

  const copied = await vc.sync(join(dir.path, "out"));
  assertEquals(copied.length, 2);
  assertEquals(await Deno.readTextFile(join(dir.path, "out/foo/bar.csv")), "a,b\n1,3\n");
  assert((await vc.verify()).every((r) => r.ok));

  // Prefill through a fresh cache: everything is fetched once, then cached.
  await using fresh = new AssetCache({
    cacheDir: join(dir.path, "cache2"),
    configPath: false,
    env: {},
    store: storeOptions(s3),
  });
  s3.resetStats();
  const summary = await prefill({
    cache: fresh,
    versioned: [vc],
    uris: [`s3://${BUCKET}/pre/foo/bar.1.0.0.csv`, "/foo/bar.csv@1.3.0"],
  });
  assertEquals(summary.failed, []);
  assertEquals(summary.fetched, 3);
  assertEquals(s3.stats.GetObject, 3);
  const again = await prefill({ cache: fresh, versioned: [vc] });
  assertEquals(again.alreadyCached, 2);
  assertEquals(s3.stats.GetObject, 3);
});

Deno.test("versions() lists one page per 1000 keys and matches exact names only", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using cache = newCache(dir.path, s3);
  await using vc = new VersionedCache({
    manifest: join(dir.path, "manifest.json"),
    bucket: `s3://${BUCKET}`,
    cache,
    store: storeOptions(s3),
  });
  for (let i = 0; i < 1100; i++) await s3.putObject(BUCKET, `big/x.1.${i}.0.csv`, `${i}`);
  await s3.putObject(BUCKET, "big/x.1.0.0.csv.bak", "not a version");
  await s3.putObject(BUCKET, "big/x.old.1.0.0.csv", "another asset");
  s3.resetStats();
  const versions = await vc.versions("/big/x.csv");
  assertEquals(versions.length, 1100);
  assertEquals(versions[0], "1.0.0");
  assertEquals(versions[2], "1.2.0");
  assertEquals(versions.at(-1), "1.1099.0");
  // Two pages of `big/x.`, and one (empty) of `/big/x.`.
  assertEquals(s3.stats.ListObjectsV2, 3);
  assertEquals(s3.stats.HeadObject + s3.stats.GetObject, 0);
});

Deno.test("concurrent updates over HTTP: create-only writes let exactly one win", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using cache = newCache(dir.path, s3);
  const manifest = join(dir.path, "manifest.json");
  const vc = (m: string) =>
    new VersionedCache({ manifest: m, bucket: `s3://${BUCKET}`, cache, store: storeOptions(s3) });
  await using alice = vc(manifest);
  await alice.add("/race.csv", await writeFile(dir.path, "base.csv", "base"));
  const otherManifest = join(dir.path, "other.json");
  await Deno.copyFile(manifest, otherManifest);
  await using bob = vc(otherManifest);

  // Both list before either uploads: slow down PUTs so the listings happen first.
  s3.setFaults({ latencyMs: 150, match: (t) => t.op === "PutObject" });
  const results = await Promise.allSettled([
    alice.update("/race.csv", await writeFile(dir.path, "a.csv", "alice"), { patch: true }),
    bob.update("/race.csv", await writeFile(dir.path, "b.csv", "bob"), { patch: true }),
  ]);
  s3.clearFaults();
  const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
  assertEquals(lost.length, 1);
  assert(lost[0]?.reason instanceof PreconditionFailedError, String(lost[0]?.reason));
  assertStringIncludes(lost[0].reason.message, "published by someone else meanwhile");
  assertEquals(s3.listKeys(BUCKET), ["race.1.0.0.csv", "race.1.0.1.csv"]);
  const manifests = [await readManifest(manifest), await readManifest(otherManifest)];
  assertEquals(manifests.map((m) => m["/race.csv"]).sort(), ["1.0.0", "1.0.1"]);
  const winner = results[0]?.status === "fulfilled" ? "alice" : "bob";
  assertEquals(new TextDecoder().decode(await s3.getObject(BUCKET, "race.1.0.1.csv")), winner);
});

Deno.test("multipart uploads are verified through vc-md5 metadata", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET], minPartSize: 1024 });
  await using dir = await tempDir();
  await using cache = newCache(dir.path, s3);
  await using vc = new VersionedCache({
    manifest: join(dir.path, "manifest.json"),
    bucket: `s3://${BUCKET}`,
    cache,
    store: storeOptions(s3, { multipartThreshold: 4096, partSize: 4096 }),
  });
  const data = new Uint8Array(10_000).map((_, i) => (i * 7) % 251);
  const file = join(dir.path, "big.bin");
  await Deno.writeFile(file, data);
  assertEquals(await vc.add("/big.bin", file), "1.0.0");
  const info = s3.headObject(BUCKET, "big.1.0.0.bin");
  assert(info?.etag.includes("-"), `multipart ETag expected, got ${info?.etag}`);
  assertEquals(await Deno.readFile(await vc.path("/big.bin")), data);
  assert((await vc.verify()).every((r) => r.ok));
});

Deno.test("a file edited while its multipart upload runs is refused and nothing stays published", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET], minPartSize: 1024 });
  await using dir = await tempDir();
  await using cache = newCache(dir.path, s3);
  const manifest = join(dir.path, "manifest.json");
  await using vc = new VersionedCache({
    manifest,
    bucket: `s3://${BUCKET}`,
    cache,
    store: storeOptions(s3, { multipartThreshold: 4096, partSize: 4096, concurrency: 1 }),
  });
  const file = join(dir.path, "big.bin");
  await Deno.writeFile(file, new Uint8Array(40_000).fill(1));
  let edited = false;
  const e = await assertRejects(
    () =>
      vc.add("/big.bin", file, {
        // After the first part (not at the upload's 0, before it starts).
        onProgress: ({ bytes }) => {
          if (edited || bytes === 0) return;
          edited = true;
          // Same size, new content: only the stat identity (mtime/ctime) shows it.
          Deno.writeFileSync(file, new Uint8Array(40_000).fill(2));
        },
      }),
    SourceChangedError,
    file,
  );
  assert(edited, "the upload reported progress");
  assertStringIncludes(e.message, "the upload was deleted");
  assertEquals(s3.listKeys(BUCKET), []);
  assertEquals(await Deno.stat(manifest).catch(() => "absent"), "absent");
  // Unchanged, the same file publishes fine.
  assertEquals(await vc.add("/big.bin", file), "1.0.0");
});
