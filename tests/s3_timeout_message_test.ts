/**
 * The request timeout of a PUT includes the time to send its body (the
 * timeout plus its size at 64 KiB/s), a fraction of a millisecond: the
 * message said `timed out after 2.00006103515625 s` for `--request-timeout 2`
 * and a 4-byte body. It says the wait to a tenth of a second.
 */
import { s3TimeoutError } from "../src/store/s3_errors.ts";
import { assertMatch } from "./assert.ts";

const CTX = {
  operation: "PUT",
  uri: "s3://b/k/x.1.0.1.txt",
  bucket: "b",
  endpoint: "http://127.0.0.1:9",
  region: "us-east-1",
  credentialSource: "options",
};

Deno.test("a timeout with a body's send time is said to a tenth of a second", () => {
  const small = s3TimeoutError(CTX, 2000 + (4 / (64 * 1024)) * 1000);
  assertMatch(small.message, /timed out after 2 s waiting for a response/);
  const large = s3TimeoutError(CTX, 2000 + (100_000 / (64 * 1024)) * 1000);
  assertMatch(large.message, /timed out after 3\.5 s waiting/);
  assertMatch(s3TimeoutError(CTX, 60_000, "body").message, /timed out after 60 s waiting for more/);
});
