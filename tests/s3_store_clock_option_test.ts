/**
 * `S3Store`'s `clock` option: the request timeouts are counted on it, so a
 * test's ManualClock times a request out when the test advances it, never
 * because the machine is loaded; anything that is not a Clock is refused
 * when the store is made.
 */
import { S3Store } from "../src/store/s3.ts";
import { InvalidInputError, OfflineError } from "../src/errors.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { silentServer, storeAt } from "./raw_server.ts";

Deno.test("S3Store: a clock option that is no Clock is refused, named", () => {
  assertThrows(
    () =>
      new S3Store({
        bucket: "b",
        region: "us-east-1",
        endpoint: "http://127.0.0.1:9",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        clock: {} as ManualClock,
      }),
    InvalidInputError,
    "S3Store: the option clock must be a Clock",
  );
});

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: with a ManualClock, a request to a silent server times out when the clock passes its timeout`, async () => {
    await using server = silentServer();
    const clock = new ManualClock();
    const store = storeAt(server.url, 500, { http1, clock, maxAttempts: 1 });
    try {
      let settled = false;
      const head = store.head("k").finally(() => settled = true);
      head.catch(() => {});
      // The attempt's deadline is on the clock once the request is under way.
      while (clock.pending === 0) await new Promise((r) => setTimeout(r, 5));
      await clock.advance(499);
      await new Promise((r) => setTimeout(r, 20));
      assertEquals(settled, false, "not timed out before the clock passed 500 ms");
      await clock.advance(1);
      const error = await assertRejects(() => head, OfflineError);
      assertStringIncludes(error.message, "timed out");
      assertStringIncludes(error.message, server.url);
    } finally {
      await store.close();
    }
  });
}
