/**
 * A reverse proxy in front of an S3-compatible store (Traefik, an ingress)
 * answers `404 page not found` in plain text for every key while the store
 * behind it restarts. That is no answer of the store: during revalidation
 * the good cached copy is served with a warning, never recorded as deleted
 * (which would refuse it offline too), and a miss names the endpoint.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { StoreError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { join } from "node:path";
import { startForwardingProxy } from "./forwarding_proxy.ts";

/** A proxy to `upstream` that, while `down()` says so, answers Traefik's plain-text 404. */
function startProxy(upstream: string, down: () => boolean) {
  return startForwardingProxy(
    upstream,
    (req) =>
      down()
        ? new Response(req.method === "HEAD" ? null : "404 page not found\n", {
          status: 404,
          headers: { "content-type": "text/plain; charset=utf-8" },
        })
        : undefined,
  );
}

Deno.test("a proxy's plain-text 404 is no answer of the store: the cached copy is served, never marked deleted", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "k.txt", "good content");
  let down = false;
  const proxy = startProxy(s3.url, () => down);
  const cacheDir = await Deno.makeTempDir({ prefix: "vc-plain-404-" });
  try {
    const endpoint = `http://127.0.0.1:${proxy.addr.port}`;
    const warnings: string[] = [];
    const make = (offline = false) =>
      new AssetCache({
        cacheDir: join(cacheDir, "cache"),
        configPath: false,
        env: {},
        timeout: 0,
        offline,
        store: {
          s3: {
            endpoint,
            region: "us-east-1",
            forcePathStyle: true,
            credentials: { accessKeyId: "test", secretAccessKey: "test" },
            maxAttempts: 1,
          },
        },
        warn: (m) => warnings.push(m),
      });
    {
      await using cache = make();
      const path = await cache.cache("s3://b/k.txt");
      down = true;
      assertEquals(await cache.cache("s3://b/k.txt"), path);
      assertEquals(await Deno.readTextFile(path), "good content");
      assert(
        warnings.some((w) => w.includes("serving the cached copy") && w.includes("not S3's XML")),
        warnings.join("\n"),
      );
      // A miss names the endpoint and what it sent, not a missing object.
      const e = await assertRejects(() => cache.cache("s3://b/other.txt"), StoreError);
      assertStringIncludes(e.message, "not S3's XML");
      assertStringIncludes(e.message, endpoint);
    }
    // Nothing was recorded as deleted: offline, the copy is still served.
    await using offline = make(true);
    assertEquals(
      await Deno.readTextFile(await offline.cache("s3://b/k.txt")),
      "good content",
    );
  } finally {
    await proxy.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});
