// S3 answers 400 RequestTimeout when it gave up waiting for a request's body
// (a stalled upload): the aws CLI and the SDK retry it, but vc's own request
// path went by the status alone, so one slow moment failed a PUT (and an
// UploadPart, a whole multipart upload). Codes that say "try again" are now
// retried whatever their status; other 400s still fail at once.
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";

const REQUEST_TIMEOUT = errorXml(
  "RequestTimeout",
  "Your socket connection to the server was not read from or written to within the timeout " +
    "period. Idle connections will be closed.",
);

function refusal(body: string): Response {
  return new Response(body, { status: 400, headers: { "content-type": "application/xml" } });
}

Deno.test("S3Store: a PUT answered 400 RequestTimeout is sent again", async () => {
  let refused = 0;
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (req.method === "PUT" && refused === 0) {
      refused++;
      await req.body?.cancel();
      return refusal(REQUEST_TIMEOUT);
    }
    return await forward();
  });
  await proxied.store.put("a.txt", new TextEncoder().encode("hello"));
  const got = await proxied.direct.get("a.txt");
  assertEquals(await new Response(got.body).text(), "hello");
  assertEquals(refused, 1);
});

Deno.test("S3Store: 400 RequestTimeout every time fails after the attempts, naming the code", async () => {
  let refused = 0;
  await using proxied = await startS3Proxy(async (req) => {
    refused++;
    await req.body?.cancel();
    return refusal(REQUEST_TIMEOUT);
  }, { store: { maxAttempts: 3 } });
  const message = await proxied.store.put("a.txt", new TextEncoder().encode("hello"))
    .then(() => "stored", (e: Error) => e.message);
  assertStringIncludes(message, "400 RequestTimeout");
  assertEquals(refused, 3);
});

Deno.test("S3Store: another 400 (InvalidArgument) is not sent again", async () => {
  let refused = 0;
  await using proxied = await startS3Proxy(async (req) => {
    refused++;
    await req.body?.cancel();
    return refusal(errorXml("InvalidArgument", "Bad header"));
  }, { store: { maxAttempts: 3 } });
  const message = await proxied.store.put("a.txt", new TextEncoder().encode("hello"))
    .then(() => "stored", (e: Error) => e.message);
  assertStringIncludes(message, "400 InvalidArgument");
  assertEquals(refused, 1);
});
