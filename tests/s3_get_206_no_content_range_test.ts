// A ranged GET answered 206 without a Content-Range total (a broken proxy or
// S3-compatible server) was reported as "has no Content-Length ... is a
// proxy re-chunking responses?", though the answer had a Content-Length: the
// message now names what is missing.
import { IntegrityError } from "../src/errors.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

Deno.test("s3 get: a 206 without a Content-Range total is named as such", async () => {
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    return new Response("0123", { status: 206, headers: { etag: '"abc"' } });
  });
  await using store = testS3Store({ url: `http://127.0.0.1:${server.addr.port}` }, "b", {
    maxAttempts: 1,
  });
  const error = await assertRejects(
    () => store.get("k.bin", { range: { start: 0, end: 3 } }),
    IntegrityError,
  );
  assertStringIncludes(error.message, "Content-Range");
  assertStringIncludes(error.message, "s3://b/k.bin");
});
