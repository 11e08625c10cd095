/**
 * A download relayed from an S3 store that goes silent mid-body (its
 * connection open: an overloaded S3-compatible server, a connection a
 * network device dropped without a reset). Deno.serve relayed fetch's body
 * without JavaScript and nothing stopped it: the client got half the file
 * and then waited, forever for one with no timeout of its own (Python
 * `requests`, `curl`), while the log line claimed a "download cut". Now
 * the service closes the connection once the store sent nothing for its
 * request timeout, and the client sees a body shorter than its
 * Content-Length, never one that looks whole.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { logRecord, newCacheId, startService, upload } from "./server_helpers.ts";

const SIZE = 8 << 20;

/**
 * A proxy in front of `target` whose answers to GETs of data objects stop
 * after half the object, their connection left open, while `stall.on`.
 */
function silentMidBody(target: string, stall: { on: boolean }) {
  const silent = new Set<() => void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const answer = await fetch(`${target}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
    });
    if (!stall.on || req.method !== "GET" || !url.pathname.includes("/data/")) return answer;
    const reader = answer.body!.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= SIZE / 2) {
          // Silent from here on, until the test ends.
          await new Promise<void>((resolve) => silent.add(resolve));
          return controller.close();
        }
        const { done, value } = await reader.read();
        if (done) return controller.close();
        sent += value.length;
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: answer.status, headers: answer.headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      for (const end of silent) end();
      await server.shutdown();
    },
  };
}

Deno.test("serve: a download from an S3 store gone silent mid-body closes the client's connection", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using fake = await startFakeS3({ credentials: false, buckets: ["cache"] });
  const stall = { on: false };
  await using proxy = silentMidBody(fake.url, stall);
  await using t = await startService({
    store: new S3Store({
      bucket: "cache",
      endpoint: proxy.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      requestTimeoutMs: 2_000, // the store's idle bound: what this test is about
      http1: true,
    }),
    // The client reads at once: the download bound (60 s + 8 MiB at 64 KiB/s) is not reached.
  });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
  const id = doc.cache_id as string;
  const put = await upload(t.url, t.tokens.alice, id, new Uint8Array(SIZE).fill(7), "big.bin");
  assertEquals(put.status, 200);
  stall.on = true;
  // A client with no timeout of its own (the watchdog only bounds the test).
  const watchdog = new AbortController();
  const timer = setTimeout(() => watchdog.abort(new Error("still waiting after 20 s")), 20_000);
  try {
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
      signal: watchdog.signal,
    });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-length"), String(SIZE));
    const reader = res.body!.getReader();
    let got = 0;
    const ended = await (async () => {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return `clean end at ${got}`;
        got += value.length;
      }
    })().catch((e: Error) => e.message);
    // Cut by the service (short of the length), not by the watchdog.
    assert(!watchdog.signal.aborted, `the client was left waiting: ${ended}`);
    assert(!ended.startsWith("clean end"), ended);
    assert(got >= SIZE / 2 && got < SIZE, `got ${got} bytes`);
  } finally {
    clearTimeout(timer);
  }
  const record = await logRecord(
    t.logs,
    (r) => r.method === "GET" && String(r.error).includes("download cut"),
  );
  assertStringIncludes(String(record.error), "the store sent nothing");
  assertEquals(record.aborted, true);
  const bytesOut = record.bytes_out as number;
  assert(bytesOut >= SIZE / 2 && bytesOut < SIZE, JSON.stringify(record));
  // The service goes on: the same file, the store answering again, comes whole.
  stall.on = false;
  const again = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals((await again.bytes()).length, SIZE);
});
