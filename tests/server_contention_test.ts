/**
 * One cache ID replaced over and over by other instances of the service
 * (parallel jobs with the same parameters all uploading their output): a
 * download or an upload that keeps losing the race is told to try again
 * (503 with Retry-After), not answered 500 as if the service had failed.
 */
import { assertEquals } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { Entries } from "../src/server/entries.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

/**
 * `inner`, where `race()` runs before each read of a data object and each
 * compare-and-swap of an entry's metadata while `racing` is on.
 */
function racingStore(inner: ObjectStore, race: () => Promise<void>) {
  const state = { racing: false };
  const store = overriding(inner, {
    get: async (...args: Parameters<ObjectStore["get"]>) => {
      if (state.racing && args[0].startsWith("data/")) await race();
      return await inner.get(...args);
    },
    put: async (...args: Parameters<ObjectStore["put"]>) => {
      const [k, , opts] = args;
      if (state.racing && k.startsWith("meta/") && opts?.ifMatch !== undefined) await race();
      return await inner.put(...args);
    },
  });
  return { store, state };
}

Deno.test("serve: a cache ID replaced faster than it can be served answers 503, not 500", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_race_" });
  const inner = new FsStore(dir);
  // Another instance of the service over the same store.
  const other = new Entries(inner);
  let id = "";
  let n = 0;
  const { store, state } = racingStore(inner, async () => {
    await other.upload(id, "token-file:alice", {
      filename: "other.txt",
      body: ReadableStream.from([new TextEncoder().encode(`other ${n++}`)]),
    });
  });
  try {
    await using t = await startService({ store });
    id = (await newCacheId(t.url, t.tokens.alice, { race: 1 })).doc.cache_id as string;
    assertEquals((await upload(t.url, t.tokens.alice, id, "mine")).status, 200);
    state.racing = true;

    const got = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    const doc = await got.json();
    assertEquals(got.status, 503, JSON.stringify(doc));
    assertEquals(got.headers.get("retry-after") !== null, true);

    const put = await upload(t.url, t.tokens.alice, id, "mine again");
    assertEquals(put.status, 503, JSON.stringify(put.doc));
    state.racing = false;
    // Once the others stop, both work.
    assertEquals((await upload(t.url, t.tokens.alice, id, "mine at last")).status, 200);
    const last = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    assertEquals(await last.text(), "mine at last");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
