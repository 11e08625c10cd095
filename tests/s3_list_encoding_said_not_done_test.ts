/**
 * A server that answers `<EncodingType>url</EncodingType>` but lists its keys
 * as they are (echoing the parameter it was given without encoding): vc
 * URL-decoded them anyway, so `p/a+b` was listed as `p/a b` and `p/e%41` as
 * `p/eA`, keys that do not exist (a mirror down with --delete takes the
 * local `a+b` for a file the store no longer has). A key that no URL
 * encoding leaves as is (a space, a control character, anything not ASCII)
 * shows the server did not encode: the page is read as it stands, and so is
 * every later page of that store. When keys were already decoded (and may
 * be wrong), the listing fails instead, naming the endpoint. (Keys of
 * letters, digits and `+%` alone cannot tell the two apart.)
 */
import { StoreError } from "../src/errors.ts";
import type { ObjectInfo } from "../src/store/types.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

/** A server listing `pages` (raw keys, said to be URL-encoded), one a request, by token. */
function server(pages: string[][]) {
  const s = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const token = new URL(req.url).searchParams.get("continuation-token");
    const i = token === null ? 0 : Number(token);
    const more = i + 1 < pages.length;
    const escape = (k: string) => k.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    return new Response(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>b</Name>` +
        `<EncodingType>url</EncodingType><IsTruncated>${more}</IsTruncated>${
          more ? `<NextContinuationToken>${i + 1}</NextContinuationToken>` : ""
        }${
          pages[i]!.map((k) =>
            `<Contents><Key>${escape(k)}</Key><LastModified>2026-01-02T03:04:05.000Z` +
            `</LastModified><ETag>"0123"</ETag><Size>1</Size></Contents>`
          ).join("")
        }</ListBucketResult>`,
      { headers: { "content-type": "application/xml" } },
    );
  });
  return { s, endpoint: `http://127.0.0.1:${s.addr.port}` };
}

async function collect(it: AsyncIterable<ObjectInfo>): Promise<string[]> {
  const out: string[] = [];
  for await (const o of it) out.push(o.key);
  return out;
}

Deno.test("s3 list: keys said to be URL-encoded but listed as they are are not decoded", async () => {
  const { s, endpoint } = server([["p/a+b", "p/c d", "p/e%41"], ["p/f+g", "p/\u00fc"]]);
  try {
    await using store = testS3Store({ url: endpoint }, "b", { maxAttempts: 1 });
    const keys = ["p/a+b", "p/c d", "p/e%41", "p/f+g", "p/\u00fc"];
    assertEquals(await collect(store.list("p/")), keys);
    // Later listings of the store read its keys as they are from the first page on.
    assertEquals(await collect(store.list("p/", { startAfter: "p/e%41" })), keys.slice(3));
  } finally {
    await s.shutdown();
  }
});

Deno.test("s3 list: found out after keys were URL-decoded, the listing fails naming the endpoint", async () => {
  const { s, endpoint } = server([["p/a+b", "p/e%41"], ["p/\u00fc"]]);
  try {
    await using store = testS3Store({ url: endpoint }, "b", { maxAttempts: 1 });
    const error = await assertRejects(() => collect(store.list("p/")), StoreError, "EncodingType");
    assertStringIncludes(error.message, `LIST s3://b/p/ at ${endpoint}:`);
    assertStringIncludes(error.message, '"p/\u00fc"');
  } finally {
    await s.shutdown();
  }
});

Deno.test("s3 list: keys URL-encoded as S3 encodes them are decoded as before", async () => {
  const { s, endpoint } = server([["p/%01x", "p/a+b"], ["p/e%2B%C3%BC"]]);
  try {
    await using store = testS3Store({ url: endpoint }, "b", { maxAttempts: 1 });
    assertEquals(await collect(store.list("p/")), ["p/\u0001x", "p/a b", "p/e+\u00fc"]);
  } finally {
    await s.shutdown();
  }
});
