/**
 * A listing refused for how a server answered (a token it gave before, a key
 * twice, uploads truncated with no place to go on from) said `LIST
 * s3://b/p/: the server …` without saying which server: with a profile's
 * `endpoint_url`, a proxy or two S3-compatible stores in play, the user
 * could not tell whose answer it was. The error names the endpoint too.
 */
import { StoreError } from "../src/errors.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

async function withServer(
  answer: (url: URL) => string,
  fn: (store: ReturnType<typeof testS3Store>, endpoint: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new Response(answer(new URL(req.url)), { headers: { "content-type": "application/xml" } }),
  );
  const endpoint = `http://127.0.0.1:${server.addr.port}`;
  try {
    await using store = testS3Store({ url: endpoint }, "b", { maxAttempts: 1 });
    await fn(store, endpoint);
  } finally {
    await server.shutdown();
  }
}

Deno.test("s3 list: a listing refused for the server's paging names the endpoint and the prefix", async () => {
  await withServer(
    (url) =>
      `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>T</NextContinuationToken>` +
      `<Contents><Key>p/a${
        url.searchParams.get("continuation-token") ?? ""
      }</Key><Size>1</Size><ETag>"x"</ETag></Contents></ListBucketResult>`,
    async (store, endpoint) => {
      const error = await assertRejects(
        async () => {
          for await (const _ of store.list("p/")) { /* drain */ }
        },
        StoreError,
        "gave before",
      );
      assertStringIncludes(error.message, `LIST s3://b/p/ at ${endpoint}:`);
    },
  );
});

Deno.test("s3 list: an uploads listing with no place to go on from names the endpoint and the prefix", async () => {
  await withServer(
    () =>
      "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>",
    async (store, endpoint) => {
      const error = await assertRejects(
        async () => {
          for await (const _ of store.pendingUploads("p/")) { /* drain */ }
        },
        StoreError,
        "never end",
      );
      assertStringIncludes(error.message, `LIST s3://b/p/ at ${endpoint}:`);
    },
  );
});
