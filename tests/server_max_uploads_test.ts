/**
 * `vc serve` holds each upload's parts in memory while it streams them to
 * the store, so uploads at once grew the service's memory without bound
 * (32 parallel 20 MB uploads peaked at 443 MiB). At most `maxUploads` now
 * stream at once; later ones wait for a slot with their bodies unread, and
 * all complete.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { createHandler } from "../src/server/handler.ts";
import { InvalidInputError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("serve: uploads past maxUploads wait for a slot, then complete", async () => {
  await using t = await startService({ maxUploads: 1 });
  const token = t.tokens.alice;
  const first = (await newCacheId(t.url, token, { n: 1 })).doc.cache_id as string;
  const second = (await newCacheId(t.url, token, { n: 2 })).doc.cache_id as string;
  // The first upload sends its head and half its file, then stalls.
  const boundary = "vcboundary";
  const encoder = new TextEncoder();
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
  push.enqueue(encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\nfirst-half-`,
  ));
  const stalled = fetch(`${t.url}/v1/cache/${first}`, {
    method: "POST",
    headers: { authorization: token, "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
  });
  // Let the first upload take the only slot.
  await new Promise((r) => setTimeout(r, 200));
  let secondDone = false;
  const waiting = upload(t.url, token, second, "second").then((r) => {
    secondDone = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 500));
  assertEquals(secondDone, false, "the second upload streamed while the first held the only slot");
  push.enqueue(encoder.encode(`second-half\r\n--${boundary}--\r\n`));
  push.close();
  const a = await stalled;
  assertEquals(a.status, 200, await a.text());
  assertEquals((await waiting).status, 200);
  for (const [id, text] of [[first, "first-half-second-half"], [second, "second"]]) {
    const r = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: token } });
    assertEquals(await r.text(), text);
  }
});

Deno.test("serve: maxUploads must be a positive integer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_max_uploads_" });
  try {
    const store = new FsStore(dir);
    for (const bad of [0, 1.5, -1, Number.NaN]) {
      const e = assertThrows(
        () =>
          createHandler({ store, auth: { authenticate: () => Promise.reject() }, maxUploads: bad }),
        InvalidInputError,
      );
      assertStringIncludes(e.message, "maxUploads must be a positive integer");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
