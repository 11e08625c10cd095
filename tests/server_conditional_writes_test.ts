/**
 * Uploads and DELETEs honour `If-Match` and `If-None-Match` (RFC 9110
 * 13.2.1: an origin server evaluates them before performing the method, 412
 * when false). Before, both were ignored: a DELETE with `If-Match` naming a
 * file since replaced deleted the new one, and `If-None-Match: *` (store only
 * if nothing is stored yet) overwrote the file another job had stored. A
 * refused upload leaves no data behind.
 */
import { assert, assertEquals } from "./assert.ts";
import { keys, newCacheId, startService } from "./server_helpers.ts";

async function put(
  url: string,
  token: string,
  id: string,
  content: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const form = new FormData();
  form.append("file", new Blob([content], { type: "text/plain" }), "out.txt");
  const res = await fetch(`${url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: token, ...headers },
    body: form,
  });
  await res.body?.cancel();
  return res.status;
}

Deno.test("uploads and DELETEs are refused 412 when If-Match / If-None-Match fail", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { cond: 1 })).doc.cache_id as string;
  const file = `${t.url}/v1/cache/${id}`;
  const get = async (headers: Record<string, string> = {}) => {
    const res = await fetch(file, { headers: { authorization: alice, ...headers } });
    return [res.status, await res.text(), res.headers.get("etag")] as const;
  };
  // A placeholder has no file: If-Match names none of it, If-None-Match: * holds.
  assertEquals(await put(t.url, alice, id, "first", { "if-match": "*" }), 412);
  assertEquals(await put(t.url, alice, id, "first", { "if-none-match": "*" }), 200);
  const [, body, etag] = await get();
  assertEquals(body, "first");
  // Only where nothing is stored yet: the first job's file stays.
  assertEquals(await put(t.url, alice, id, "second", { "if-none-match": "*" }), 412);
  assertEquals(await put(t.url, alice, id, "second", { "if-match": '"other"' }), 412);
  assertEquals((await get())[1], "first");
  // Replacing the file one saw works.
  assertEquals(await put(t.url, alice, id, "second", { "if-match": etag! }), 200);
  const [, now, newTag] = await get();
  assertEquals(now, "second");
  // Deleting with the old tag must not delete the new file.
  const stale = await fetch(file, {
    method: "DELETE",
    headers: { authorization: alice, "if-match": etag! },
  });
  assertEquals([stale.status, (await stale.json()).status], [412, "error"]);
  assertEquals(stale.headers.get("etag"), newTag);
  assertEquals((await get())[1], "second");
  // Refused uploads stored nothing: one data object, the current file's.
  assertEquals((await keys(t.store, `data/${id}/`)).filter((k) => !k.includes(".vc~")).length, 1);
  const done = await fetch(file, {
    method: "DELETE",
    headers: { authorization: alice, "if-match": newTag! },
  });
  assertEquals(done.status, 200);
  await done.body?.cancel();
  assertEquals((await get())[0], 404);
  // Without the headers nothing changes: plain uploads and deletes still work.
  const id2 = (await newCacheId(t.url, alice, { cond: 2 })).doc.cache_id as string;
  assertEquals(await put(t.url, alice, id2, "x"), 200);
  assertEquals(await put(t.url, alice, id2, "y"), 200);
  const del = await fetch(`${t.url}/v1/cache/${id2}`, {
    method: "DELETE",
    headers: { authorization: alice },
  });
  assert(del.ok);
  await del.body?.cancel();
});
