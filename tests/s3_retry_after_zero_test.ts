// A throttling server (or proxy) answering 503 SlowDown with `Retry-After: 0`
// (or a date already past) undid vc's backoff: the five attempts went out in
// a burst of a few milliseconds and the request failed where the backoff
// would have waited the throttling out. A Retry-After is now the least wait,
// never less than the backoff.
import { assert, assertEquals } from "./assert.ts";
import { retry } from "../src/store/retry.ts";
import { S3Store } from "../src/store/s3.ts";

for (const retryAfter of ["0", "Thu, 01 Jan 1970 00:00:00 GMT"]) {
  Deno.test(`S3Store: a SlowDown with Retry-After ${retryAfter} still backs off`, async () => {
    const at: number[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      at.push(Date.now());
      await req.body?.cancel();
      return new Response("<Error><Code>SlowDown</Code><Message>Later.</Message></Error>", {
        status: 503,
        headers: { "retry-after": retryAfter, "content-type": "application/xml" },
      });
    });
    const store = new S3Store({
      bucket: "b",
      endpoint: `http://127.0.0.1:${server.addr.port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 5,
    });
    try {
      const message = await store.get("a.txt").then(() => "got", (e: Error) => e.message);
      assert(message.includes("gave up after 5 attempts"), message);
      assertEquals(at.length, 5);
      // Four jittered waits from 500 ms up: all under 100 ms together has a
      // chance of 2.5e-5; the burst took a few ms.
      const waited = at[4]! - at[0]!;
      assert(waited >= 100, `5 attempts within ${waited} ms`);
    } finally {
      await store.close();
      await server.shutdown();
    }
  });
}

Deno.test("retry: an asked delay shorter than the backoff waits the backoff, a longer one itself", async () => {
  const waits: number[] = [];
  const failing = () => Promise.reject(Object.assign(new Error("busy"), { retryable: true }));
  for (const asked of [0, 300]) {
    await retry(failing, {
      maxAttempts: 2,
      baseDelayMs: 200,
      random: () => 0.5,
      shouldRetry: () => true,
      delayFor: () => asked,
      onRetry: ({ delayMs }) => waits.push(delayMs),
    }).catch(() => {});
  }
  assertEquals(waits, [100, 300]);
});
