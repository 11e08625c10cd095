/**
 * An error answer whose body never ends (a hostile or broken endpoint) is
 * read only as far as an error document can go: the request fails with the
 * mapped error at once, instead of reading until memory runs out.
 */
import { NotFoundError } from "../src/errors.ts";
import { S3Fetch } from "../src/store/s3_fetch.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const enc = new TextEncoder();

for (const http1 of [false, true]) {
  Deno.test(`s3 fetch (http1: ${http1}): an error body without end is read only up to a cap`, async () => {
    const block = enc.encode(`<!--${"x".repeat(64 * 1024)}-->`);
    let sent = 0;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
      new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(enc.encode("<Error><Code>NoSuchKey</Code><Message>gone</Message>"));
          },
          pull(c) {
            sent += block.length;
            c.enqueue(block);
          },
        }),
        { status: 404, headers: { "content-type": "application/xml" } },
      ));
    const lean = new S3Fetch({
      bucket: "b",
      baseUrl: `http://127.0.0.1:${server.addr.port}/b`,
      region: "us-east-1",
      credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
      credentialSource: "test",
      http1,
      maxAttempts: 1,
    });
    try {
      await assertRejects(() => lean.send({ method: "GET", key: "k" }), NotFoundError);
      // Without the cap the whole stream (gigabytes) was read; the server may
      // run ahead of the reader by a few buffers.
      assertEquals(sent < 64 * 1024 * 1024, true, `${sent} bytes were sent`);
    } finally {
      lean.close();
      await server.shutdown();
    }
  });
}
