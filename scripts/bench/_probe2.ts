import { FakeServer, putObjects, tempDir } from "./lib.ts";
import { AssetCache } from "../../src/cache/asset_cache.ts";
await using tmp = await tempDir("probe");
await using server = await FakeServer.start({ buckets: ["small"] });
const keys = Array.from({ length: 1000 }, (_, i) => `data/f${String(i).padStart(4, "0")}.bin`);
await putObjects(server.url, "small", keys, 4096);
const s3opts = { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } };
async function pool(label: string, f: (i: number) => Promise<void>, conc = 16) {
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { while (next < 1000) await f(next++); }));
  console.log(label.padEnd(40), (performance.now() - t).toFixed(0), "ms");
}
for (let rep = 0; rep < 2; rep++) {
  const cache = new AssetCache({ cacheDir: `${tmp.path}/c${rep}`, configPath: false, env: {}, store: { s3: s3opts } });
  await pool("AssetCache.cache", async (i) => { await cache.cache(`s3://small/${keys[i]}`); });
  await cache.close();
}
