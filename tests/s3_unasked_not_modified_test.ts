/**
 * A 304 Not Modified answers only a conditional read (If-None-Match). To a
 * plain HEAD or GET it comes from a proxy or cache on the way, never from
 * S3: a revalidation serves the good cached copy with a warning (as for a
 * portal's web page), and a cold miss says what came instead of "is not
 * modified".
 */
import { CACHED_ETAG, checkUnaskedAnswer } from "./unasked_status_s3.ts";

Deno.test("a 304 to an unconditional request is no answer of the store", async () => {
  await checkUnaskedAnswer({
    answer: () => new Response(null, { status: 304, headers: { etag: CACHED_ETAG } }),
    warningSays: ["304 Not Modified", "not conditional"],
    // Not "is not modified", but what came and from where.
    errorSays: ["not conditional"],
  });
});
