/**
 * A captive portal or a proxy's block page answering for S3 with 200,
 * `text/html` and a strong ETag of its own (nginx gives every static file
 * one, `"<mtime hex>-<size hex>"`): that ETag is no MD5 and no multipart
 * ETag, which vc takes for one an S3-compatible store made up, checked by
 * the size alone, which the page's own Content-Length always passes. So the
 * login page was cached as the object on a cold miss, and on a revalidation
 * it replaced the good cached copy (served offline too from then on). Such
 * an answer carries none of S3's headers (`x-amz-request-id`, `x-amz-*`,
 * `x-goog-*`, which every S3-compatible store sends): it is now refused as
 * not the store's answer, naming what came, as one without an ETag is. The
 * same made-up ETag in an answer with S3's headers is still a store's.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { filesUnder } from "./files_under.ts";
import { testS3Options } from "./versioned_helpers.ts";

const PAGE = "<html><head><title>Sign in</title></head><body>Guest Wi-Fi</body></html>\n";
const NGINX_ETAG = '"64b7a1c2-4d"';

/** The portal's answer to any request: its page, with nginx's headers. */
function portalPage(req: Request): Response {
  return new Response(req.method === "HEAD" ? null : PAGE, {
    status: 200,
    headers: {
      "content-type": "text/html",
      "content-length": String(PAGE.length),
      etag: NGINX_ETAG,
      "last-modified": "Wed, 19 Jul 2023 10:00:00 GMT",
      server: "nginx",
    },
  });
}

type Answer = (req: Request, forward: () => Promise<Response>) => Response | Promise<Response>;

async function withCache(
  fn: (
    set: (answer: Answer | undefined) => void,
    make: (o?: Partial<AssetCacheOptions>) => AssetCache,
    fake: { putObject(bucket: string, key: string, body: string): Promise<unknown> },
    endpoint: string,
    dir: string,
  ) => Promise<void>,
): Promise<void> {
  let answer: Answer | undefined;
  await using proxy = await startS3Proxy((req, forward) =>
    answer === undefined ? forward() : answer(req, () => forward())
  );
  const dir = await Deno.makeTempDir({ prefix: "vc-portal-page-strong-etag-" });
  try {
    await fn(
      (a) => answer = a,
      (o = {}) =>
        new AssetCache({
          cacheDir: dir,
          configPath: false,
          env: {},
          timeout: 0,
          warn: () => {},
          store: testS3Options({ url: proxy.endpoint }, { maxAttempts: 1 }),
          ...o,
        }),
      proxy.fake,
      proxy.endpoint,
      dir,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a portal's page with an nginx ETag is refused on a cold miss: nothing cached", async () => {
  await withCache(async (set, make, fake, endpoint, dir) => {
    await fake.putObject("b", "model.bin", "the real bytes");
    set(portalPage);
    await using cache = make();
    const e = await assertRejects(() => cache.cache("s3://b/model.bin"), IntegrityError);
    assertStringIncludes(e.message, "s3://b/model.bin");
    assertStringIncludes(e.message, "refusing the store's answer");
    assertStringIncludes(e.message, "text/html");
    assertStringIncludes(e.message, endpoint);
    assertEquals(filesUnder(dir).filter((f) => f.endsWith("model.bin")), []);
  });
});

Deno.test("a portal's page with an nginx ETag never replaces a good copy on revalidation", async () => {
  await withCache(async (set, make, fake, _endpoint, dir) => {
    await fake.putObject("b", "k.txt", "good content");
    let path: string;
    {
      await using cache = make();
      path = await cache.cache("s3://b/k.txt");
    }
    const before = filesUnder(dir, { relative: true });
    // The portal answers everything; then only the GET (the HEAD passes).
    for (
      const answer of [
        portalPage,
        (req: Request, forward: () => Promise<Response>) =>
          req.method === "HEAD" ? forward() : portalPage(req),
      ]
    ) {
      // A new version, so a GET follows the HEAD that passes.
      await fake.putObject("b", "k.txt", `new content ${answer === portalPage ? 1 : 2}`);
      set(answer);
      const warnings: string[] = [];
      {
        await using cache = make({ warn: (m) => warnings.push(m) });
        assertEquals(await cache.cache("s3://b/k.txt"), path);
      }
      assertEquals(await Deno.readTextFile(path), "good content");
      assertEquals(warnings.length, 1, warnings.join("\n"));
      assertStringIncludes(warnings[0]!, `serving the cached copy at ${path}`);
      assertStringIncludes(warnings[0]!, "text/html");
      assert(!warnings[0]!.includes("cannot reach"), warnings[0]);
      assertEquals(filesUnder(dir, { relative: true }), before);
    }
    set(undefined);
    await using offline = make({ offline: true });
    assertEquals(await offline.cache("s3://b/k.txt"), path);
    assertEquals(await Deno.readTextFile(path), "good content");
  });
});

Deno.test("the same made-up ETag with S3's headers is a store's answer: cached by its size", async () => {
  await withCache(async (set, make, fake) => {
    await fake.putObject("b", "index.html", PAGE);
    // A store that makes up its ETags (and serves an HTML object as such).
    set(async (_req, forward) => {
      const r = await forward();
      const headers = new Headers(r.headers);
      headers.set("etag", NGINX_ETAG);
      headers.set("content-type", "text/html");
      assert(headers.has("x-amz-request-id"));
      return new Response(r.body, { status: r.status, headers });
    });
    await using cache = make();
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/index.html")), PAGE);
  });
});
