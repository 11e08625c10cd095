/**
 * A store that redirects (vc follows no redirect: a signed request must not
 * go elsewhere) is reported with where it pointed, but a presigned URL there
 * (`X-Amz-Signature`, `X-Amz-Credential`, a token in the query) is a secret:
 * the message showed the Location header whole, so `vc cache get`, its
 * `--json` error document and any log printed a working presigned URL.
 */
import { StoreError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";

const SIG = "f00dfacef00dfacef00dface";
const CRED = "AKIAOTHERHOST%2F20260101";

Deno.test("s3 store: a redirect's Location is named with its query values hidden", async () => {
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    hits++;
    const path = new URL(req.url).pathname;
    return new Response(null, {
      status: 307,
      headers: {
        location:
          `http://other.example${path}?X-Amz-Credential=${CRED}&X-Amz-Signature=${SIG}&X-Amz-Security-Token=tok${SIG}`,
      },
    });
  });
  await using store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  try {
    for (
      const op of [
        () => store.get("k.txt"),
        async () => {
          for await (const _ of store.list("p/")) { /* drain */ }
        },
      ]
    ) {
      const error = await assertRejects(
        op,
        StoreError,
        "redirected (307) to http://other.example/b/",
      );
      assertStringIncludes(error.message, "X-Amz-Signature=***");
      assert(!error.message.includes(SIG), error.message);
      assert(!error.message.includes(CRED), error.message);
    }
    assert(hits >= 2);
  } finally {
    await server.shutdown();
  }
});
