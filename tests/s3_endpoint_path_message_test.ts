// An endpoint with a path (a gateway behind a proxy path, `http://gw/s3`) was
// named by its origin alone in vc's own request errors: "bucket s3://x does
// not exist at http://gw", sending the user to look at the wrong place. The
// message names the endpoint as configured, path included.
import assert from "node:assert/strict";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

Deno.test("S3Store: errors name an endpoint's path, not only its origin", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["assets"] });
  // A gateway that serves the store under /s3.
  const gw = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const u = new URL(req.url);
    if (!u.pathname.startsWith("/s3/")) return new Response("no", { status: 404 });
    const r = await fetch(`${s3.url}${u.pathname.slice(3)}${u.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    return new Response(r.body, { status: r.status, headers: r.headers });
  });
  try {
    const endpoint = `http://127.0.0.1:${gw.addr.port}/s3`;
    await s3.putObject("assets", "k.txt", "here");
    await using good = new S3Store({
      bucket: "assets",
      endpoint,
      region: "us-east-1",
      credentials,
    });
    assert.equal((await good.head("k.txt"))?.size, 4);
    await using missing = new S3Store({
      bucket: "nobucket",
      endpoint,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
    const e = await missing.get("k.txt").then(() => undefined, (e: Error) => e);
    assert.ok(e, "a missing bucket fails");
    assert.match(e.message, /bucket s3:\/\/nobucket does not exist at /);
    assert.ok(e.message.includes(`at ${endpoint} (`), e.message);
  } finally {
    await gw.shutdown();
  }
});
