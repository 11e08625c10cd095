// An S3-compatible server (or proxy) throttling with 503/429 SlowDown and
// `Retry-After: 2` was retried on the backoff alone (five attempts within
// about 1.5 s) and the request failed although the server had said when to
// come back. The wait it asks for is honoured (capped).
import { assertEquals } from "./assert.ts";
import { S3Store } from "../src/store/s3.ts";
import { startS3Proxy } from "./s3_proxy.ts";

for (const status of [503, 429]) {
  Deno.test(`S3Store: a ${status} SlowDown with Retry-After is retried after the wait asked`, async () => {
    let first = 0;
    let refused = 0;
    await using proxied = await startS3Proxy(async (req, forward) => {
      first ||= Date.now();
      if (Date.now() - first < 2000) {
        refused++;
        await req.body?.cancel();
        return new Response(
          "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
          { status, headers: { "retry-after": "2", "content-type": "application/xml" } },
        );
      }
      return await forward();
    });
    await proxied.direct.put("a.txt", new TextEncoder().encode("hello"));
    const got = await proxied.store.get("a.txt");
    assertEquals(await new Response(got.body).text(), "hello");
    assertEquals(refused, 1);
  });
}

Deno.test("S3Store: a Retry-After longer than a retry may wait fails at once, saying so", async () => {
  let refused = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    refused++;
    await req.body?.cancel();
    return new Response("<Error><Code>SlowDown</Code><Message>Later.</Message></Error>", {
      status: 503,
      headers: { "retry-after": "100000", "content-type": "application/xml" },
    });
  });
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const started = Date.now();
    const message = await store.get("a.txt").then(() => "got", (e: Error) => e.message);
    assertEquals(message.includes("retry after 100000 s"), true, message);
    assertEquals(refused, 1);
    assertEquals(Date.now() - started < 5000, true);
  } finally {
    await store.close();
    await server.shutdown();
  }
});
