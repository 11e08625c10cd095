/**
 * An AssetCache given its own `env` reads the S3 endpoint (and the other
 * connection settings) from it for the store too, not only for the name of
 * the cache directory: entries filed under one endpoint were fetched from
 * another (`Deno.env`'s, or AWS itself).
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";

Deno.test("AssetCache env: the S3 endpoint given in env is the endpoint the object is fetched from", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "k.csv", "a,b\n");
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-env-" });
  try {
    const cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      // A second endpoint variable to show `Deno.env` is not read either.
      env: { AWS_ENDPOINT_URL_S3: fake.url, AWS_REGION: "us-east-1", VC_REQUEST_TIMEOUT: "5" },
      store: { s3: { credentials: { accessKeyId: "test", secretAccessKey: "test" } } },
      warn: () => {},
    });
    try {
      const path = await cache.cache("s3://b/k.csv");
      assertEquals(await Deno.readTextFile(path), "a,b\n");
      // Filed under the endpoint it came from.
      assertStringIncludes(path, `s3@127.0.0.1_${new URL(fake.url).port}`);
    } finally {
      await cache.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
