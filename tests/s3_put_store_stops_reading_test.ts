/**
 * A large PUT (an UploadPart of `vc serve`'s uploads, a big object) to a
 * store that stops reading its body: a stopped process (`kill -STOP` of
 * moto), a network that drops packets. Its connection stays open and takes
 * nothing more once the socket buffers are full. The attempt was given the
 * request timeout plus the body's size at 64 KiB/s (for a 16 MiB part at the
 * default 60 s: 316 s, 83 s at `--request-timeout 3s`), five times, so an
 * upload to `vc serve` whose store froze got its 503 after 26 minutes (7 at
 * 3 s). Now an attempt whose body moves no 64 KiB for the request timeout is
 * given up then, saying so; a slow link that keeps taking bytes is not.
 */
import { S3Store } from "../src/store/s3.ts";
import { OfflineError } from "../src/errors.ts";
import { assertRejects } from "./assert.ts";
import { silentServer } from "./raw_server.ts";

Deno.test("s3: a large PUT whose store stops reading its body is given up after the request timeout, not its size at 64 KiB/s", async () => {
  // Accepts and never reads: the body stalls once the socket buffers are full.
  await using server = silentServer();
  await using store = new S3Store({
    bucket: "b",
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    requestTimeoutMs: 500,
    maxAttempts: 1,
    // One PUT, as an UploadPart is: no multipart bookkeeping first.
    multipartThreshold: 64 * 1024 * 1024,
  });
  // 32 MiB: more than the socket buffers take, so the body stalls.
  await assertRejects(
    () => store.put("k", new Uint8Array(32 * 1024 * 1024)),
    OfflineError,
    "took no more of the request's body",
  );
});
