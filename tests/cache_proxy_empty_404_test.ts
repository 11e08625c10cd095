/**
 * An interceptor on the way to the store (a corporate proxy, a sandbox's
 * egress filter) answers `404` with no body to every request. S3 sends a
 * GET's 404 with its XML (`NoSuchKey`); only a HEAD's is empty. The empty
 * answer was taken for the store's: the GET that confirms a HEAD's 404
 * recorded the cached entry as deleted, refused from then on even offline,
 * and a miss said the object "does not exist". Now it is no answer of the
 * store: the cached copy is served with a warning, nothing is recorded, and
 * a miss names the endpoint. `vc cache ls --check-remote`, which took the
 * HEAD's 404 alone for `deleted`, confirms it with a GET of the first byte,
 * as a revalidation does.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { StoreError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { join } from "node:path";
import { startForwardingProxy } from "./forwarding_proxy.ts";

Deno.test("an empty 404 to a GET is no answer of the store: the cached copy is served, never marked deleted", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "k.txt", "good content");
  let down = false;
  const proxy = startForwardingProxy(
    s3.url,
    () =>
      down ? new Response(null, { status: 404, headers: { "content-length": "0" } }) : undefined,
  );
  const cacheDir = await Deno.makeTempDir({ prefix: "vc-empty-404-" });
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
        warnings.some((w) =>
          w.includes("serving the cached copy") && w.includes("404 with no body")
        ),
        warnings.join("\n"),
      );
      const e = await assertRejects(() => cache.cache("s3://b/other.txt"), StoreError);
      assertStringIncludes(e.message, "404 with no body");
      assertStringIncludes(e.message, endpoint);
      // `ls --check-remote` asks too: the HEAD's empty 404 is no "deleted".
      const [entry] = await cache.ls({ checkRemote: true });
      assertEquals(entry?.remoteDeleted, undefined);
      assertStringIncludes(entry?.remoteError ?? "", "404 with no body");
    }
    await using offline = make(true);
    assertEquals(await Deno.readTextFile(await offline.cache("s3://b/k.txt")), "good content");
  } finally {
    await proxy.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});
