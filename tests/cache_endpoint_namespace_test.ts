/**
 * The asset cache files S3 entries under the endpoint `S3Store` sends its
 * requests to, checked as the store checks it. Read another way (a missing
 * scheme taken for https, `http:/host` taken for a host named "http"), an
 * endpoint the store refuses still named a cache directory, and a warm entry
 * there was served without a word, by `vc cache get` and by the lean
 * `vc path` alike; one the store reads as `http://host:port` was filed
 * apart from it.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { hotPath } from "../src/cli/hot_path.ts";
import { memoryIo } from "../src/cli/io.ts";
import { InvalidInputError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";

/** A fake S3 holding `b/k.1.0.0.csv`, a temp dir, and a cache warmed with it at the real endpoint. */
async function warmCache(
  run: (dir: string, endpoint: string, hostPort: string) => Promise<void>,
): Promise<void> {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "k.1.0.0.csv", "a,b\n");
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-endpoint-ns-" }));
  try {
    const cache = makeCache(dir, fake.url);
    try {
      const path = await cache.cache("s3://b/k.1.0.0.csv");
      assertStringIncludes(path, `s3@127.0.0.1_${new URL(fake.url).port}`);
    } finally {
      await cache.close();
    }
    await run(dir, fake.url, new URL(fake.url).host);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function makeCache(dir: string, endpoint: string): AssetCache {
  return new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
    },
    store: { s3: { credentials: { accessKeyId: "test", secretAccessKey: "test" } } },
    warn: () => {},
  });
}

Deno.test("asset cache: an endpoint without a scheme is refused naming the variable, a warm entry too", async () => {
  await warmCache(async (dir, _endpoint, hostPort) => {
    const error = await assertRejects(async () => {
      const cache = makeCache(dir, hostPort);
      try {
        await cache.cache("s3://b/k.1.0.0.csv");
      } finally {
        await cache.close();
      }
    }, InvalidInputError);
    assertStringIncludes(error.message, "AWS_ENDPOINT_URL");
    assertStringIncludes(error.message, hostPort);
  });
});

Deno.test("asset cache: an endpoint the store reads as http://host:port is filed under that endpoint", async () => {
  await warmCache(async (dir, endpoint, hostPort) => {
    // The URL parser reads one slash, upper case and a trailing `/` alike.
    for (const variant of [`http:/${hostPort}`, `${endpoint.toUpperCase()}/`]) {
      const cache = makeCache(dir, variant);
      try {
        const path = await cache.cache("s3://b/k.1.0.0.csv");
        assertStringIncludes(path, `s3@127.0.0.1_${new URL(endpoint).port}/b/`, variant);
      } finally {
        await cache.close();
      }
    }
  });
});

Deno.test("lean vc path: a warm entry is not answered under an endpoint the store refuses", async () => {
  await warmCache(async (dir, endpoint, hostPort) => {
    await Deno.writeTextFile(
      join(dir, "versioned_assets.json"),
      JSON.stringify({ "/k.csv": "1.0.0" }, null, 4) + "\n",
    );
    const env = (awsEndpoint: string) => ({
      HOME: join(dir, "home"),
      XDG_CONFIG_HOME: join(dir, "home", ".config"),
      VC_CACHE_DIR: join(dir, "cache"),
      VC_BUCKET: "s3://b",
      AWS_ENDPOINT_URL: awsEndpoint,
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
    });
    // The control: with the endpoint the entry came from, the fast path answers.
    const good = memoryIo({ env: env(endpoint), cwd: dir });
    assertEquals(await hotPath(["path", "/k.csv"], good), 0);
    assertStringIncludes(good.stdout(), "k.1.0.0.csv");
    // Without a scheme: handed to the full command, which names the variable.
    const bad = memoryIo({ env: env(hostPort), cwd: dir });
    assertEquals(await hotPath(["path", "/k.csv"], bad), undefined);
    assertEquals(bad.stdout(), "");
  });
});
