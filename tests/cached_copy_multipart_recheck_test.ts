/**
 * A cached copy of a multipart object is checked again (`vc sync`'s
 * `copyVerified`, `vc cache verify`, `vc verify`, `vc lock --check`) with
 * what its download verified: the record's SHA-256 (a locked download, or
 * `vc add`), its MD5, or the store's full-object checksum. The multipart
 * ETag is not derived again where it cannot be (parts of a size no usual
 * one explains, recorded by neither an MD5 nor part sizes): such a good copy
 * was removed from the cache on every `vc sync`, which then failed. A copy
 * whose bytes changed is still caught.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { multipartPut } from "./fake_multipart_put.ts";
import { pinnedOnS3, testS3Options } from "./versioned_helpers.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { IntegrityError } from "../src/errors.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { md5Hex, multipartEtag } from "../src/hash.ts";
import { checksumHasher } from "../src/object_checksum.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ChecksumAlgorithm } from "../src/store/types.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { versionedKey } from "../src/versioned/naming.ts";
import { checkLock, fillLock } from "../src/versioned/lock_ops.ts";
import { tempCache } from "./temp_cache.ts";

const MiB = 1024 * 1024;

/** `n` bytes that differ from those of another `seed`. */
function bytesOf(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Flips a byte of `path` in place, keeping its size and modification time. */
async function corruptInPlace(path: string): Promise<void> {
  const { mtime, atime } = await Deno.stat(path);
  const bytes = await Deno.readFile(path);
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
  await Deno.writeFile(path, bytes);
  await Deno.utime(path, atime!, mtime!);
}

/**
 * Runs `body` with a VersionedCache (and its AssetCache) on a fake S3 that
 * `vc add` uploads to in 1 KiB parts, a size no usual one explains.
 */
async function withSmallParts(
  body: (t: { s3: FakeS3; dir: string; cache: AssetCache; vc: VersionedCache }) => Promise<void>,
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  const dir = await Deno.makeTempDir({ prefix: "vc-recheck-small-parts-" });
  try {
    const manifest = join(dir, "versioned_assets.json");
    await Deno.writeTextFile(manifest, "{}\n");
    const store = testS3Options(s3, { multipartThreshold: 1024, partSize: 1024 });
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      warn: () => {},
      store,
    });
    await using vc = new VersionedCache({ manifest, bucket: "s3://b", cache, store });
    await body({ s3, dir, cache, vc });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("vc add through an S3Store with small parts: sync copies the cached copy every run, a changed one is caught", async () => {
  await withSmallParts(async ({ s3, dir, cache, vc }) => {
    const content = bytesOf(5000, 1);
    await Deno.writeFile(join(dir, "f.bin"), content);
    await vc.add("/f.bin", join(dir, "f.bin"));
    const info = s3.headObject("b", versionedKey("/f.bin", "1.0.0"))!;
    assert(info.etag.endsWith("-5"), info.etag);
    const path = await vc.path("/f.bin");
    const out = join(dir, "out");
    const first = await vc.syncSettled(out);
    assertEquals(first.failed, []);
    assertEquals(first.copied.map((c) => c.path), ["/f.bin"]);
    const again = await vc.syncSettled(out);
    assertEquals(again.failed, []);
    assertEquals(again.unchanged.map((c) => c.path), ["/f.bin"]);
    assertEquals(await Deno.readFile(join(out, "f.bin")), content);
    assertEquals(await Deno.readFile(path), content, "the cached copy is kept");
    const verified = await cache.verify();
    assertEquals([verified.ok, verified.corrupt.length], [1, 0]);
    // The same size, another byte, the same modification time: caught by its SHA-256.
    await corruptInPlace(path);
    const bad = await cache.verify();
    assertEquals(bad.corrupt.map((c) => c.path), [path]);
    assertStringIncludes(bad.corrupt[0]!.problem ?? "", "SHA-256");
    assertStringIncludes(bad.corrupt[0]!.problem ?? "", "the file changed since");
  });
});

Deno.test("vc add with small parts: a cached copy changed in place is not copied by sync", async () => {
  await withSmallParts(async ({ dir, vc }) => {
    const content = bytesOf(5000, 2);
    await Deno.writeFile(join(dir, "f.bin"), content);
    await vc.add("/f.bin", join(dir, "f.bin"));
    await corruptInPlace(await vc.path("/f.bin"));
    const out = join(dir, "out");
    const r = await vc.syncSettled(out);
    // Either refused, or downloaded afresh: never the changed bytes.
    if (r.failed.length > 0) {
      assertStringIncludes(String((r.failed[0]!.error as Error).message), "SHA-256");
    } else {
      assertEquals(await Deno.readFile(join(out, "f.bin")), content);
    }
    const next = await vc.syncSettled(out);
    assertEquals(next.failed, []);
    assertEquals(await Deno.readFile(join(out, "f.bin")), content);
  });
});

// Part sizes third-party uploaders use: aws CLI and boto3 (8 MiB), 5 MiB,
// 16 MiB, and odd ones (7 MiB; 15 MB decimal) that no usual size explains in
// two parts. Each object is one part and 17 bytes more.
const PART_SIZES = [8 * MiB, 5 * MiB, 16 * MiB, 7 * MiB, 15_000_000];

for (const withMd5 of [false, true]) {
  Deno.test(
    `locked versions uploaded by other tools in parts of usual and odd sizes${
      withMd5 ? ", with vc-md5" : ""
    }: sync, cache verify, vc verify and lock check keep the cached copies`,
    async () => {
      await using s3 = await startFakeS3({ buckets: ["b"], credentials: false });
      const dir = await Deno.makeTempDir({ prefix: "vc-recheck-odd-parts-" });
      try {
        const pins: Record<string, string> = {};
        const contents: Record<string, Uint8Array> = {};
        for (const [i, partSize] of PART_SIZES.entries()) {
          const content = bytesOf(partSize + 17, 10 + i);
          const parts = [content.slice(0, partSize), content.slice(partSize)];
          const headers: Record<string, string> = withMd5
            ? { "x-amz-meta-vc-md5": md5Hex(content) }
            : {};
          const name = `/p${partSize}.bin`;
          await multipartPut(s3, "b", versionedKey(name, "1.0.0"), parts, headers);
          pins[name] = "1.0.0";
          contents[name] = content;
        }
        await using pinned = await pinnedOnS3(s3, "b", dir, pins);
        const { vc, cache } = pinned;
        await fillLock(vc);
        // Downloaded afresh under the lock: checked by the pinned SHA-256.
        for (const entry of await cache.ls()) await cache.delete(entry.uri);
        for (const name of Object.keys(pins)) await vc.path(name);
        const out = join(dir, "out");
        const first = await vc.syncSettled(out);
        assertEquals(first.failed, []);
        assertEquals(first.copied.length, PART_SIZES.length);
        const again = await vc.syncSettled(out);
        assertEquals(again.failed, []);
        assertEquals(again.unchanged.length, PART_SIZES.length);
        for (const [name, content] of Object.entries(contents)) {
          assertEquals(await Deno.readFile(join(out, name.slice(1))), content, name);
        }
        const verified = await cache.verify();
        assertEquals([verified.ok, verified.corrupt.map((c) => c.problem)], [
          PART_SIZES.length,
          [],
        ]);
        assertEquals((await vc.verify()).map((r) => r.problem ?? r.ok), PART_SIZES.map(() => true));
        assertEquals((await checkLock(vc)).map((r) => r.status), PART_SIZES.map(() => "ok"));
        assertEquals((await cache.ls()).length, PART_SIZES.length, "no cached copy was removed");
        // One changed in place is still caught.
        const odd = await vc.path("/p15000000.bin");
        await corruptInPlace(odd);
        assertEquals((await cache.verify()).corrupt.map((c) => c.path), [odd]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
}

async function checksumOf(algorithm: ChecksumAlgorithm, bytes: Uint8Array): Promise<string> {
  const h = await checksumHasher(algorithm);
  h.update(bytes);
  return h.base64();
}

for (const algorithm of ["CRC64NVME", "CRC32"] as const) {
  Deno.test(`a multipart object verified by its ${algorithm} full-object checksum is checked by it again, not removed`, async () => {
    // Uneven parts (1200, 1000, 800 bytes: no usual size), no vc-md5: the
    // store's checksum was the download's check.
    const data = bytesOf(3000, 3);
    const parts = [[0, 1200], [1200, 2200], [2200, 3000]].map(([a, b]) =>
      md5Hex(data.subarray(a, b))
    );
    const checksum = { algorithm, value: await checksumOf(algorithm, data) };
    const objects = new Map([["k.bin", {
      data,
      etag: multipartEtag(parts),
      lastModified: new Date(),
      metadata: {},
      checksum: { ...checksum, type: "FULL_OBJECT" as const },
    }]]);
    await using temp = await tempCache("vc-recheck-checksum-", {
      openStore: () => Promise.resolve(new MemoryStore({ objects })),
    });
    const { cache, dir } = temp;
    const path = await cache.cache("s3://b/k.bin");
    const record = readEntryRecord(recordPathsOf(cache.dir, path))!.meta;
    assertEquals(record.checksum, `${algorithm}:${checksum.value}`);
    assertEquals(record.md5, undefined);
    const verified = await cache.verify();
    assertEquals([verified.ok, verified.corrupt.map((c) => c.problem)], [1, []]);
    await cache.copyVerified(path, join(dir, "out.bin"));
    assertEquals(await Deno.readFile(join(dir, "out.bin")), data);
    await corruptInPlace(path);
    const bad = await cache.verify();
    assertEquals(bad.corrupt.map((c) => c.path), [path]);
    assertStringIncludes(bad.corrupt[0]!.problem ?? "", algorithm);
  });
}

Deno.test("a touched copy whose record has only the store's checksum is checked by it offline, not refused", async () => {
  const data = bytesOf(3000, 4);
  const checksum = { algorithm: "CRC64NVME" as const, value: await checksumOf("CRC64NVME", data) };
  const objects = new Map([["k.bin", {
    data,
    etag: "v1-opaque-etag",
    lastModified: new Date(),
    metadata: {},
    checksum: { ...checksum, type: "FULL_OBJECT" as const },
  }]]);
  const dir = await Deno.makeTempDir({ prefix: "vc-recheck-checksum-" });
  try {
    const make = (o: { offline?: boolean } = {}) =>
      new AssetCache({
        cacheDir: join(dir, "cache"),
        configPath: false,
        env: {},
        warn: () => {},
        openStore: () => Promise.resolve(new MemoryStore({ objects })),
        ...o,
      });
    await using cache = make();
    const path = await cache.cache("s3://b/k.bin");
    // A record with the checksum and no MD5 (as one from a download that hashed none).
    const records = recordPathsOf(cache.dir, path);
    const { md5: _md5, ...meta } = readEntryRecord(records)!.meta;
    assertEquals(meta.checksum, `CRC64NVME:${checksum.value}`);
    writeEntryRecord(records, meta);
    const { mtime } = await Deno.stat(path);
    await Deno.utime(path, new Date(), new Date(mtime!.getTime() + 1000));
    await using offline = make({ offline: true });
    assertEquals(await offline.cache("s3://b/k.bin"), path);
    // Changed as well as touched: refused offline, naming the checksum.
    await corruptInPlace(path);
    await Deno.utime(path, new Date(), new Date(mtime!.getTime() + 2000));
    await using offline2 = make({ offline: true });
    const e = await assertRejects(() => offline2.cache("s3://b/k.bin"), IntegrityError);
    assertStringIncludes(e.message, "CRC64NVME");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
