/**
 * `new CacheClient(...)` refuses an option it does not take, as its methods,
 * `withCache` and every other options bag do: `timeout: 5` (for `timeoutMs`)
 * or `retries: 0` (for `maxAttempts`) was ignored without a word, and the
 * client then waited 60 s and retried five times.
 */
import { assertStringIncludes, assertThrows } from "./assert.ts";
import { CacheClient } from "../src/server/client.ts";
import { InvalidInputError } from "../src/errors.ts";

// deno-lint-ignore no-explicit-any
const bad = (o: Record<string, unknown>): any => o;

Deno.test("CacheClient: an unknown option is refused, naming it and the one meant", () => {
  const base = { url: "http://127.0.0.1:1", token: "t" };
  const e = assertThrows(
    () => new CacheClient(bad({ ...base, timeout: 5 })),
    InvalidInputError,
    'CacheClient: unknown option "timeout"',
  );
  assertStringIncludes(e.message, 'did you mean "timeoutMs"');
  assertThrows(
    () => new CacheClient(bad({ ...base, maxAttempt: 1 })),
    InvalidInputError,
    'did you mean "maxAttempts"',
  );
  // Every documented option is still taken.
  new CacheClient({
    ...base,
    fetch,
    timeoutMs: 1,
    maxAttempts: 1,
    retryBaseDelayMs: 0,
    maxRetryDelayMs: 0,
  });
});

Deno.test("CacheClient: options that are not an object are refused as such", () => {
  assertThrows(
    () => new CacheClient(bad("http://127.0.0.1:1" as unknown as Record<string, unknown>)),
    InvalidInputError,
    "the options of CacheClient must be an object",
  );
});
