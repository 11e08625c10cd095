/**
 * A create-only PUT whose first answer was lost gets 412 on its retry; under
 * SSE-KMS vc tells its own write by reading the object back. That read went
 * to the end of whatever the GET answered: a server (or a proxy before it)
 * whose GET of a 19-byte object streams on and on had vc read it all into
 * memory. The read back now takes no more than the bytes sent: a GET of
 * another length is another object (the key is taken), and nothing more is
 * read of it.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { PreconditionFailedError } from "../src/errors.ts";
import { startS3Proxy } from "./s3_proxy.ts";

const utf8 = new TextEncoder();
const CHUNK = new Uint8Array(64 * 1024);
/** Where the endless body stops, so a vc that reads it all fails rather than hangs. */
const GIVE_UP = 64 * 1024 * 1024;

Deno.test("create-only PUT under SSE-KMS: a read back answered with endless bytes reads few of them", async () => {
  let sent = 0;
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (req.method === "PUT") {
      return await forward(undefined, { "x-amz-server-side-encryption": "aws:kms" });
    }
    if (req.method !== "GET" || new URL(req.url).search !== "") return await forward();
    await (await forward()).body?.cancel();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= GIVE_UP) return controller.close();
        sent += CHUNK.length;
        controller.enqueue(CHUNK);
      },
    }, { highWaterMark: 0 });
    return new Response(body, {
      headers: { "content-length": String(1024 ** 4), "x-amz-server-side-encryption": "aws:kms" },
    });
  }, { store: { maxAttempts: 3 } });
  const body = utf8.encode("ours, 19 bytes long");
  proxied.fake.failNext(1, "lostResponse", (r) => r.op === "PutObject");
  await assertRejects(
    () => proxied.store.put("k.txt", body, { ifNoneMatch: "*" }),
    PreconditionFailedError,
  );
  assert(sent < 4 * 1024 * 1024, `read ${sent} bytes back for a 19-byte body`);
  assertEquals(await proxied.fake.getObject("b", "k.txt"), body);
});
