/**
 * Objects whose ETag looks like an MD5 and is not one (S3's SSE-KMS and
 * SSE-C): the cache records that, so `verify`, `copyVerified` (`vc sync`)
 * and the check of a touched copy never take the ETag for the content's
 * MD5 and call an intact copy corrupt.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { md5Hex } from "../src/hash.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { IntegrityError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions } from "../src/store/types.ts";
import { join } from "node:path";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";

const DATA = new TextEncoder().encode("encrypted at rest with a KMS key\n");
// 32 hex digits, as S3 gives SSE-KMS objects, and not the MD5 of DATA.
const KMS_ETAG = "8f1e4b0c2d6a9e7f3b5c1d0a2e4f6b8c";

Deno.test("SSE-KMS-like objects: cached, verified and copied without their ETag taken for an MD5", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-opaque-" });
  try {
    const objects = new Map([["k.txt", {
      data: DATA,
      etag: KMS_ETAG,
      lastModified: new Date(),
      metadata: {},
      opaqueEtag: true,
    }]]);
    const make = (o: { offline?: boolean } = {}) =>
      new AssetCache({
        cacheDir: `${dir}/cache`,
        configPath: false,
        env: {},
        openStore: () => Promise.resolve(new MemoryStore({ objects })),
        warn: () => {},
        ...o,
      });
    await using cache = make();
    const path = await cache.cache("s3://b/k.txt");
    assertEquals(readEntryRecord(recordPathsOf(cache.dir, path))?.meta.opaqueEtag, true);
    const { ok, corrupt } = await cache.verify();
    assertEquals([ok, corrupt.length], [1, 0]);
    await cache.copyVerified(path, `${dir}/out.txt`);
    assertEquals(await Deno.readFile(`${dir}/out.txt`), DATA);
    // The MD5 of what arrived is recorded: a touched copy is checked by it offline...
    const record = readEntryRecord(recordPathsOf(cache.dir, path))!.meta;
    assertEquals(record.md5, md5Hex(DATA));
    const { mtime } = await Deno.stat(path);
    const touch = (ms: number) => Deno.utime(path, new Date(), new Date(mtime!.getTime() + ms));
    await touch(1000);
    await using offline = make({ offline: true });
    assertEquals(await offline.cache("s3://b/k.txt"), path);
    // ...and so is a same-size corruption, by verify.
    const bad = DATA.slice();
    bad[0] = bad[0]! ^ 1;
    await Deno.writeFile(path, bad);
    assertEquals((await cache.verify()).corrupt.map((e) => e.path), [path]);
    // A record of an earlier version has no MD5: nothing to check a touched copy
    // against, and offline says so.
    await cache.cache("s3://b/k.txt");
    const { md5: _md5, ...older } = readEntryRecord(recordPathsOf(cache.dir, path))!.meta;
    writeEntryRecord(recordPathsOf(cache.dir, path), older);
    await touch(2000);
    await using offline2 = make({ offline: true });
    const e = await assertRejects(() => offline2.cache("s3://b/k.txt"), IntegrityError);
    assertStringIncludes(e.message, "no checksum");
    assertStringIncludes(e.message, "may have changed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A store that answers like S3 for SSE-KMS objects: an ETag of 32 hex digits that is not the MD5. */
class KmsStore extends WrappingStore {
  override async head(key: string, options?: { signal?: AbortSignal }) {
    const info = await this.inner.head(key, options);
    return info && { ...info, etag: KMS_ETAG, opaqueEtag: true };
  }
  override async get(key: string, options?: GetOptions) {
    const got = await this.inner.get(key, options);
    return { ...got, info: { ...got.info, etag: KMS_ETAG, opaqueEtag: true } };
  }
}

Deno.test("vc verify: intact SSE-KMS copies are ok, by their vc-md5 or the lock file", async () => {
  await using ws = await workspace({ wrap: (s) => new KmsStore(s) });
  const file = await writeFile(join(ws.dir, "src"), "k.csv", "a,b\n1,2\n");
  await ws.vc.add("/k.csv", file);
  await ws.vc.path("/k.csv");
  assertEquals((await ws.vc.verify()).map((r) => r.ok), [true]);
});
