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

/** A server that accepts connections and never reads from them. */
function deafServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const loop = (async () => {
    for await (const conn of listener) conns.push(conn);
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed already */ }
      }
      await loop;
    },
  };
}

Deno.test("s3: a large PUT whose store stops reading its body is given up after the request timeout, not its size at 64 KiB/s", async () => {
  await using server = deafServer();
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
