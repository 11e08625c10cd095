/**
 * An object stored with a customer-provided key (SSE-C, `aws s3 cp --sse-c`)
 * cannot be read without that key: S3 answers a GET 400 InvalidRequest ("The
 * correct parameters must be provided to retrieve the object"). vc has no
 * setting for such a key, yet its error passed S3's words on alone, leaving
 * a user of `cache()` / `vc cache get` looking for the parameters to give
 * vc. It now says the object is SSE-C and that vc sends no key, and how to
 * read it instead.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError } from "../src/errors.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startS3Proxy } from "./s3_proxy.ts";

const SSE_C_REFUSAL = "The object was stored using a form of Server Side Encryption. The correct " +
  "parameters must be provided to retrieve the object.";

function refuseAsSseC(req: Request): Response {
  // A HEAD has no body: S3 answers it a bare 400.
  if (req.method === "HEAD") return new Response(null, { status: 400 });
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code><Message>` +
      `${SSE_C_REFUSAL}</Message><RequestId>R1</RequestId></Error>`,
    { status: 400, headers: { "content-type": "application/xml" } },
  );
}

Deno.test("SSE-C object: a GET says it is encrypted with a customer key vc does not send", async () => {
  await using p = await startS3Proxy(refuseAsSseC);
  const e = await assertRejects(() => p.store.get("sealed.bin"), StoreError);
  assertStringIncludes(e.message, SSE_C_REFUSAL);
  assertStringIncludes(e.message, "customer-provided key (SSE-C)");
  assertStringIncludes(e.message, "aws s3 cp --sse-c AES256 --sse-c-key");
  assertEquals(e.status, 400);
  const head = await assertRejects(() => p.store.head("sealed.bin"), StoreError);
  assertStringIncludes(head.message, "customer-provided key (SSE-C)");
});

Deno.test("SSE-C object: cache() fails with the same words", async () => {
  await using p = await startS3Proxy(refuseAsSseC);
  const dir = await Deno.makeTempDir({ prefix: "vc-sse-c-" });
  try {
    await using cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      openStore: () => Promise.resolve(p.store),
      warn: () => {},
    });
    const e = await assertRejects(() => cache.cache("s3://b/sealed.bin"), StoreError);
    assertStringIncludes(e.message, "customer-provided key (SSE-C)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SSE-C: another 400 InvalidRequest is not said to be an SSE-C object", async () => {
  await using p = await startS3Proxy(() =>
    new Response(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code><Message>` +
        `Something else</Message><RequestId>R1</RequestId></Error>`,
      { status: 400, headers: { "content-type": "application/xml" } },
    )
  );
  const e = await assertRejects(() => p.store.get("x.bin"), StoreError);
  assertEquals(e.message.includes("SSE-C"), false, e.message);
});
