/**
 * A request timeout past what a timer holds (2^31 - 1 ms, about 24.8 days:
 * `--request-timeout 30d`, meant as "as long as it takes") went to
 * `AbortSignal.timeout`, which fires such a delay at once: through a proxy,
 * where the SDK's requests go by this handler, every request was aborted
 * before it was sent. The handler holds the timeout to a timer's longest.
 */
import { assertEquals } from "./assert.ts";
import { SdkFetchHandler } from "../src/store/sdk_fetch_handler.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

Deno.test("SdkFetchHandler: a request timeout past a timer's longest delay does not abort at once", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "k.csv", "data");
  const url = new URL(s3.url);
  const handler = new SdkFetchHandler({ timeoutMs: 30 * 86_400_000 });
  try {
    const { response } = await handler.handle(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        method: "GET",
        path: "/b/k.csv",
        query: {},
        headers: {},
      } as Parameters<SdkFetchHandler["handle"]>[0],
    );
    assertEquals(response.statusCode, 200);
    assertEquals(await new Response(response.body as ReadableStream).text(), "data");
  } finally {
    handler.destroy();
  }
});
