/**
 * A 412 Precondition Failed answers only a request with a precondition
 * (If-Match, If-None-Match, If-Unmodified-Since, a copy's
 * x-amz-copy-source-if-*). To a plain HEAD or GET it comes from a proxy or
 * gateway on the way, never from S3, as an unasked 304 does: a revalidation
 * failed outright with "precondition failed: 412" though the copy cached was
 * good (an unasked 304 serves it with a warning). It now serves it with a
 * warning naming the 412, and a cold miss says what came and from where.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { PreconditionFailedError, StoreError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { ManualClock } from "../src/testing/mod.ts";

const BODY = "good content";

/** An S3-like server for `b/k.txt`; `answer412(true)` makes it answer everything 412. */
async function withServer(
  fn: (url: string, answer412: (on: boolean) => void) => Promise<void>,
): Promise<void> {
  let refused = false;
  const etag = `"${md5Hex(BODY)}"`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (refused) return new Response(null, { status: 412 });
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
    await fn(`http://127.0.0.1:${server.addr.port}`, (on) => refused = on);
  } finally {
    await server.shutdown();
  }
}

Deno.test("a 412 to a request without a precondition is no answer of the store", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "vc-unasked-412-" });
  try {
    await withServer(async (url, answer412) => {
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
      answer412(true);
      clock.advance(61_000);
      // Revalidation: the good copy is served, with a warning naming the 412.
      assertEquals(await cache.cache("s3://b/k.txt"), path);
      assertEquals(await Deno.readTextFile(path), BODY);
      assert(
        warnings.some((w) =>
          w.includes("412 Precondition Failed") && w.includes("no precondition")
        ),
        warnings.join("\n"),
      );
      // A cold miss: not "precondition failed", but what came and from where.
      const e = await assertRejects(() => cache.cache("s3://b/other.txt"), StoreError);
      assert(!(e instanceof PreconditionFailedError), e.message);
      assertStringIncludes(e.message, "no precondition");
      assertStringIncludes(e.message, url);
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
