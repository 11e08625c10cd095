/**
 * A create-only multipart upload or copy (`If-None-Match: *` on
 * CompleteMultipartUpload) whose completion landed but whose answer was
 * lost gets 412 on the SDK's repeat; vc then HEADs the key to tell its own
 * object from another writer's. When that HEAD failed (a role allowed to
 * write but not to read, a server error after retries), the 412 was kept
 * as it came ("already exists"), saying nothing of the check that could
 * not be made: the user was told of a conflict that may be the upload's
 * own object. As the single PUT's read back (see
 * s3_put_create_only_read_back_fails_test.ts), the `PreconditionFailedError`
 * now says the read back failed and why, its error as the cause.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";
import { AccessDeniedError, PreconditionFailedError, StoreError } from "../src/errors.ts";
import { lostCompletionUnreadable, TINY_MULTIPART } from "./s3_tiny_multipart.ts";

const STORE = TINY_MULTIPART;

/** What S3 answers the repeated create-only completion: the key is taken (by the first). */
const preconditionFailed = () =>
  new Response(
    errorXml("PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
    { status: 412, headers: { "content-type": "application/xml" } },
  );

for (const [status, cause] of [[403, AccessDeniedError], [503, StoreError]] as const) {
  for (const op of ["put", "copy"] as const) {
    Deno.test(`create-only multipart ${op}, its answer lost: a read back answered ${status} is said, the 412 kept`, async () => {
      const { seen, handler } = lostCompletionUnreadable("dst.bin", status, preconditionFailed);
      await using proxied = await startS3Proxy(handler, { fake: { minPartSize: 1 }, store: STORE });
      await proxied.direct.put("src.bin", new Uint8Array(10).fill(4));
      const error = await assertRejects(
        () =>
          op === "put"
            ? proxied.store.put("dst.bin", new Uint8Array(10).fill(3), { ifNoneMatch: "*" })
            : proxied.store.copy("src.bin", "dst.bin", { ifNoneMatch: "*" }),
        PreconditionFailedError,
      );
      assertEquals(seen.completions, 2);
      assert(seen.heads > 0, "the key was read back");
      assertMatch(error.message, /already exists/);
      assertMatch(error.message, /reading it back failed/);
      assert(error.cause instanceof cause, String(error.cause));
      assert(error.message.includes((error.cause as Error).message), error.message);
    });
  }
}
