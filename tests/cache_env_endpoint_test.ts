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

Deno.test("AssetCache env: the keys given in env sign the requests, not the process's", async () => {
  const signedBy = new Set<string>();
  await using fake = await startFakeS3({
    buckets: ["b"],
    onRequest: (e) => {
      const key = /Credential=([^/]+)\//.exec(e.headers["authorization"] ?? "")?.[1];
      if (key !== undefined) signedBy.add(key);
    },
  });
  await fake.putObject("b", "k.csv", "a,b\n");
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-env-" });
  try {
    const cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {
        AWS_ENDPOINT_URL: fake.url,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "keyfromenvoption",
        AWS_SECRET_ACCESS_KEY: "secret",
        // No AWS_CONFIG_FILE / credentials file of the machine is read.
        AWS_CONFIG_FILE: join(dir, "none"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      },
      warn: () => {},
    });
    try {
      const path = await cache.cache("s3://b/k.csv");
      assertEquals(await Deno.readTextFile(path), "a,b\n");
      assertEquals([...signedBy], ["keyfromenvoption"]);
    } finally {
      await cache.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
