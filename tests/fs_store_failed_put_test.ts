/**
 * A put to an FsStore that fails (a body that errors, an abort, an upload
 * `vc serve` refuses mid-body) leaves no directory it created behind, as a
 * delete leaves none; directories that were there before, and those another
 * writer is writing into at that moment, stay.
 */
import { join } from "node:path";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

/** A body that sends `before` bytes, then fails. */
function failingBody(before: number): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    async pull(controller) {
      if (sent) {
        // A turn of the event loop first, so concurrent writers interleave.
        await new Promise((r) => setTimeout(r, 0));
        controller.error(new Error("the body broke"));
        return;
      }
      sent = true;
      controller.enqueue(new Uint8Array(before).fill(1));
    },
  });
}

/** Names in `dir`, sorted; undefined when it does not exist. */
async function names(dir: string): Promise<string[] | undefined> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

Deno.test("FsStore: a failed or aborted put removes the directories it created, and only those", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_fs_failed_put_" });
  try {
    const store = new FsStore(dir);
    await assertRejects(() => store.put("a/b/c/k", failingBody(10)), Error, "the body broke");
    assertEquals(await names(dir), [], "a/b/c/ removed, the root kept");
    // Aborted while the body is still arriving.
    const abort = new AbortController();
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(5));
        setTimeout(() => abort.abort(new DOMException("stop", "AbortError")), 20);
      },
    });
    await assertRejects(() => store.put("x/y/k", stalled, { signal: abort.signal }));
    assertEquals(await names(dir), []);
    // A directory that holds another key, and an empty one made by hand, stay.
    await store.put("a/other", new Uint8Array([1]));
    await Deno.mkdir(join(dir, "a", "empty"));
    await assertRejects(() => store.put("a/b/k", failingBody(10)));
    await assertRejects(() => store.put("a/empty/k", failingBody(10)));
    assertEquals(await names(join(dir, "a", "b")), undefined, "a/b/ removed");
    assert((await store.head("a/other"))?.size === 1, "a/ kept with its key");
    assertEquals(await names(join(dir, "a", "empty")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FsStore: a failed put never removes the directory another writer is writing into", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_fs_failed_put_race_" });
  try {
    const store = new FsStore(dir);
    // Pairs of writers into a new directory each: one fails, one succeeds,
    // started together so the failed one's clean-up meets the other's write.
    const ROUNDS = 150;
    await Promise.all(Array.from({ length: ROUNDS }, async (_, i) => {
      const failed = store.put(`d${i}/e/bad`, failingBody(i % 7));
      const ok = store.put(`d${i}/e/good`, ReadableStream.from([new Uint8Array(i % 5 + 1)]));
      await Promise.all([assertRejects(() => failed, Error, "the body broke"), ok]);
    }));
    for (let i = 0; i < ROUNDS; i++) {
      const info = await store.head(`d${i}/e/good`);
      assert(info?.size === i % 5 + 1, `d${i}/e/good was stored`);
      assertEquals(await store.head(`d${i}/e/bad`), undefined);
    }
    // And failed writers alone leave nothing.
    await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => assertRejects(() => store.put(`f/${i}/k`, failingBody(3))),
      ),
    );
    assertEquals(await names(join(dir, "f")), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: an upload refused mid-body (413) leaves no data directory in a file:// store", async () => {
  await using t = await startService({ maxUploadBytes: 1000 });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { run: 1 });
  const id = doc.cache_id as string;
  // Within the framing allowance, so refused only once the file passes the limit.
  const refused = await upload(t.url, t.tokens.alice, id, new Uint8Array(5000));
  assertEquals(refused.status, 413);
  assertEquals(await names(join(t.dir, "store", "data")), undefined, "no data/<id>/ left");
});
