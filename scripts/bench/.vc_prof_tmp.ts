import { AssetCache } from "/work/main/src/cache/asset_cache.ts";
import { prefill } from "/work/main/src/prefill/prefill.ts";
import { FakeServer, putObjects, KiB } from "/work/main/scripts/bench/lib.ts";
await import("/work/main/src/store/s3.ts");
await using server = await FakeServer.start({ buckets: ["small"] });
const keys = Array.from({ length: 1000 }, (_, i) => `data/f${i}.bin`);
await putObjects(server.url, "small", keys, 4 * KiB);
const uris = keys.map((k) => `s3://small/${k}`);
for (let rep = 0; rep < 3; rep++) {
  const dir = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "vc-prof-" });
  const cache = new AssetCache({ cacheDir: dir, configPath: false, env: {}, store: { s3: { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } } } });
  const t = performance.now();
  await prefill({ cache, uris, concurrency: 16 });
  console.log(`rep ${rep}: ${(1000 / (performance.now() - t) * 1000).toFixed(0)} files/s`);
  await cache.close();
  await Deno.remove(dir, { recursive: true });
}
