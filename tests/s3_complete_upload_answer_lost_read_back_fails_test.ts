/**
 * A multipart upload or copy whose CompleteMultipartUpload landed but whose
 * answer was lost (a reset, a timeout): the SDK sends it again, and MinIO
 * (or S3, once it forgets the upload) answers 404 NoSuchUpload. vc then
 * HEADs the key to see whether the object the parts make is there (see
 * s3_complete_upload_answer_lost_test.ts). When that HEAD failed too (a role
 * allowed to write but not to read, a server error after retries), the bare
 * 404 was thrown, "the multipart upload no longer exists": the user was told
 * the upload was gone when it may well have completed. As for a create-only
 * completion's 412 (s3_multipart_create_only_read_back_fails_test.ts), the
 * `NotFoundError` now says the completion's answer was lost, that whether
 * the object landed could not be confirmed, and why, the HEAD's error as
 * its cause.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";
import { AccessDeniedError, NotFoundError, StoreError } from "../src/errors.ts";
import { lostCompletionUnreadable, TINY_MULTIPART } from "./s3_tiny_multipart.ts";

/** What MinIO (or S3, once it forgets the upload) answers the repeated completion. */
const noSuchUpload = () =>
  new Response(errorXml("NoSuchUpload", "The specified upload does not exist."), {
    status: 404,
    headers: { "content-type": "application/xml" },
  });

for (const [status, cause] of [[403, AccessDeniedError], [503, StoreError]] as const) {
  for (const op of ["put", "copy"] as const) {
    Deno.test(`multipart ${op} retried into NoSuchUpload, the read back answered ${status}: the lost answer is said`, async () => {
      const { seen, handler } = lostCompletionUnreadable("dst.bin", status, noSuchUpload);
      await using proxied = await startS3Proxy(handler, {
        fake: { minPartSize: 1 },
        store: TINY_MULTIPART,
      });
      await proxied.direct.put("src.bin", new Uint8Array(10).fill(4));
      const error = await assertRejects(
        () =>
          op === "put"
            ? proxied.store.put("dst.bin", new Uint8Array(10).fill(3))
            : proxied.store.copy("src.bin", "dst.bin"),
        NotFoundError,
      );
      assertEquals(seen.completions, 2);
      assert(seen.heads > 0, "the key was read back");
      assertMatch(error.message, /s3:\/\/b\/dst\.bin/);
      assertMatch(error.message, /answer .*lost/);
      assertMatch(error.message, /could not be confirmed/);
      assertMatch(error.message, /reading it back failed/);
      assert(error.cause instanceof cause, String(error.cause));
      assert(error.message.includes((error.cause as Error).message), error.message);
      // The object did land: what the message says may be so.
      assertEquals((await proxied.direct.head("dst.bin"))?.size, 10);
    });
  }
}
