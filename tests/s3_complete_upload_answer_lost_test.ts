// A CompleteMultipartUpload whose answer was lost after it completed (a
// reset, a timeout) is sent again by the SDK; MinIO (and S3 once it forgets
// the upload) answers the repeat 404 NoSuchUpload. vc reported the upload as
// failed ("the multipart upload no longer exists") while the object was
// stored, whole. The object is now checked: its ETag is the one the parts
// make, so the upload succeeded. An upload that is really gone still fails.
import { assert, assertEquals } from "./assert.ts";
import { errorXml, type ProxyHandler, startS3Proxy } from "./s3_proxy.ts";
import { NotFoundError } from "../src/errors.ts";

const NO_SUCH_UPLOAD = new Response(
  errorXml("NoSuchUpload", "The specified upload does not exist."),
  { status: 404, headers: { "content-type": "application/xml" } },
);

/** Completions: the first `forwardFirst` or not, its answer lost; the repeat NoSuchUpload. */
function lostCompletion(forwardFirst: boolean): ProxyHandler & { completions: number } {
  const handler = Object.assign(async (req: Request, forward: () => Promise<Response>) => {
    const completion = req.method === "POST" && new URL(req.url).searchParams.has("uploadId");
    if (!completion) return await forward();
    handler.completions++;
    if (handler.completions === 1 && forwardFirst) {
      await (await forward()).body?.cancel();
      // What a lost answer comes to: the SDK sees a failure worth retrying.
      return new Response(errorXml("InternalError", "answer lost"), { status: 500 });
    }
    await req.body?.cancel();
    return NO_SUCH_UPLOAD.clone();
  }, { completions: 0 });
  return handler;
}

const STORE = { multipartThreshold: 4, partSize: 4, multipartCopyThreshold: 4, copyPartSize: 4 };

Deno.test("S3Store.put: a completion answered NoSuchUpload after its lost first answer stored the object", async () => {
  const handler = lostCompletion(true);
  await using proxied = await startS3Proxy(handler, { fake: { minPartSize: 1 }, store: STORE });
  const { etag } = await proxied.store.put("m.bin", new Uint8Array(10).fill(3));
  assertEquals(handler.completions, 2);
  assertEquals((await proxied.direct.head("m.bin"))?.etag, etag);
});

Deno.test("S3Store.copy: a part-copy completion answered NoSuchUpload after its lost first answer copied", async () => {
  const handler = lostCompletion(true);
  await using proxied = await startS3Proxy(handler, { fake: { minPartSize: 1 }, store: STORE });
  await proxied.direct.put("src.bin", new Uint8Array(10).fill(4));
  const { etag } = await proxied.store.copy("src.bin", "dst.bin");
  assertEquals(handler.completions, 2);
  assertEquals((await proxied.direct.head("dst.bin"))?.etag, etag);
});

Deno.test("S3Store.put: NoSuchUpload for an upload that never completed still fails", async () => {
  const handler = lostCompletion(false);
  await using proxied = await startS3Proxy(handler, { fake: { minPartSize: 1 }, store: STORE });
  const error = await proxied.store.put("m.bin", new Uint8Array(10).fill(3)).then(
    () => new Error("stored"),
    (e: Error) => e,
  );
  assert(error instanceof NotFoundError, error.message);
  assertEquals(await proxied.direct.head("m.bin"), undefined);
});
