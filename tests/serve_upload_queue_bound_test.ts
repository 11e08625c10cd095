/**
 * An upload waiting for one of `maxUploads` slots waited with no bound:
 * clients holding every slot (trickling their bodies just over the floor)
 * left each later upload hanging with no answer at all. A queued upload now
 * waits at most `uploadQueueTimeoutMs`, then gets 503 with `Retry-After`
 * (its body unread, nothing stored), which `CacheClient`, curl's `--retry`
 * and `requests`' `Retry` treat as "try again later".
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { createHandler } from "../src/server/handler.ts";
import { InvalidInputError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { keys, newCacheId, startService, upload } from "./server_helpers.ts";

const enc = new TextEncoder();

/** An upload that sends its head and part of its file, then waits for `finish`. */
function heldUpload(url: string, token: string, id: string) {
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
  push.enqueue(enc.encode(
    `--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\nheld-`,
  ));
  const answer = fetch(`${url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: token, "content-type": "multipart/form-data; boundary=bnd" },
    body,
  });
  return {
    answer,
    finish() {
      push.enqueue(enc.encode(`done\r\n--bnd--\r\n`));
      push.close();
    },
  };
}

/** The service's upload gauges from `/metrics`. */
async function slots(url: string): Promise<{ active: number; queued: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
  return { active: gauge("vc_serve_uploads_active"), queued: gauge("vc_serve_uploads_queued") };
}

Deno.test("serve: an upload queued past uploadQueueTimeoutMs gets 503 with Retry-After", async () => {
  await using t = await startService({ maxUploads: 1, uploadQueueTimeoutMs: 200 });
  const A = t.tokens.alice;
  const heldId = (await newCacheId(t.url, A, { q: 1 })).doc.cache_id as string;
  const queuedId = (await newCacheId(t.url, A, { q: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, A, queuedId, "old")).status, 200);
  const before = await keys(t.store, "data/");
  const held = heldUpload(t.url, A, heldId);
  try {
    // The held upload takes the only slot once its body is being read.
    for (let i = 0; i < 500 && (await slots(t.url)).active !== 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assertEquals((await slots(t.url)).active, 1, "the held upload never took its slot");
    const form = new FormData();
    form.append("file", new Blob(["new"], { type: "text/plain" }), "b.txt");
    // Before, this answer never came: a guard so the test fails instead of hanging.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const res = await Promise.race([
      fetch(`${t.url}/v1/cache/${queuedId}`, {
        method: "POST",
        headers: { authorization: A },
        body: form,
      }),
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => reject(new Error("the queued upload got no answer")), 10_000);
      }),
    ]).finally(() => clearTimeout(guard));
    const doc = await res.json();
    assertEquals(res.status, 503, JSON.stringify(doc));
    assert(Number(res.headers.get("retry-after")) >= 1, "a Retry-After in seconds");
    assertStringIncludes(JSON.stringify(doc), "upload slot");
    assertEquals((await slots(t.url)).queued, 0, "the queued upload left the queue");
  } finally {
    held.finish();
  }
  assertEquals((await held.answer).status, 200);
  const got = await fetch(`${t.url}/v1/cache/${queuedId}`, { headers: { authorization: A } });
  assertEquals(await got.text(), "old", "the refused upload stored nothing");
  const added = (await keys(t.store, "data/")).filter((k) => !before.includes(k));
  assertEquals(added.length, 1, "only the held upload stored a file");
  // The slot is free again: the next upload goes through.
  assertEquals((await upload(t.url, A, queuedId, "new")).status, 200);
});

Deno.test("serve: uploadQueueTimeoutMs must be a number, 0 or more", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_upload_queue_" });
  try {
    const store = new FsStore(dir);
    for (const bad of [-1, Number.NaN, "5" as unknown as number]) {
      const e = assertThrows(
        () =>
          createHandler({
            store,
            auth: { authenticate: () => Promise.reject() },
            uploadQueueTimeoutMs: bad,
          }),
        InvalidInputError,
      );
      assertStringIncludes(e.message, "uploadQueueTimeoutMs");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
