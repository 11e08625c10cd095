/**
 * The requests a publish sends, by operation, on a bucket without S3
 * versioning, one with it and one with it suspended: counts, pinned so a
 * request added to every `vc add` / `vc update` fails here, each one named
 * by the guarantee that needs it.
 *
 * A publish of a small file: the path's versions under both spellings of
 * its keys (2 ListObjectsV2: `a.` and `/a.`), whether the new version's key
 * or its `/` twin held an object once (2 ListObjectVersions: a deleted
 * version is never given other bytes), the uploads a killed publish left
 * open (1 ListMultipartUploads: aborted, not billed on), the create-only
 * PUT and the HEAD that sees it stored (a gateway may answer 200 and keep
 * nothing). A path's first publish (`add`) lists its directory once more
 * (1 ListObjectsV2): keys there in another tool's naming of it are warned
 * of before a 1.0.0 goes up beside them. Of a file uploaded in parts: a HEAD just before the completion
 * and one under the manifest's lock (a store whose create-only completion
 * is not atomic, moto), beside the HEAD after it.
 *
 * An upload taken back (the file changed while it went up): in a bucket
 * with versioning, the HEAD that sees the key still holds it and the
 * delete of the version the PUT was answered with, whose answer settles
 * it; where no version id was answered (suspended: the `"null"` version;
 * no versioning), one ListObjectVersions tells both whether the key holds
 * it and its id (no HEAD), and a HEAD after the `"null"` version's delete
 * sees it gone (a store may take no notice of it), the plain delete then.
 */
import { join } from "../src/path.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { SourceChangedError } from "../src/versioned/source_file.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

type Kind = "unversioned" | "versioned" | "suspended";

/** A fake S3 whose bucket `b` is of `kind`, parts from 1 KiB. */
async function bucketOf(kind: Kind): Promise<FakeS3> {
  const s3 = await startFakeS3({
    ...(kind === "unversioned" ? { buckets: ["b"] } : { versionedBuckets: ["b"] }),
    minPartSize: 1024,
  });
  if (kind === "suspended") {
    const res = await fetch(`${s3.url}/b?versioning`, {
      method: "PUT",
      body: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>",
    });
    await res.body?.cancel();
    assertEquals(res.status, 200);
  }
  return s3;
}

/** A versioned cache over `s3://b` in `dir`; files from 2 KiB go up in 1 KiB parts. */
function versionedCache(s3: FakeS3, dir: string): VersionedCache & AsyncDisposable {
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  const vc = new VersionedCache({
    manifest: join(dir, "versioned_assets.json"),
    bucket: "s3://b",
    cache,
    store: testS3Options(s3, { multipartThreshold: 2048, partSize: 1024 }),
  });
  return Object.assign(vc, {
    async [Symbol.asyncDispose]() {
      await vc.close();
      await cache.close();
    },
  });
}

/** The non-zero request counts of `s3` since its last reset, by operation. */
function counts(s3: FakeS3): Record<string, number> {
  const { total: _, faults: __, ...ops } = s3.stats as unknown as Record<string, number>;
  return Object.fromEntries(Object.entries(ops).filter(([, n]) => n > 0));
}

const PUBLISH = {
  ListObjectsV2: 2,
  ListObjectVersions: 2,
  ListMultipartUploads: 1,
  PutObject: 1,
  HeadObject: 1,
};

/** A path's first publish: its directory listed for keys in another naming. */
const ADD = { ...PUBLISH, ListObjectsV2: 3 };

const MULTIPART = {
  ListObjectsV2: 3,
  ListObjectVersions: 2,
  ListMultipartUploads: 1,
  CreateMultipartUpload: 1,
  UploadPart: 3,
  CompleteMultipartUpload: 1,
  HeadObject: 3,
};

const TAKEN_BACK: Record<Kind, Record<string, number>> = {
  versioned: { ...ADD, DeleteObject: 1 },
  // The listing's "null" version, its delete looked after; the fake, as a
  // store other than S3 may, keeps an unversioned bucket's object through
  // it, so the plain delete follows.
  unversioned: { ...ADD, ListObjectVersions: 3, HeadObject: 1, DeleteObject: 2 },
  suspended: { ...ADD, ListObjectVersions: 3, HeadObject: 1, DeleteObject: 1 },
};

for (const kind of ["unversioned", "versioned", "suspended"] as const) {
  Deno.test(`publish requests on a bucket ${kind}: add, update, a multipart add`, async () => {
    await using s3 = await bucketOf(kind);
    await using dir = await tempDir("vc_publish_request_counts_");
    await using vc = versionedCache(s3, dir.path);
    const file = join(dir.path, "a.csv");
    await Deno.writeTextFile(file, "one\n");
    s3.resetStats();
    assertEquals(await vc.add("/a.csv", file), "1.0.0");
    assertEquals(counts(s3), ADD);
    await Deno.writeTextFile(file, "two\n");
    s3.resetStats();
    assertEquals((await vc.update("/a.csv", file, { patch: true })).to, "1.0.1");
    assertEquals(counts(s3), PUBLISH);
    const big = join(dir.path, "big.bin");
    await Deno.writeFile(big, new Uint8Array(3000).fill(7));
    s3.resetStats();
    assertEquals(await vc.add("/big.bin", big), "1.0.0");
    assertEquals(counts(s3), MULTIPART);
  });

  Deno.test(`publish requests on a bucket ${kind}: an upload taken back`, async () => {
    await using s3 = await bucketOf(kind);
    await using dir = await tempDir("vc_publish_request_counts_");
    await using vc = versionedCache(s3, dir.path);
    const file = join(dir.path, "a.csv");
    await Deno.writeTextFile(file, "one\n");
    s3.resetStats();
    await assertRejects(
      () =>
        vc.add("/a.csv", file, {
          // The file changes once it went up (an editor saving it); not at
          // the upload's 0 bytes, reported before it starts.
          onProgress: ({ bytes }) => {
            if (bytes > 0) Deno.writeTextFileSync(file, "one, edited\n");
          },
        }),
      SourceChangedError,
      "the upload was deleted",
    );
    assertEquals(counts(s3), TAKEN_BACK[kind]);
    // Taken back leaving no trace: the version is published again as it was.
    await Deno.writeTextFile(file, "one\n");
    assertEquals(await vc.add("/a.csv", file), "1.0.0");
  });
}
