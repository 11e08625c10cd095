/**
 * A 412 Precondition Failed answers only a request with a precondition
 * (If-Match, If-None-Match, If-Unmodified-Since, a copy's
 * x-amz-copy-source-if-*). To a plain HEAD or GET it comes from a proxy or
 * gateway on the way, never from S3, as an unasked 304 does: a revalidation
 * failed outright with "precondition failed: 412" though the copy cached was
 * good (an unasked 304 serves it with a warning). It now serves it with a
 * warning naming the 412, and a cold miss says what came and from where.
 */
import { assert } from "./assert.ts";
import { PreconditionFailedError } from "../src/errors.ts";
import { checkUnaskedAnswer } from "./unasked_status_s3.ts";

Deno.test("a 412 to a request without a precondition is no answer of the store", async () => {
  await checkUnaskedAnswer({
    answer: () => new Response(null, { status: 412 }),
    warningSays: ["412 Precondition Failed", "no precondition"],
    // Not "precondition failed", but what came and from where.
    errorSays: ["no precondition"],
    errorIsNot: (e) => assert(!(e instanceof PreconditionFailedError), e.message),
  });
});
