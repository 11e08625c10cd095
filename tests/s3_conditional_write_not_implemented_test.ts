// A store without conditional writes (S3 itself before 2024, older
// S3-compatible servers) answers a PUT with If-None-Match or If-Match 501
// NotImplemented, "A header you provided implies functionality that is not
// implemented". vc said only that ("PUT s3://b/k failed: 501 NotImplemented:
// …"), leaving the user to guess which header, and why vc sent one (`vc add`
// publishes create-only). The error now says the store does not support the
// conditional write and names the condition; it stays a StoreError with
// status 501, and is not retried.
import assert from "node:assert/strict";
import { StoreError } from "../src/errors.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { isCompletion, TINY_MULTIPART } from "./s3_tiny_multipart.ts";

function notImplemented(header: string): Response {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code><Message>A header ` +
      `you provided implies functionality that is not implemented</Message><Header>${header}` +
      `</Header><RequestId>R1</RequestId></Error>`,
    { status: 501, headers: { "content-type": "application/xml" } },
  );
}

async function refusingConditions(
  fn: (proxied: Awaited<ReturnType<typeof startS3Proxy>>, seen: { refused: number }) => Promise<
    void
  >,
): Promise<void> {
  const seen = { refused: 0 };
  await using proxied = await startS3Proxy(async (req, forward) => {
    const header = req.headers.has("if-none-match")
      ? "If-None-Match"
      : req.headers.has("if-match") && req.method !== "GET" && req.method !== "HEAD"
      ? "If-Match"
      : undefined;
    if (header === undefined || (req.method === "POST" && !isCompletion(req))) {
      return await forward();
    }
    seen.refused++;
    await req.body?.cancel();
    return notImplemented(header);
  }, { fake: { minPartSize: 1 }, store: TINY_MULTIPART });
  await fn(proxied, seen);
}

async function failure(p: Promise<unknown>): Promise<StoreError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  assert(error instanceof StoreError, String(error));
  return error;
}

Deno.test("S3Store.put: a 501 to If-None-Match says the store has no conditional writes", async () => {
  await refusingConditions(async ({ store }, seen) => {
    const error = await failure(store.put("k", new Uint8Array(3), { ifNoneMatch: "*" }));
    assert.equal(error.status, 501);
    assert.match(error.message, /does not support conditional writes \(If-None-Match: \*\)/);
    assert.match(error.message, /501 NotImplemented: A header you provided/);
    assert.equal(seen.refused, 1, "a 501 is not retried");
  });
});

Deno.test("S3Store.put: a 501 to If-Match says the store has no conditional writes", async () => {
  await refusingConditions(async ({ store, direct }) => {
    const { etag } = await direct.put("k", new Uint8Array(3));
    const error = await failure(store.put("k", new Uint8Array(2), { ifMatch: etag }));
    assert.match(error.message, /does not support conditional writes \(If-Match\)/);
  });
});

Deno.test("S3Store.put: a multipart completion refused so says it too", async () => {
  await refusingConditions(async ({ store }) => {
    const error = await failure(store.put("k", new Uint8Array(9), { ifNoneMatch: "*" }));
    assert.match(error.message, /^CompleteMultipartUpload s3:\/\/b\/k /);
    assert.match(error.message, /does not support conditional writes \(If-None-Match: \*\)/);
  });
});
