/**
 * A captive portal answering a revalidation's HEAD with 200, its login page
 * (`text/html`) and no ETag: the copy is served, and the warning said "a
 * proxy or S3-compatible server that drops ETags?", sending the user to
 * look at the store's configuration, while a portal's 302, 403 or 404 page
 * is named as a web page that is not S3's answer. It now names the web
 * page and the captive portal, as `ls --check-remote` does.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";

const PAGE = "<html><head><title>Sign in</title></head><body>Guest Wi-Fi</body></html>\n";

Deno.test("a portal's page with no ETag answering a revalidation is named as a web page", async () => {
  let portal = false;
  await using proxy = await startS3Proxy((req, forward) =>
    portal
      ? new Response(req.method === "HEAD" ? null : PAGE, {
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8", "content-length": `${PAGE.length}` },
      })
      : forward()
  );
  const dir = await Deno.makeTempDir({ prefix: "vc-portal-no-etag-" });
  try {
    const warnings: string[] = [];
    await using cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 0,
      warn: (m) => warnings.push(m),
      store: testS3Options({ url: proxy.endpoint }, { maxAttempts: 1 }),
    });
    await proxy.fake.putObject("b", "k.txt", "good content");
    const path = await cache.cache("s3://b/k.txt");
    portal = true;
    assertEquals(await cache.cache("s3://b/k.txt"), path);
    assertEquals(await Deno.readTextFile(path), "good content");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "no ETag");
    assertStringIncludes(warnings[0]!, "a web page (text/html; charset=utf-8)");
    assertStringIncludes(warnings[0]!, "captive portal");
    assert(!warnings[0]!.includes("drops ETags"), warnings[0]);
    const [entry] = await cache.ls({ checkRemote: true });
    assertStringIncludes(entry?.remoteError ?? "", "captive portal");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
