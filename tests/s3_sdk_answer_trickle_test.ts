/**
 * An answer to a request made through the AWS SDK (a copy, a multipart
 * upload's completion) that trickles whitespace without end. S3 sends
 * whitespace while it works on such a request, so no idle timeout fires and
 * no byte rate holds: the copy or upload waited forever. Its body now has
 * `SDK_BODY_TIMEOUTS` request timeouts in all to arrive.
 */
import { StoreError } from "../src/errors.ts";
import { SDK_BODY_TIMEOUTS } from "../src/store/sdk_body_cap.ts";
import type { S3Store } from "../src/store/s3.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { within } from "./raw_server.ts";
import { startS3Proxy } from "./s3_proxy.ts";

// Forty trickle intervals: a test process starved for one request timeout
// (four test processes on two cores, more under other load) sees the socket
// idle instead of the trickle, and fails on the wrong error: 200 and 400 ms
// both failed so in CI under load.
const TIMEOUT_MS = 800;

/** The fake S3 behind a proxy answering the requests `trickled` picks 200 with a space every 20 ms. */
async function withTrickle(
  trickled: (req: Request, url: URL) => boolean,
  fn: (store: S3Store, direct: S3Store) => Promise<void>,
): Promise<void> {
  const timers = new Set<ReturnType<typeof setInterval>>();
  const space = new TextEncoder().encode(" ");
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (!trickled(req, new URL(req.url))) return await forward();
    await req.body?.cancel();
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => {
          try {
            controller.enqueue(space);
          } catch {
            clearInterval(timer);
          }
        }, 20);
        timers.add(timer);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    return new Response(body, { headers: { "content-type": "application/xml" } });
  }, {
    fake: { minPartSize: 64 * 1024 },
    store: {
      multipartThreshold: 128 * 1024,
      partSize: 128 * 1024,
      requestTimeoutMs: TIMEOUT_MS,
      maxAttempts: 1,
    },
  });
  try {
    await fn(proxied.store, proxied.direct);
  } finally {
    for (const timer of timers) clearInterval(timer);
  }
}

async function failure(op: () => Promise<unknown>): Promise<{ error: StoreError; ms: number }> {
  const started = Date.now();
  const error = await within(40_000, op().then(() => undefined, (e: unknown) => e));
  assert(error instanceof StoreError, String(error));
  return { error, ms: Date.now() - started };
}

// The two cases run at once: each takes SDK_BODY_TIMEOUTS request timeouts.
Deno.test("S3Store.copy and put: a CopyObject or CompleteMultipartUpload answer trickling whitespace without end fails in bounded time", async () => {
  const copy = withTrickle((req) => req.headers.has("x-amz-copy-source"), async (store, direct) => {
    await direct.put("a.txt", new TextEncoder().encode("hello"));
    const { error, ms } = await failure(() => store.copy("a.txt", "b.txt"));
    assertStringIncludes(error.message, "still arriving after");
    assertStringIncludes(error.message, "s3://b/b.txt");
    assert(ms >= TIMEOUT_MS * SDK_BODY_TIMEOUTS - 500, `${ms} ms`);
  });
  const put = withTrickle(
    (req, url) => req.method === "POST" && url.searchParams.has("uploadId"),
    async (store, direct) => {
      const { error } = await failure(() => store.put("big.bin", new Uint8Array(300 * 1024)));
      assertStringIncludes(error.message, "still arriving after");
      assertStringIncludes(error.message, "s3://b/big.bin");
      assertEquals(await direct.head("big.bin"), undefined);
    },
  );
  // Both settle (their proxies stopped) before a failure of either is reported.
  for (const result of await Promise.allSettled([copy, put])) {
    if (result.status === "rejected") throw result.reason;
  }
});
