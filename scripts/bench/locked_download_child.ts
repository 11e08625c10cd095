/**
 * The vc side of `locked_download.ts`: caches one URI through `AssetCache`
 * (settings from the environment), with an integrity pin when SIZE and
 * SHA256 are given, and prints one JSON line with the time spent in
 * `cache()` (the S3 module is loaded first, so only transfer and
 * verification are timed).
 *
 *     deno run <vc permissions> scripts/bench/locked_download_child.ts s3://bucket/key [SIZE SHA256]
 *
 * @module
 */
import { AssetCache } from "../../src/cache/asset_cache.ts";

async function main(uri: string, size: string | undefined, sha256: string | undefined) {
  await import("../../src/store/s3.ts");
  await using cache = new AssetCache();
  const t0 = performance.now();
  const path = await cache.cache(uri, {
    ...(size !== undefined && sha256 !== undefined
      ? { integrity: { size: Number(size), sha256 } }
      : {}),
  });
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, size: (await Deno.stat(path)).size }));
}

if (import.meta.main) {
  const [uri, size, sha256] = Deno.args;
  if (uri === undefined) throw new Error("usage: locked_download_child.ts URI [SIZE SHA256]");
  await main(uri, size, sha256);
}
