/**
 * `S3Store.pendingUploads` (ListMultipartUploads, which every full
 * `vc mirror` pass to a store and every publish makes) against an endpoint
 * that answers as S3 never does: markers that cycle or keep coming on empty
 * pages (it paged forever, thousands of requests a second), and a body far
 * larger than any S3 answer (through the AWS SDK, read whole: 10 GB of
 * memory). The SDK's other answers read whole (DeleteObjects, ...) are
 * capped too.
 */
import { StoreError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { MAX_SDK_BODY_BYTES } from "../src/store/sdk_body_cap.ts";
import { MAX_EMPTY_PAGES_IN_A_ROW } from "../src/store/s3_list.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>`;

function upload(key: string): string {
  return `<Upload><Key>${key}</Key><UploadId>u-${key}</UploadId>` +
    `<Initiated>2020-01-01T00:00:00.000Z</Initiated></Upload>`;
}

async function withServer(
  handler: (url: URL) => Response,
  fn: (store: S3Store) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => handler(new URL(req.url)),
  );
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  try {
    await fn(store);
  } finally {
    await store.close();
    await server.shutdown();
  }
}

async function drain(store: S3Store): Promise<number> {
  let n = 0;
  for await (const _ of store.pendingUploads("")) n++;
  return n;
}

Deno.test("pendingUploads: markers that cycle end the listing with an error", async () => {
  let calls = 0;
  await withServer((url) => {
    calls++;
    const next = url.searchParams.get("key-marker") === "a" ? "b" : "a";
    return new Response(
      `${HEAD}<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>true</IsTruncated>` +
        `<NextKeyMarker>${next}</NextKeyMarker><NextUploadIdMarker>x</NextUploadIdMarker>` +
        `${upload(next)}</ListMultipartUploadsResult>`,
      { headers: { "content-type": "application/xml" } },
    );
  }, async (store) => {
    await assertRejects(() => drain(store), StoreError, "the listing would never end");
  });
  assertEquals(calls, 3);
});

Deno.test("pendingUploads: fresh markers on empty pages forever end after a bounded number", async () => {
  let calls = 0;
  await withServer(() => {
    calls++;
    return new Response(
      `${HEAD}<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>true</IsTruncated>` +
        `<NextKeyMarker>k${calls}</NextKeyMarker><NextUploadIdMarker>x</NextUploadIdMarker>` +
        `</ListMultipartUploadsResult>`,
      { headers: { "content-type": "application/xml" } },
    );
  }, async (store) => {
    await assertRejects(() => drain(store), StoreError, "empty pages of uploads in a row");
  });
  assertEquals(calls, MAX_EMPTY_PAGES_IN_A_ROW);
});

/** A body of `open` then 64 KiB blocks of `item(i)` until past `limit` bytes, then `close`. */
function hugeBody(open: string, item: (i: number) => string, close: string, limit: number) {
  const encoder = new TextEncoder();
  let sent = 0;
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= limit) {
        controller.enqueue(encoder.encode(close));
        return controller.close();
      }
      let text = i === 0 ? open : "";
      while (text.length < 64 * 1024) text += item(i++);
      const bytes = encoder.encode(text);
      sent += bytes.length;
      controller.enqueue(bytes);
    },
  });
}

Deno.test("pendingUploads: an uploads page over the listing cap is refused, not read whole", async () => {
  await withServer(() =>
    new Response(
      hugeBody(
        `${HEAD}<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>false</IsTruncated>`,
        (i) => upload(`k${String(i).padStart(12, "0")}`),
        "</ListMultipartUploadsResult>",
        MAX_SDK_BODY_BYTES + 4 * 1024 * 1024,
      ),
      { headers: { "content-type": "application/xml" } },
    ), async (store) => {
    await assertRejects(() => drain(store), StoreError, "larger than 32 MiB");
  });
});

Deno.test("SDK answers read whole (DeleteObjects) are refused over the body cap, not parsed", async () => {
  await withServer((url) =>
    url.searchParams.has("delete")
      ? new Response(
        hugeBody(
          `${HEAD}<DeleteResult>`,
          (i) => `<Deleted><Key>k${String(i).padStart(12, "0")}</Key></Deleted>`,
          "</DeleteResult>",
          MAX_SDK_BODY_BYTES + 4 * 1024 * 1024,
        ),
        { headers: { "content-type": "application/xml" } },
      )
      : new Response(null, { status: 204 }), async (store) => {
    await assertRejects(() => store.delete(["a", "b"]), StoreError, "more than S3 ever sends");
  });
});
