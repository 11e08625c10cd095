/**
 * A HEAD has no body, so S3 refuses one with a bare 400 for more than one
 * reason: expired temporary credentials, and an object stored with a
 * customer-provided key (SSE-C, `aws s3 cp --sse-c`) read without it. vc
 * blamed the credentials for every one, also for keys that never expire
 * (`vc verify` of an SSE-C object told a user with static keys to run
 * `aws sso login`). The GET of its first byte names the cause: its error is
 * the HEAD's.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AccessDeniedError, StoreError } from "../src/errors.ts";
import { startS3Proxy } from "./s3_proxy.ts";

const xmlError = (code: string, message: string) =>
  new Response(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>` +
      "<RequestId>R1</RequestId></Error>",
    { status: 400, headers: { "content-type": "application/xml" } },
  );

Deno.test("S3Store.head: a bare 400 for an SSE-C object says so, not that the credentials expired", async () => {
  const methods: string[] = [];
  await using p = await startS3Proxy((req) => {
    methods.push(req.method);
    return req.method === "HEAD" ? new Response(null, { status: 400 }) : xmlError(
      "InvalidRequest",
      "The object was stored using a form of Server Side Encryption. The correct parameters " +
        "must be provided to retrieve the object.",
    );
  });
  const e = await assertRejects(() => p.store.head("sse-c.bin"), StoreError);
  assertStringIncludes(e.message, "s3://b/sse-c.bin");
  assertStringIncludes(
    e.message,
    "400 InvalidRequest: The object was stored using a form of Server Side Encryption",
  );
  assertEquals(e.message.includes("renew the temporary credentials"), false, e.message);
  assertEquals(e.status, 400);
  // One HEAD (credentials fetched again do not apply: these are fixed) and one GET.
  assertEquals(methods, ["HEAD", "GET"]);
});

Deno.test("S3Store.head: a bare 400 that a GET answers with ExpiredToken is access denied, naming it", async () => {
  await using p = await startS3Proxy((req) =>
    req.method === "HEAD"
      ? new Response(null, { status: 400 })
      : xmlError("ExpiredToken", "The provided token has expired.")
  );
  const e = await assertRejects(() => p.store.head("a.bin"), AccessDeniedError);
  assertStringIncludes(e.message, "ExpiredToken");
  assert(!e.message.includes("\n    at "), e.message);
});

Deno.test("S3Store.head: a bare 400 whose GET works keeps the HEAD's own message", async () => {
  await using p = await startS3Proxy(
    (req, forward) => req.method === "HEAD" ? new Response(null, { status: 400 }) : forward(),
  );
  await p.direct.put("a.bin", new Uint8Array([1, 2, 3]));
  const e = await assertRejects(() => p.store.head("a.bin"), StoreError);
  assertStringIncludes(e.message, "HEAD s3://b/a.bin failed: 400");
});
