/**
 * A revalidation whose HEAD the store answered with a new version, and whose
 * GET something on the way answered instead (a captive portal or a proxy
 * that lets HEADs through and serves its own page, 200 and `text/html`, with
 * no ETag): that answer cannot be verified, so it is refused, as on a cold
 * miss. With a good copy at hand it threw that `IntegrityError`, failing the
 * caller, where the same page answering the HEAD serves the copy with a
 * warning (README: "In all these cases, during revalidation the good cached
 * copy is served with a warning"). It now serves the copy, saying the new
 * version could not be downloaded and why; nothing is left in the cache, the
 * copy keeps its record and is served offline.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { OfflineError } from "../src/errors.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { filesUnder } from "./files_under.ts";
import { testS3Options } from "./versioned_helpers.ts";

const PAGE = "<html><body>Please log in to the hotel Wi-Fi</body></html>";

Deno.test("a portal's page answering the GET of a new version: the cached copy is served with a warning", async () => {
  let portal = false;
  await using proxy = await startS3Proxy((req, forward) =>
    portal && req.method === "GET"
      ? new Response(PAGE, { status: 200, headers: { "content-type": "text/html" } })
      : forward()
  );
  await proxy.fake.putObject("b", "k.txt", "good content v1");
  const dir = await Deno.makeTempDir({ prefix: "vc-new-version-proxy-answer-" });
  const warnings: string[] = [];
  const make = (o: Partial<AssetCacheOptions> = {}) =>
    new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 0,
      warn: (m) => warnings.push(m),
      store: testS3Options({ url: proxy.endpoint }, { maxAttempts: 1 }),
      ...o,
    });
  try {
    let path: string;
    {
      await using cache = make();
      path = await cache.cache("s3://b/k.txt");
    }
    const before = filesUnder(dir, { relative: true });
    // The store has a new version (its HEAD says so); its GET is the portal's.
    await proxy.fake.putObject("b", "k.txt", "new content v2");
    portal = true;
    {
      await using cache = make();
      assertEquals(await cache.cache("s3://b/k.txt"), path);
    }
    assertEquals(await Deno.readTextFile(path), "good content v1");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    const warning = warnings[0]!;
    assertStringIncludes(warning, "cannot download the new version the store has of s3://b/k.txt");
    assertStringIncludes(warning, `serving the cached copy at ${path}`);
    // Why: the answer had nothing to verify by, and where it came from.
    assertStringIncludes(warning, "no ETag");
    assertStringIncludes(warning, proxy.endpoint);
    assert(!warning.includes("cannot reach"), warning);
    // Nothing partial or temporary left beside the copy and its record.
    assertEquals(filesUnder(dir, { relative: true }), before);

    // Told to fail instead of serving: the same reason, the copy kept.
    {
      await using strict = make({ onUnreachable: "fail" });
      const e = await assertRejects(() => strict.cache("s3://b/k.txt"), OfflineError);
      assertStringIncludes(
        e.message,
        "cannot download the new version the store has of s3://b/k.txt",
      );
      assertStringIncludes(e.message, "no ETag");
    }
    // Offline, the good copy is still served.
    {
      await using offline = make({ offline: true });
      assertEquals(await offline.cache("s3://b/k.txt"), path);
    }
    assertEquals(await Deno.readTextFile(path), "good content v1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
