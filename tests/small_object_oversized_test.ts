/**
 * vc's own small objects (a repository's marker, a cache entry's metadata,
 * an identity's usage) read from a store that answers with far more than vc
 * ever writes there: a broken or hostile S3 endpoint. The read stops at the
 * cap and fails naming the object, instead of holding the whole answer in
 * memory (a 4 GiB marker took 4 GiB of RSS) before finding it is no JSON.
 */
import { readMarker } from "../src/repo/marker.ts";
import { S3Store } from "../src/store/s3.ts";
import { MAX_SMALL_OBJECT_BYTES, readSmallObjectText } from "../src/store/small_object.ts";
import { StoreError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

// Bounded: the hostile body is 32 cap-sized blocks, never more (more than
// the socket buffers between the two ends hold, so reading it all shows).
const HOSTILE_BYTES = 32 * MAX_SMALL_OBJECT_BYTES;

/** An S3-ish server answering every GET with `{` and spaces, announced with its full length. */
function hostileServer() {
  let sent = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const headers = {
      "etag": '"6f5902ac237024bdd0c176cb93063dc4"',
      "content-length": String(HOSTILE_BYTES),
      "last-modified": "Thu, 01 Jan 2026 00:00:00 GMT",
      "content-type": "application/json",
    };
    if (req.method !== "GET") return new Response(null, { headers });
    const block = new Uint8Array(64 * 1024).fill(0x20);
    block[0] = 0x7b;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= HOSTILE_BYTES) return controller.close();
          controller.enqueue(block.slice());
          sent += block.length;
        },
      }),
      { headers },
    );
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    sent: () => sent,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("readMarker: a marker answered with megabytes fails naming it, without reading them all", async () => {
  await using server = hostileServer();
  const store = new S3Store({
    bucket: "b",
    prefix: "r",
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  try {
    const error = await assertRejects(() => readMarker(store), StoreError);
    assert(
      error.message.includes(`s3://b/r/.vc-repo.json is larger than ${MAX_SMALL_OBJECT_BYTES}`),
      error.message,
    );
    assert(server.sent() < HOSTILE_BYTES, `read ${server.sent()} bytes`);
  } finally {
    await store.close();
  }
});

Deno.test("readSmallObjectText: a body longer than its announced size stops at the cap", async () => {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // Bounded: at most 8 blocks of 1 KiB.
      if (pulled >= 8) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(1024).fill(0x20));
    },
  });
  const got = {
    info: { key: "k", size: 10, etag: "e", lastModified: new Date(0) },
    body,
  };
  await assertRejects(
    () => readSmallObjectText(got, "mem://k", 2048),
    StoreError,
    "mem://k is larger than 2048 bytes",
  );
  assert(pulled < 8, `pulled ${pulled} blocks`);
  assertEquals(
    await readSmallObjectText({ info: got.info, body: new Response("{}").body! }, "mem://k", 2048),
    "{}",
  );
});
