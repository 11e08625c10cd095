// A SlowDown burst (S3 scaling a busy prefix) was retried with the backoff of
// any 5xx, from 100 ms: the five attempts were over within 1.5 s, and a
// download takes that give-up as final. Answers that ask to slow down (503,
// 429, a throttling code) now back off from 500 ms, as the AWS SDK does.
import { assert, assertEquals } from "./assert.ts";
import { rawServer, readHead } from "./raw_server.ts";
import { testS3Store } from "./versioned_helpers.ts";

const SLOW_DOWN =
  "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";

/** Answers the first `busy` requests with `status` (and SlowDown's XML unless a HEAD), then 200. */
function busyServer(busy: number, status: string) {
  let seen = 0;
  return rawServer(async (conn) => {
    for (let n = 0; n < 10; n++) {
      const head = await readHead(conn);
      if (head === "") return;
      const body = head.startsWith("HEAD ") ? "" : SLOW_DOWN;
      const answer = ++seen <= busy
        ? `HTTP/1.1 ${status}\r\ncontent-type: application/xml\r\ncontent-length: ${SLOW_DOWN.length}\r\n\r\n${body}`
        : 'HTTP/1.1 200 OK\r\netag: "900150983cd24fb0d6963f7d28e17f72"\r\ncontent-length: 3\r\n\r\n' +
          (head.startsWith("HEAD ") ? "" : "abc");
      await conn.write(new TextEncoder().encode(answer));
    }
  });
}

/** Runs `fn` with Math.random at its top (each jittered wait at its ceiling); returns the ms it took. */
async function timedAtCeiling(fn: () => Promise<void>): Promise<number> {
  const random = Math.random;
  Math.random = () => 0.999;
  const start = performance.now();
  try {
    await fn();
  } finally {
    Math.random = random;
  }
  return performance.now() - start;
}

for (
  const [what, status] of [["a 503 SlowDown", "503 Slow Down"], [
    "a 429",
    "429 Too Many Requests",
  ]] as const
) {
  Deno.test(`s3 get: ${what} burst backs off from 500 ms`, async () => {
    await using server = busyServer(2, status);
    await using store = testS3Store({ url: server.url }, "b", { maxAttempts: 5 });
    let text = "";
    const ms = await timedAtCeiling(async () => {
      const got = await store.get("k.txt");
      text = await new Response(got.body).text();
    });
    assertEquals(text, "abc");
    // 500 + 1000 ms at the ceiling; from 100 ms it was 100 + 200.
    assert(ms >= 1400, `two throttled retries took only ${Math.round(ms)} ms`);
  });
}

Deno.test("s3 head: a bodiless 503 (S3's SlowDown to a HEAD) backs off from 500 ms", async () => {
  await using server = busyServer(1, "503 Service Unavailable");
  await using store = testS3Store({ url: server.url }, "b", { maxAttempts: 5 });
  let size: number | undefined;
  const ms = await timedAtCeiling(async () => {
    size = (await store.head("k.txt"))?.size;
  });
  assertEquals(size, 3);
  assert(ms >= 450, `a throttled retry took only ${Math.round(ms)} ms`);
});
