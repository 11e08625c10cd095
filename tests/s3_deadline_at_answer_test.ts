/**
 * A request deadline that passes just as the answer's head arrives (a busy
 * process runs the deadline's check before the code that stops it) is a
 * timeout like any other, retried. The attempt it aborted used to be handed
 * on as an answer: its body failed at the first read with a bare "The
 * signal has been aborted", a verdict that failed the whole download (seen
 * in tests/download_stall_test.ts at load 28).
 */
import { ManualClock, startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { storeAt } from "./raw_server.ts";

Deno.test("S3Store over fetch: a deadline that passes as the head arrives is retried, not a broken body", async () => {
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  // Over 1 MiB: streamed to the caller, not read whole inside the attempt.
  const data = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 5) & 0xff);
  await s3.putObject("b", "k.bin", data);
  const clock = new ManualClock();
  const store = storeAt(s3.url, 500, { http1: false, clock });
  const realFetch = globalThis.fetch;
  let passed = 0;
  // The first answer's head arrives; before the store's code after fetch
  // runs, its attempt's deadline passes (the clock moves on in between).
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const res = await realFetch(...args);
    if (passed++ === 0) void clock.advance(500);
    return res;
  };
  try {
    const got = await store.get("k.bin");
    const bytes = got.bytes ?? new Uint8Array(await new Response(got.body).arrayBuffer());
    assertEquals(bytes.length, data.length);
    assertEquals(bytes, data);
    assertEquals(passed, 2, "the timed-out attempt was retried");
  } finally {
    globalThis.fetch = realFetch;
    await store.close();
  }
});
