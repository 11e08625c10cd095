/**
 * Objects whose ETag looks like an MD5 and is not one (S3's SSE-KMS and
 * SSE-C): the cache records that, so `verify`, `copyVerified` (`vc sync`)
 * and the check of a touched copy never take the ETag for the content's
 * MD5 and call an intact copy corrupt.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { readEntryRecord } from "../src/cache/entry_records.ts";
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
    // Touched: nothing to check its bytes against offline, and it says so.
    const { mtime } = await Deno.stat(path);
    await Deno.utime(path, new Date(), new Date(mtime!.getTime() + 1000));
    await using offline = make({ offline: true });
    const e = await assertRejects(() => offline.cache("s3://b/k.txt"), IntegrityError);
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
