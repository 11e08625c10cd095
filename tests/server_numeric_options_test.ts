/**
 * The amounts `createHandler` and `serveCache` take (bytes, ms, a rate) are
 * numbers, 0 or more: a string from an environment variable or a JSON file,
 * `NaN` or a negative number is an `InvalidInputError` naming the option,
 * before anything listens. They reached arithmetic unchecked:
 * `placeholderTtlMs: "5"` made `now + "5"` an expiry string, and a NaN
 * `sweepIntervalMs` failed `interval > 0`, so no expiry sweep ever ran.
 */
import { assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { createHandler, serveCache } from "../src/server/mod.ts";
import type { CacheServiceOptions } from "../src/server/mod.ts";

const auth = { authenticate: (t: string) => Promise.resolve({ tokenId: `t:${t}`, name: t }) };

const NUMERIC = [
  "maxUploadBytes",
  "maxBytesPerIdentity",
  "maxJsonBytes",
  "bodyIdleTimeoutMs",
  "downloadMinRate",
  "placeholderTtlMs",
  "fileTtlMs",
] as const;

Deno.test("createHandler: a numeric option that is not a number, 0 or more, is refused naming it", () => {
  for (const name of NUMERIC) {
    for (const bad of ["5", Number.NaN, -1]) {
      const options = { store: new MemoryStore(), auth, log: () => {}, [name]: bad };
      const error = assertThrows(
        () => createHandler(options as unknown as CacheServiceOptions),
        InvalidInputError,
      );
      assertStringIncludes(error.message, `the option ${name} must be a number, 0 or more`);
    }
  }
});

Deno.test("serveCache: a sweepIntervalMs that is not a number, 0 or more, rejects, listening on nothing", async () => {
  for (const bad of ["1000", Number.NaN, -5]) {
    const started = serveCache({
      store: new MemoryStore(),
      auth,
      port: 0,
      log: () => {},
      sweepIntervalMs: bad as unknown as number,
    });
    // Without the check it listens: shut it down so the failure is the assertion's.
    started.then((service) => service.shutdown(), () => {});
    const error = await assertRejects(() => started, InvalidInputError);
    assertStringIncludes(error.message, "the option sweepIntervalMs must be a number, 0 or more");
  }
});
