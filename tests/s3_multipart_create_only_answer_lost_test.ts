/**
 * A create-only multipart upload or copy (`If-None-Match: *` on
 * CompleteMultipartUpload) whose completion landed but whose answer was
 * lost (a reset, a timeout): the SDK sends the completion again, and S3
 * answers the repeat 412, the key now holding the object the first one
 * made. A single PUT tells that 412 from another writer's object (see
 * s3_put_create_only_kms_answer_lost_test.ts), and a repeat answered 404
 * NoSuchUpload was told too (s3_complete_upload_answer_lost_test.ts), but a
 * multipart one failed as "the key already exists": `vc add` of a large
 * file over a flaky link reported a conflict with its own upload. The
 * object is ours when its ETag is the one our parts make; another writer's
 * object still fails as taken.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";
import { PreconditionFailedError } from "../src/errors.ts";
import { isCompletion, TINY_MULTIPART } from "./s3_tiny_multipart.ts";

const PRECONDITION = new Response(
  errorXml("PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
  { status: 412, headers: { "content-type": "application/xml" } },
);

const STORE = TINY_MULTIPART;

/**
 * Completions: the first forwarded (or, with `before`, that run instead),
 * its answer lost; the repeat answered 412.
 */
function lostCompletion(before?: () => Promise<void>) {
  const seen = { completions: 0 };
  const handler = async (req: Request, forward: () => Promise<Response>) => {
    if (!isCompletion(req)) return await forward();
    seen.completions++;
    if (seen.completions === 1) {
      if (before === undefined) await (await forward()).body?.cancel();
      else {
        await req.body?.cancel();
        await before();
      }
      return new Response(errorXml("InternalError", "answer lost"), { status: 500 });
    }
    await req.body?.cancel();
    return PRECONDITION.clone();
  };
  return { seen, handler };
}

Deno.test("create-only multipart put: a completion retried into 412 after its lost answer is our own", async () => {
  const { seen, handler } = lostCompletion();
  await using proxied = await startS3Proxy(handler, { fake: { minPartSize: 1 }, store: STORE });
  const body = new Uint8Array(10).fill(3);
  const { etag } = await proxied.store.put("m.bin", body, { ifNoneMatch: "*" });
  assertEquals(seen.completions, 2);
  assertEquals((await proxied.direct.head("m.bin"))?.etag, etag);
});

Deno.test("create-only multipart copy: a completion retried into 412 after its lost answer is the copy's own", async () => {
  const { seen, handler } = lostCompletion();
  await using proxied = await startS3Proxy(handler, { fake: { minPartSize: 1 }, store: STORE });
  await proxied.direct.put("src.bin", new Uint8Array(10).fill(4));
  const { etag } = await proxied.store.copy("src.bin", "dst.bin", { ifNoneMatch: "*" });
  assertEquals(seen.completions, 2);
  assertEquals((await proxied.direct.head("dst.bin"))?.etag, etag);
});

Deno.test("create-only multipart put: another writer's object before the retried completion is still taken", async () => {
  const theirs = new Uint8Array(10).fill(9);
  const other: { direct?: { put(key: string, body: Uint8Array): Promise<unknown> } } = {};
  const { handler } = lostCompletion(async () => {
    await other.direct!.put("m.bin", theirs);
  });
  await using proxied = await startS3Proxy(handler, { fake: { minPartSize: 1 }, store: STORE });
  other.direct = proxied.direct;
  await assertRejects(
    () => proxied.store.put("m.bin", new Uint8Array(10).fill(3), { ifNoneMatch: "*" }),
    PreconditionFailedError,
  );
  assertEquals(await new Response((await proxied.direct.get("m.bin")).body).bytes(), theirs);
});
