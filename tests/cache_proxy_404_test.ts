/**
 * Something on the way to the store answers `404` to every request while
 * the store is out of reach: a reverse proxy in front of an S3-compatible
 * store (Traefik, an ingress) with `404 page not found` in plain text while
 * the store restarts, or an interceptor (a corporate proxy, a sandbox's
 * egress filter) with no body at all. S3 sends a GET's 404 with its XML
 * (`NoSuchKey`); only a HEAD's is empty. Neither answer is the store's: the
 * good cached copy is served with a warning, never recorded as deleted
 * (which would refuse it offline too), and a miss names the endpoint and
 * what came. `vc cache ls --check-remote`, which took a HEAD's 404 alone
 * for `deleted`, confirms it with a GET of the first byte, as a
 * revalidation does.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { StoreError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { join } from "node:path";
import { startForwardingProxy } from "./forwarding_proxy.ts";

const proxies: { name: string; answer: (req: Request) => Response; says: string }[] = [
  {
    name: "a reverse proxy's plain-text 404",
    answer: (req) =>
      new Response(req.method === "HEAD" ? null : "404 page not found\n", {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
      }),
    says: "not S3's XML",
  },
  {
    name: "an interceptor's empty 404",
    answer: () => new Response(null, { status: 404, headers: { "content-length": "0" } }),
    says: "404 with no body",
  },
];

for (const { name, answer, says } of proxies) {
  Deno.test(`${name} is no answer of the store: the cached copy is served, never marked deleted`, async () => {
    // The proxy sends requests on to the fake's own host:port, not the one
    // signed for (fetch sets Host), so signatures cannot be checked there.
    await using s3 = await startFakeS3({ buckets: ["b"], credentials: false });
    await s3.putObject("b", "k.txt", "good content");
    let down = false;
    const proxy = startForwardingProxy(s3.url, (req) => down ? answer(req) : undefined);
    const cacheDir = await Deno.makeTempDir({ prefix: "vc-proxy-404-" });
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
          warnings.some((w) => w.includes("serving the cached copy") && w.includes(says)),
          warnings.join("\n"),
        );
        // A miss names the endpoint and what it sent, not a missing object.
        const e = await assertRejects(() => cache.cache("s3://b/other.txt"), StoreError);
        assertStringIncludes(e.message, says);
        assertStringIncludes(e.message, endpoint);
        // `ls --check-remote` asks too: the HEAD's 404 is no "deleted".
        const [entry] = await cache.ls({ checkRemote: true });
        assertEquals(entry?.remoteDeleted, undefined);
        assertStringIncludes(entry?.remoteError ?? "", says);
      }
      // Nothing was recorded as deleted: offline, the copy is still served.
      await using offline = make(true);
      assertEquals(await Deno.readTextFile(await offline.cache("s3://b/k.txt")), "good content");
    } finally {
      await proxy.shutdown();
      await Deno.remove(cacheDir, { recursive: true });
    }
  });
}
