/**
 * A multipart object whose part sizes are none of the usual ones, on a store
 * that does not tell a part's size (it ignores `HEAD ?partNumber=N`, as some
 * S3-compatible stores do, and answers for the whole object): the bytes
 * cannot be verified. The error says so, and why, instead of claiming they do
 * not match and that the object in the store is damaged: the object is
 * intact, only uploaded in parts of other sizes.
 */
import { testS3Options } from "./versioned_helpers.ts";
import { assert, assertRejects } from "./assert.ts";
import { multipartPut } from "./fake_multipart_put.ts";
import { IntegrityError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { startForwardingProxy } from "./forwarding_proxy.ts";
import { tempCache } from "./temp_cache.ts";

const MiB = 1024 * 1024;

/** An endpoint in front of `upstream` that drops `partNumber` from HEADs, as stores without it do. */
function partNumberIgnoringProxy(upstream: string): Deno.HttpServer<Deno.NetAddr> {
  return startForwardingProxy(upstream, (req, url) => {
    if (req.method === "HEAD") url.searchParams.delete("partNumber");
    return undefined;
  });
}

Deno.test("a multipart ETag whose part sizes the store will not tell is reported as unverifiable, not as damage", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  const parts = [5 * MiB, 7 * MiB, 3 * MiB].map((n, i) => new Uint8Array(n).fill(i + 1));
  const etag = await multipartPut(s3, "b", "uneven.bin", parts);
  assert(etag.endsWith("-3"), etag);
  await using proxy = partNumberIgnoringProxy(s3.url);
  await using temp = await tempCache("vc-untold-parts-", {
    store: testS3Options({ url: `http://127.0.0.1:${proxy.addr.port}` }),
  });
  const { cache } = temp;
  const e = await assertRejects(() => cache.cache("s3://b/uneven.bin"), IntegrityError);
  const message = (e as Error).message;
  assert(message.includes("cannot verify its content"), message);
  assert(message.includes(etag), message);
  assert(message.includes("ignores HEAD ?partNumber=N"), message);
  assert(!message.includes("does not match"), message);
  assert(!message.includes("is damaged"), message);
  assert(message.includes("nothing was cached"), message);
});
