/**
 * A store that vanishes while the service runs (its directory removed or
 * renamed, its bucket deleted) is not an empty store: every request that
 * needs it answers 503 saying so. Before, every download was a "Cache ID not
 * found" miss (jobs recomputed, their uploads then refused with 404) and every
 * new cache ID a 500 "internal error".
 */
import { StoreNotFoundError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import {
  newCacheId,
  serviceS3Store,
  startService,
  type TestService,
  upload,
} from "./server_helpers.ts";

/** Every route that reads or writes the store, for an entry stored before the store went. */
async function assertStoreGone(svc: TestService, id: string): Promise<void> {
  const token = svc.tokens.alice;
  const auth = { authorization: token };
  const answers = [
    await fetch(`${svc.url}/v1/cache/${id}`, { headers: auth }),
    await fetch(`${svc.url}/v1/cache/${id}`, { method: "HEAD", headers: auth }),
    await fetch(`${svc.url}/v1/cache_id`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ gone: 2 }),
    }),
    await fetch(`${svc.url}/v1/cache/${id}`, { method: "DELETE", headers: auth }),
  ];
  for (const res of answers) {
    const body = await res.text();
    assertEquals(res.status, 503, `${res.url}: ${body}`);
    assertEquals(res.headers.get("retry-after"), "5");
    if (body !== "") assertStringIncludes(body, "the store does not exist");
  }
  const up = await upload(svc.url, token, id, "after");
  assertEquals(up.status, 503, JSON.stringify(up.doc));
  const lines = svc.logs.slice(-answers.length - 1).map((l) => JSON.parse(l));
  for (const line of lines) assertStringIncludes(line.error, "StoreNotFoundError");
}

Deno.test("serve: a file:// store whose directory is removed while it runs answers 503, not misses and 500s", async () => {
  await using svc = await startService();
  const token = svc.tokens.alice;
  const id = (await newCacheId(svc.url, token, { gone: 1 })).doc.cache_id as string;
  assertEquals((await upload(svc.url, token, id, "payload")).status, 200);
  const root = (svc.store as FsStore).root;
  await Deno.rename(root, `${root}.moved`);
  await assertStoreGone(svc, id);
  // Nothing was made in its place: the directory is the operator's to restore.
  await assertRejects(() => Deno.stat(root), Deno.errors.NotFound);
  await Deno.rename(`${root}.moved`, root);
  const back = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
  assertEquals([back.status, await back.text()], [200, "payload"]);
});

Deno.test("serve: an S3 store whose bucket is deleted while it runs answers 503, not misses and 500s", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using svc = await startService({ store: serviceS3Store(fake.url, "svc") });
  const token = svc.tokens.alice;
  const id = (await newCacheId(svc.url, token, { gone: 1 })).doc.cache_id as string;
  assertEquals((await upload(svc.url, token, id, "payload")).status, 200);
  const objects = [];
  for await (const info of svc.store.list("")) objects.push(info.key);
  await svc.store.delete(objects);
  const deleted = await fetch(`${fake.url}/cache`, { method: "DELETE" });
  assertEquals(deleted.status, 204, await deleted.text());
  await assertStoreGone(svc, id);
});

Deno.test("FsStore: get and put in a root that vanished are StoreNotFoundErrors naming it; a missing key is not", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FsStore(`${dir}/root`);
  try {
    await store.put("a/k", new TextEncoder().encode("x"));
    const missing = await assertRejects(() => store.get("a/other"));
    assert(!(missing instanceof StoreNotFoundError), String(missing));
    await Deno.remove(`${dir}/root`, { recursive: true });
    const get = await assertRejects(() => store.get("a/k"), StoreNotFoundError);
    assertStringIncludes(get.message, `a/k not found in ${store.url}`);
    assertStringIncludes(get.message, `the store's directory ${store.root} does not exist`);
    const put = await assertRejects(
      () => store.put("a/k", new TextEncoder().encode("y")),
      StoreNotFoundError,
    );
    assertStringIncludes(put.message, `the store's directory ${store.root} does not exist`);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
