// serveCache given a signal (or `cancel`) that aborted before the call: an
// abort event fires only when the signal aborts, so the service used to
// start and serve for good, its shutdown never coming. It now rejects with
// the signal's reason, listening on nothing.
import { serveCache } from "../src/server/serve.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const auth = { authenticate: () => Promise.reject(new Error("unused")) };

for (const option of ["signal", "cancel"] as const) {
  Deno.test(`serveCache: a ${option} aborted before the call rejects with its reason`, async () => {
    const reason = new Error(`${option} aborted already`);
    await using store = new MemoryStore();
    const error = await assertRejects(async () => {
      const service = await serveCache({
        store,
        auth,
        port: 0,
        log: () => {},
        sweepIntervalMs: 0,
        [option]: AbortSignal.abort(reason),
      });
      // Not what should happen: stop it, so the failure is only this test's.
      await service.shutdown();
    });
    assertEquals(error, reason);
  });
}
