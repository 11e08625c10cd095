/**
 * The vc side of `big_object.ts`, in its own process so its peak memory can
 * be read: caches one URI through `AssetCache` (settings from the
 * environment: `VC_CACHE_DIR`, `AWS_ENDPOINT_URL`, ...), then prints one JSON
 * line with the download time. The parent runs it under `/usr/bin/time` for
 * the peak RSS (Deno needs `--allow-all` to read /proc/self/status, and the
 * child runs with vc's release permissions).
 *
 *     deno run <vc permissions> scripts/bench/big_object_child.ts s3://bucket/key
 *
 * @module
 */
import { AssetCache } from "../../src/cache/asset_cache.ts";

/** What the child prints. */
export interface ChildResult {
  /** Milliseconds spent in `cache()`, SDK loading included. */
  ms: number;
  /** Milliseconds spent loading the S3 module before `cache()` (0 when not preloaded). */
  loadMs: number;
  /** The local path. */
  path: string;
  /** Its size. */
  size: number;
}

async function main(uri: string): Promise<void> {
  // Load the S3 module (and the SDK) first, so `ms` measures the transfer and
  // verification, like a long-running program that already talked to S3.
  const t0 = performance.now();
  await import("../../src/store/s3.ts");
  const loadMs = performance.now() - t0;
  await using cache = new AssetCache();
  const t1 = performance.now();
  const path = await cache.cache(uri);
  const ms = performance.now() - t1;
  const size = (await Deno.stat(path)).size;
  const result: ChildResult = { ms, loadMs, path, size };
  console.log(JSON.stringify(result));
}

if (import.meta.main) {
  const uri = Deno.args[0];
  if (uri === undefined) throw new Error("usage: big_object_child.ts s3://bucket/key");
  await main(uri);
}
