/**
 * A worker of `forEachLimit` waiting for its source's next item (a stream
 * that has nothing more for now) was never told that the run had failed or
 * been aborted: it had checked before it began to wait, and the pool waited
 * for that worker until the source gave something. A multipart upload from
 * a stream whose part the store refused hung while the stream was quiet,
 * and an aborted run over a quiet source never ended. Here the source's
 * next item never comes, until the test's own bound (so a hang fails).
 */
import { forEachLimit } from "../src/pool.ts";
import { streamPartSource, uploadMultipart } from "../src/store/multipart_upload.ts";
import { assert, assertEquals } from "./assert.ts";

/** A bound on the test: its signal aborts after 10 s, failing what still waits. */
function bounded(): { signal: AbortSignal; [Symbol.dispose](): void } {
  const bound = new AbortController();
  const timer = setTimeout(
    () => bound.abort(new Error("still waiting: the run never ended")),
    10_000,
  );
  return { signal: bound.signal, [Symbol.dispose]: () => clearTimeout(timer) };
}

/** A promise that settles only when `signal` aborts (rejecting with its reason). */
function never(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

Deno.test("forEachLimit: an abort ends the run while a worker waits for a quiet source's next item", async () => {
  using bound = bounded();
  const stop = new AbortController();
  async function* quiet() {
    yield 1;
    await never(bound.signal);
  }
  const outcome = await forEachLimit(quiet(), 4, () => {
    stop.abort(new Error("stopped by the caller"));
    return Promise.resolve();
  }, { signal: stop.signal }).then(() => "resolved", (e: Error) => e.message);
  assert(!bound.signal.aborted, "the run waited for the quiet source until the test's bound");
  assertEquals(outcome, "stopped by the caller");
});

Deno.test("forEachLimit: a failed item ends the run while another worker waits for a quiet source", async () => {
  using bound = bounded();
  async function* quiet() {
    yield 1;
    yield 2;
    await never(bound.signal);
  }
  let started!: () => void;
  const secondStarted = new Promise<void>((r) => started = r);
  const outcome = await forEachLimit(quiet(), 4, async (n) => {
    // Item 2 starts once the next worker waits for the source; item 1 fails then.
    if (n === 2) return started();
    await secondStarted;
    throw new Error("item 1 failed");
  }).then(() => "resolved", (e: Error) => e.message);
  assert(!bound.signal.aborted, "the run waited for the quiet source until the test's bound");
  assertEquals(outcome, "item 1 failed");
});

Deno.test("uploadMultipart: a part the store refused fails the upload while its stream has nothing more yet", async () => {
  using bound = bounded();
  // A stream with one part's bytes, then nothing (a producer gone quiet).
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  controller.enqueue(new Uint8Array(5));
  bound.signal.addEventListener("abort", () => controller.error(bound.signal.reason));
  const reader = stream.getReader();
  try {
    const outcome = await uploadMultipart(
      {
        create: () => Promise.resolve("u1"),
        uploadPart: () => Promise.reject(new Error("403 AccessDenied on part 1")),
        complete: () => Promise.reject(new Error("never completed")),
        abort: () => Promise.resolve(),
      },
      streamPartSource(reader, 5),
      { uri: "s3://b/k" },
    ).then(
      () => "resolved",
      (e: Error) => e.message,
    );
    assert(!bound.signal.aborted, "the upload waited for the quiet stream until the test's bound");
    assertEquals(outcome, "403 AccessDenied on part 1");
  } finally {
    await reader.cancel().catch(() => {});
  }
});
