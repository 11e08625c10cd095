/**
 * A request body sent with a `Content-Encoding` (e.g. `curl -H
 * 'Content-Encoding: gzip' --data-binary @body.gz`) is not decoded by
 * Deno.serve: it was read as it came, so a gzipped JSON body was refused as
 * "not UTF-8", a gzipped upload as a multipart body "missing boundary
 * delimiter", and an uncompressed upload labelled gzip was stored. Both
 * endpoints now refuse a coded body with 415 (`Accept-Encoding: identity`,
 * RFC 9110 §15.5.16) naming the coding, and store nothing.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { keys, newCacheId, startService, upload } from "./server_helpers.ts";
import { gzip } from "./gzip.ts";

const enc = new TextEncoder();

Deno.test("serve: a cache_id body with a Content-Encoding is 415, identity is read", async () => {
  await using t = await startService();
  const json = enc.encode('{"a": 1}');
  const post = async (coding: string, body: Uint8Array) => {
    const res = await fetch(`${t.url}/v1/cache_id`, {
      method: "POST",
      headers: {
        authorization: t.tokens.alice,
        "content-type": "application/json",
        "content-encoding": coding,
      },
      body: body as Uint8Array<ArrayBuffer>,
    });
    return { res, doc: await res.json() };
  };
  const { res, doc } = await post("gzip", await gzip(json));
  assertEquals(res.status, 415);
  assertEquals(res.headers.get("accept-encoding"), "identity");
  assertEquals(doc.status, "error");
  assertStringIncludes(doc.error, "Content-Encoding gzip");
  const plain = await post("identity", json);
  assertEquals(plain.res.status, 200);
  assertEquals(
    plain.doc.cache_id,
    (await newCacheId(t.url, t.tokens.alice, { a: 1 })).doc.cache_id,
  );
});

Deno.test("serve: an upload with a Content-Encoding is 415 and stores nothing", async () => {
  await using t = await startService();
  const { doc } = await newCacheId(t.url, t.tokens.alice, { job: 1 });
  const id = doc.cache_id as string;
  assertEquals((await upload(t.url, t.tokens.alice, id, "before")).status, 200);
  const before = await keys(t.store);
  const multipart = enc.encode(
    '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="g.txt"\r\n\r\n' +
      "after\r\n--XyZ--\r\n",
  );
  for (const [coding, body] of [["gzip", await gzip(multipart)], ["GZIP", multipart]] as const) {
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      method: "POST",
      headers: {
        authorization: t.tokens.alice,
        "content-type": "multipart/form-data; boundary=XyZ",
        "content-encoding": coding,
      },
      body: body as Uint8Array<ArrayBuffer>,
    });
    const answer = await res.json();
    assertEquals(res.status, 415, coding);
    assertStringIncludes(answer.error, `Content-Encoding ${coding}`);
  }
  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(await res.text(), "before");
  assertEquals(await keys(t.store), before);
});
