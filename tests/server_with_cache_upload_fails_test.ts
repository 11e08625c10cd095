/**
 * withCache computes on a miss, then uploads. An upload that failed for
 * good (a service answering 500 to every attempt, one gone away) threw the
 * upload's error and the output just computed (hours of work) was lost. The
 * upload is retried with backoff as before; when it still fails, withCache
 * throws a `CacheUploadError` that carries the output and names a private
 * file holding it. A compute that resolves to something other than bytes is
 * refused naming compute (it was put's "the body must be …", or a bare
 * TypeError for `undefined`).
 */
import { CacheClient, CacheUploadError, withCache } from "../src/server/client.ts";
import { CacheServiceError } from "../src/server/client.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { startService } from "./server_helpers.ts";

Deno.test("withCache: an upload failing with 5xx keeps the computed output", async () => {
  await using t = await startService();
  let uploads = 0;
  // The service answers its ID and look-up, but every upload fails with a 500.
  const failingUploads: typeof fetch = (input, init) => {
    const req = new Request(input, init);
    if (req.method === "POST" && new URL(req.url).pathname.startsWith("/v1/cache/")) {
      uploads++;
      return Promise.resolve(
        Response.json({ status: "error", error: "internal error" }, { status: 500 }),
      );
    }
    return fetch(input, init);
  };
  const client = new CacheClient({
    url: t.url,
    token: t.tokens.alice,
    fetch: failingUploads,
    maxAttempts: 3,
    retryBaseDelayMs: 1,
  });
  let runs = 0;
  const compute = () => {
    runs++;
    return Promise.resolve(new TextEncoder().encode("hours of work"));
  };
  const error = await assertRejects(
    () => withCache({ job: "expensive" }, compute, { client }),
    CacheUploadError,
  );
  try {
    assertEquals([runs, uploads], [1, 3]); // computed once, the upload retried
    assertEquals(new TextDecoder().decode(error.output), "hours of work");
    assert(error.cause instanceof CacheServiceError && error.cause.status === 500);
    assert(error.savedTo !== undefined, "no file kept");
    assertEquals(await Deno.readTextFile(error.savedTo), "hours of work");
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(error.savedTo)).mode! & 0o777, 0o600);
    }
    assert(error.message.includes(error.savedTo), error.message);
    assert(error.message.includes("(500)") && error.message.includes("13 bytes"), error.message);
    const { cacheId } = await client.id({ job: "expensive" });
    assertEquals(error.cacheId, cacheId);
  } finally {
    if (error.savedTo !== undefined) await Deno.remove(error.savedTo);
  }
});

Deno.test("withCache: an aborted upload is the signal's reason, not a kept output", async () => {
  await using t = await startService();
  const controller = new AbortController();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice, maxAttempts: 1 });
  const compute = () => {
    controller.abort(new Error("stopped by the user"));
    return Promise.resolve(new TextEncoder().encode("x"));
  };
  await assertRejects(
    () => withCache({ job: "aborted" }, compute, { client, signal: controller.signal }),
    Error,
    "stopped by the user",
  );
});

Deno.test("withCache: compute resolving to no Uint8Array is refused, naming compute", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice, maxAttempts: 1 });
  for (const [i, output] of ["text", new ArrayBuffer(3), [1, 2], undefined].entries()) {
    const error = await assertRejects(
      () => withCache({ job: "not bytes", i }, () => Promise.resolve(output as never), { client }),
      InvalidInputError,
      "withCache(): compute must resolve to a Uint8Array",
    );
    assert(!(error instanceof CacheUploadError), error.message);
  }
});
