/**
 * Two processes revalidate one changed object at once: one downloads the
 * new version and puts it in place while the other's download of a still
 * newer one fails (the store's GET unreachable, or cut by the revalidation
 * wait while it waited for the first one's lock). The copy the second one
 * read the record of is gone from the path, replaced by a verified newer
 * copy: that one is served as for an unreachable store, with the warning,
 * never an error that blames a `prune()` or `delete()` nobody ran.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { OfflineError } from "../src/errors.ts";
import type { GetOptions, GetResult, ObjectInfo } from "../src/store/types.ts";
import { WrappingStore } from "./versioned_helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const V1 = enc("version one\n");
const V2 = enc("version two, longer\n");
const V3 = enc("version three, longer still\n");

/** Runs `during` while the next HEAD is in flight; its GETs fail (unreachable) once `getsDown`. */
class HookedStore extends WrappingStore {
  during: (() => Promise<void>) | undefined;
  getsDown = false;
  override async head(key: string, options?: { signal?: AbortSignal }) {
    const hook = this.during;
    this.during = undefined;
    if (hook !== undefined) await hook();
    return await this.inner.head(key, options) as ObjectInfo | undefined;
  }
  override get(key: string, options?: GetOptions): Promise<GetResult> {
    if (this.getsDown) return Promise.reject(new OfflineError("connection reset (test)"));
    return this.inner.get(key, options);
  }
}

Deno.test("a copy another process refreshed while this one's download failed is served, not an error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-refreshed-meanwhile-" });
  const inner = new MemoryStore();
  await inner.put("k.bin", V1);
  const slow = new HookedStore(inner);
  const warnings: string[] = [];
  const options = { cacheDir: `${dir}/cache`, configPath: false as const, env: {}, timeout: 0 };
  await using other = new AssetCache({
    ...options,
    openStore: () => Promise.resolve(inner),
    warn: () => {},
  });
  await using cache = new AssetCache({
    ...options,
    openStore: () => Promise.resolve(slow),
    warn: (m: string) => warnings.push(m),
  });
  try {
    const path = await cache.cache("s3://b/k.bin");
    assertEquals(await Deno.readFile(path), V1);
    slow.during = async () => {
      // The other process downloads version two and puts it in place; then
      // the object changes again, and this one's GET of version three fails.
      await inner.put("k.bin", V2);
      assertEquals(await other.cache("s3://b/k.bin"), path);
      await inner.put("k.bin", V3);
      slow.getsDown = true;
    };
    assertEquals(await cache.cache("s3://b/k.bin"), path);
    assertEquals(await Deno.readFile(path), V2);
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(
      warnings[0] ?? "",
      "cannot download the new version the store has of s3://b/k.bin",
    );
    assertStringIncludes(warnings[0] ?? "", `serving the cached copy at ${path}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
