/**
 * A 304 Not Modified answers only a conditional read (If-None-Match). To a
 * plain HEAD or GET it comes from a proxy or cache on the way, never from
 * S3: a revalidation serves the good cached copy with a warning (as for a
 * portal's web page), and a cold miss says what came instead of "is not
 * modified".
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { StoreError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { ManualClock } from "../src/testing/mod.ts";

const BODY = "good content";

/** An S3-like server for `b/k.txt`; `answer304(true)` makes it answer everything 304. */
async function withServer(
  fn: (url: string, answer304: (on: boolean) => void) => Promise<void>,
): Promise<void> {
  let notModified = false;
  const etag = `"${md5Hex(BODY)}"`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (notModified) return new Response(null, { status: 304, headers: { etag } });
    if (new URL(req.url).pathname !== "/b/k.txt") {
      return new Response("<Error><Code>NoSuchKey</Code></Error>", {
        status: 404,
        headers: { "content-type": "application/xml" },
      });
    }
    return new Response(req.method === "HEAD" ? null : BODY, {
      headers: { etag, "content-length": String(BODY.length) },
    });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, (on) => notModified = on);
  } finally {
    await server.shutdown();
  }
}

Deno.test("a 304 to an unconditional request is no answer of the store", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "vc-unasked-304-" });
  try {
    await withServer(async (url, answer304) => {
      const clock = new ManualClock(Date.now());
      const warnings: string[] = [];
      await using cache = new AssetCache({
        cacheDir,
        configPath: false,
        env: {},
        clock,
        timeout: 60,
        store: {
          s3: {
            endpoint: url,
            region: "us-east-1",
            forcePathStyle: true,
            credentials: { accessKeyId: "test", secretAccessKey: "test" },
            maxAttempts: 2,
          },
        },
        warn: (m) => warnings.push(m),
      });
      const path = await cache.cache("s3://b/k.txt");
      answer304(true);
      clock.advance(61_000);
      // Revalidation: the good copy is served, with a warning naming the 304.
      assertEquals(await cache.cache("s3://b/k.txt"), path);
      assertEquals(await Deno.readTextFile(path), BODY);
      assert(
        warnings.some((w) => w.includes("304 Not Modified") && w.includes("not conditional")),
        warnings.join("\n"),
      );
      // A cold miss: not "is not modified", but what came and from where.
      const e = await assertRejects(() => cache.cache("s3://b/other.txt"), StoreError);
      assertStringIncludes(e.message, "not conditional");
      assertStringIncludes(e.message, url);
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
