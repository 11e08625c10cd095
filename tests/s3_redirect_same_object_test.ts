/**
 * A bare redirect (no S3 redirect document) of an object's request to the
 * same object elsewhere: an endpoint behind a proxy that sends `http:` to
 * `https:` (`return 301 https://$host$request_uri`), or one that sends the
 * request back to itself. Both said "point the endpoint (AWS_ENDPOINT_URL)
 * or region (AWS_REGION) there", for a loop the endpoint already set. The
 * first now names the endpoint to set, the second says it is a loop.
 */
import { StoreError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("s3 store: a redirect of an object to itself elsewhere names that endpoint; to the same URL, a loop", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const location = url.pathname.endsWith("/upgrade.txt")
      ? `https://${url.host}/gw${url.pathname}`
      : req.url;
    return new Response(null, {
      status: url.pathname.endsWith("/upgrade.txt") ? 301 : 307,
      headers: { location },
    });
  });
  const endpoint = `http://127.0.0.1:${server.addr.port}`;
  await using store = new S3Store({
    bucket: "b",
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  try {
    for (const op of [() => store.get("upgrade.txt"), () => store.head("upgrade.txt")]) {
      const error = await assertRejects(op, StoreError, "redirected (301)");
      assertStringIncludes(
        error.message,
        `point the endpoint there (AWS_ENDPOINT_URL=https://127.0.0.1:${server.addr.port}/gw`,
      );
    }
    for (const op of [() => store.get("loop.txt"), () => store.head("loop.txt")]) {
      const error = await assertRejects(op, StoreError, "redirected (307)");
      assertStringIncludes(error.message, "redirect loop");
      assert(!error.message.includes("point the endpoint"), error.message);
    }
  } finally {
    await server.shutdown();
  }
});
