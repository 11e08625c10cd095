// Some S3-compatible servers answer UploadPart with an ETag that is no MD5 of
// the part (Cloudflare R2 did, "ABwcsNIEIx/3TXD+37wk…"; gateways hashing
// their own part records), and derive the object's `<hex>-<parts>` ETag from
// those. vc checked that final ETag against the MD5s of the parts it sent,
// and failed every multipart upload there with an IntegrityError, after the
// object had been stored. With a part ETag that is no MD5 there is nothing to
// check the final one against: the upload succeeds, and its `vc-md5` (the
// content's MD5) is what later reads are verified with.
import assert from "node:assert/strict";
import { md5Hex } from "../src/hash.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { isCompletion, TINY_MULTIPART } from "./s3_tiny_multipart.ts";

Deno.test("S3Store.put: a server whose part ETags are no MD5s stores a multipart upload", async () => {
  // The server's own ETag of each part, and the real one the fake gave it.
  const real = new Map<string, string>();
  await using proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method === "PUT" && url.searchParams.has("partNumber")) {
      const res = await forward();
      const etag = res.headers.get("etag")!;
      const own = `"AB${btoa(etag + url.searchParams.get("partNumber")).slice(0, 30)}+/="`;
      real.set(own.slice(1, -1), etag.replaceAll('"', ""));
      const headers = new Headers(res.headers);
      headers.set("etag", own);
      return new Response(res.body, { status: res.status, headers });
    }
    if (isCompletion(req)) {
      // Its own part ETags back to the fake's, and the object's ETag its own.
      let body = await req.text();
      const mine = [...body.matchAll(/<ETag>(?:&quot;|")?([^<&"]*)(?:&quot;|")?<\/ETag>/g)]
        .map((m) => m[1]!);
      for (const own of mine) body = body.replace(own, real.get(own)!);
      const res = await forward(body);
      const text = (await res.text()).replace(
        /<ETag>[^<]*<\/ETag>/,
        `<ETag>&quot;${
          md5Hex(new TextEncoder().encode(mine.join("")))
        }-${mine.length}&quot;</ETag>`,
      );
      return new Response(text, {
        status: res.status,
        headers: { "content-type": "application/xml" },
      });
    }
    return await forward();
  }, { fake: { minPartSize: 1 }, store: TINY_MULTIPART });
  const body = new TextEncoder().encode("twelve bytes");
  const { etag } = await proxied.store.put("k", body, { md5: md5Hex(body) });
  assert.match(etag, /^[0-9a-f]{32}-3$/);
  assert.equal(real.size, 3);
  const got = await proxied.direct.get("k");
  assert.equal(await new Response(got.body).text(), "twelve bytes");
  assert.equal(got.info.metadata?.["vc-md5"], md5Hex(body));
});
