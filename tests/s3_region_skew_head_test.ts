// Answers without an error body: a HEAD in the wrong region (S3: a bare 400
// or 301 with x-amz-bucket-region), a HEAD refused for clock skew (a bare
// 403 whose Date is far off), and an SDK call whose 301 names the region only
// in the header. Each must say what to fix, or fix it (the clock).
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { AccessDeniedError, StoreError } from "../src/errors.ts";
import { S3Store, type S3StoreOptions } from "../src/store/s3.ts";

async function withServer(
  handler: (req: Request) => Response,
  fn: (store: S3Store, seen: string[]) => Promise<void>,
  options: Partial<S3StoreOptions> = {},
): Promise<void> {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push(`${req.method} ${new URL(req.url).search || new URL(req.url).pathname}`);
    await req.body?.cancel();
    return handler(req);
  });
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 2,
    ...options,
  });
  try {
    await fn(store, seen);
  } finally {
    await store.close();
    await server.shutdown();
  }
}

const wrongRegion = { "x-amz-bucket-region": "ap-south-1" };

Deno.test("S3Store.head: a bare 400 with x-amz-bucket-region names the region to use", async () => {
  await withServer(
    () => new Response(null, { status: 400, headers: wrongRegion }),
    async (store) => {
      const error = await assertRejects(() => store.head("k"), StoreError);
      assert(/region ap-south-1, not us-east-1/.test(error.message), error.message);
      assert(/AWS_REGION=ap-south-1/.test(error.message), error.message);
    },
  );
});

Deno.test("S3Store: a 301 naming the region only in its header says so on the SDK path too", async () => {
  await withServer(
    () =>
      new Response(
        "<Error><Code>PermanentRedirect</Code><Message>use the endpoint</Message></Error>",
        { status: 301, headers: { ...wrongRegion, "content-type": "application/xml" } },
      ),
    async (store) => {
      const error = await assertRejects(
        () => store.put("big", new Uint8Array(64 * 1024)),
        StoreError,
      );
      assert(/CreateMultipartUpload/.test(error.message), error.message);
      assert(/AWS_REGION=ap-south-1/.test(error.message), error.message);
    },
    { multipartThreshold: 16 * 1024, partSize: 16 * 1024 },
  );
});

Deno.test("S3Store.head: a bare 403 with a Date far off is clock skew: corrected from the server's Date and retried", async () => {
  const serverNow = Date.now() + 2 * 3600_000;
  await withServer((req) => {
    const date = new Date(serverNow).toUTCString();
    // The request's signing time: accepted only once it follows the server's clock.
    const signed = req.headers.get("x-amz-date") ?? "";
    const at = Date.parse(
      signed.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"),
    );
    if (Math.abs(at - serverNow) > 15 * 60_000) {
      return new Response(null, { status: 403, headers: { date } });
    }
    return new Response(null, {
      status: 200,
      headers: { date, etag: '"5d41402abc4b2a76b9719d911017c592"', "content-length": "5" },
    });
  }, async (store, seen) => {
    const info = await store.head("k");
    assertEquals(info?.size, 5);
    assertEquals(seen.length, 2);
  });
});

Deno.test("S3Store.head: a bare 403 from a server whose clock agrees stays access denied, not retried", async () => {
  await withServer(
    () => new Response(null, { status: 403, headers: { date: new Date().toUTCString() } }),
    async (store, seen) => {
      const error = await assertRejects(() => store.head("k"), AccessDeniedError);
      assert(/access denied/.test(error.message), error.message);
      assertEquals(seen.length, 1);
    },
  );
});
