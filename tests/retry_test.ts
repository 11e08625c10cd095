// retry(): jittered exponential backoff over a fake flaky function.
import { assert, assertEquals, assertRejects } from "./assert.ts";
import {
  fullJitterDelay,
  isRetryableStatus,
  isTransientError,
  isUnreachableError,
  retry,
  sleep,
} from "../src/store/retry.ts";
import { NotFoundError, OfflineError, StoreError } from "../src/errors.ts";

function flaky<T>(failures: unknown[], value: T): { fn: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    fn: () => {
      const failure = failures[calls++];
      return failure === undefined ? Promise.resolve(value) : Promise.reject(failure);
    },
    calls: () => calls,
  };
}

const status = (s: number) => new StoreError(`failed: ${s}`, { status: s });

Deno.test("retry: retries 5xx, 429, 408 and resets until success", async () => {
  const f = flaky([
    status(503),
    status(500),
    status(429),
    Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
  ], "ok");
  const delays: number[] = [];
  const value = await retry(f.fn, {
    baseDelayMs: 1,
    onRetry: ({ delayMs }) => delays.push(delayMs),
  });
  assertEquals(value, "ok");
  assertEquals(f.calls(), 5);
  assertEquals(delays.length, 4);
});

Deno.test("retry: gives up after maxAttempts and throws the last error", async () => {
  const errors = [status(503), status(502), status(504)];
  const f = flaky(errors, "never");
  const e = await assertRejects(() => retry(f.fn, { maxAttempts: 3, baseDelayMs: 1 }), StoreError);
  assertEquals(e, errors[2]);
  assertEquals(f.calls(), 3);
});

Deno.test("retry: default is 5 attempts", async () => {
  const f = flaky(Array.from({ length: 10 }, () => status(500)), "never");
  await assertRejects(() => retry(f.fn, { baseDelayMs: 0 }), StoreError);
  assertEquals(f.calls(), 5);
});

Deno.test("retry: never retries other 4xx, not-found, refused connections", async () => {
  for (
    const error of [
      status(400),
      status(403),
      status(404),
      status(412),
      new NotFoundError("s3://b/k does not exist"),
      new TypeError("error sending request for url: tcp connect error: Connection refused"),
      new OfflineError("cannot reach", {
        cause: new TypeError("dns error: failed to lookup address"),
      }),
    ]
  ) {
    const f = flaky([error], "ok");
    await assertRejects(() => retry(f.fn, { baseDelayMs: 1 }));
    assertEquals(f.calls(), 1, String(error));
  }
});

Deno.test("retry: Deno fetch failures and body errors are transient, also through cause", () => {
  assert(
    isTransientError(new TypeError("error sending request for url (http://x/): connection closed")),
  );
  assert(isTransientError(new TypeError("error reading a body from connection: unexpected EOF")));
  assert(
    isTransientError(
      new StoreError("GET s3://b/k failed", { cause: new TypeError("connection reset by peer") }),
    ),
  );
  assert(isTransientError(Object.assign(new Error("x"), { retryable: true })));
  assert(!isTransientError(Object.assign(new Error("x"), { retryable: false, status: 503 })));
  assert(!isTransientError(new DOMException("aborted", "AbortError")));
  assert(!isTransientError("not an error"));
  assert(isUnreachableError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })));
  assert(!isUnreachableError(new TypeError("connection reset")));
  for (const s of [408, 429, 500, 502, 503, 504]) assert(isRetryableStatus(s), String(s));
  for (const s of [200, 301, 400, 401, 403, 404, 409, 412, 416, 501]) {
    assert(!isRetryableStatus(s), String(s));
  }
});

Deno.test("retry: custom shouldRetry decides", async () => {
  const f = flaky([new Error("custom")], "ok");
  assertEquals(await retry(f.fn, { baseDelayMs: 1, shouldRetry: () => true }), "ok");
  assertEquals(f.calls(), 2);
});

Deno.test("retry: full jitter stays within the exponential cap", () => {
  assertEquals(fullJitterDelay(1, 100, 20_000, () => 0), 0);
  assertEquals(fullJitterDelay(1, 100, 20_000, () => 0.5), 50);
  assertEquals(fullJitterDelay(4, 100, 20_000, () => 0.5), 400);
  assertEquals(fullJitterDelay(20, 100, 20_000, () => 0.5), 10_000);
  for (let attempt = 1; attempt < 40; attempt++) {
    const d = fullJitterDelay(attempt, 100, 1_000);
    assert(d >= 0 && d < Math.min(1_000, 100 * 2 ** (attempt - 1)), `attempt ${attempt}: ${d}`);
  }
  // Random draws differ: jitter spreads clients out.
  const draws = new Set(Array.from({ length: 50 }, () => fullJitterDelay(8, 100, 20_000)));
  assert(draws.size > 10);
});

Deno.test("retry: an abort during backoff stops immediately with the signal's reason", async () => {
  const controller = new AbortController();
  const f = flaky(Array.from({ length: 5 }, () => status(503)), "never");
  const started = Date.now();
  let backoffMs = 0;
  const e = await assertRejects(() =>
    retry(f.fn, {
      baseDelayMs: 10_000,
      maxDelayMs: 10_000,
      random: () => 0.99,
      signal: controller.signal,
      // Called just before the backoff sleep starts: abort once it runs.
      onRetry: ({ delayMs }) => {
        backoffMs = delayMs;
        queueMicrotask(() => controller.abort(new Error("stop now")));
      },
    })
  );
  assert(backoffMs > 5_000, `backoff ${backoffMs} ms`);
  assertEquals(e.message, "stop now");
  assertEquals(f.calls(), 1);
  assert(Date.now() - started < 5_000);
});

Deno.test("retry: an already aborted signal prevents the first call", async () => {
  const controller = new AbortController();
  controller.abort(new Error("gone"));
  const f = flaky([], "ok");
  await assertRejects(() => retry(f.fn, { signal: controller.signal }));
  assertEquals(f.calls(), 0);
});

Deno.test("retry: passes the attempt number", async () => {
  const seen: number[] = [];
  await retry((attempt) => {
    seen.push(attempt);
    return attempt < 3 ? Promise.reject(status(503)) : Promise.resolve();
  }, { baseDelayMs: 0 });
  assertEquals(seen, [1, 2, 3]);
});

Deno.test("sleep longer than a timer can wait (2^31 ms) waits, in steps, instead of firing at once", async () => {
  const controller = new AbortController();
  const long = sleep(2 ** 31 + 1000, controller.signal).then(() => "woke", () => "aborted");
  const soon = new Promise<string>((r) => setTimeout(() => r("still asleep"), 100));
  assertEquals(await Promise.race([long, soon]), "still asleep");
  controller.abort();
  assertEquals(await long, "aborted");
});
