// A Retry-After given as an HTTP-date is the server's clock. It was measured
// from the local clock, so a throttling server whose clock is an hour ahead
// asking for one second was read as asking for an hour, and the request
// failed at once ("retry after 3601 s"). It is now measured from the
// answer's own Date.
import { assertEquals } from "./assert.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";

const HOUR = 3600_000;

Deno.test("S3Store: a Retry-After date from a server whose clock is off is measured by its Date", async () => {
  let refused = 0;
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (refused === 0) {
      refused++;
      await req.body?.cancel();
      const serverNow = Date.now() + HOUR;
      return new Response(errorXml("SlowDown", "Please reduce your request rate."), {
        status: 503,
        headers: {
          "content-type": "application/xml",
          date: new Date(serverNow).toUTCString(),
          "retry-after": new Date(serverNow + 1000).toUTCString(),
        },
      });
    }
    return await forward();
  });
  await proxied.direct.put("a.txt", new TextEncoder().encode("hello"));
  const got = await proxied.store.get("a.txt");
  assertEquals(await new Response(got.body).text(), "hello");
  assertEquals(refused, 1);
});
