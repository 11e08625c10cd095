/**
 * A client whose service URL ends in `/` (`https://host/services/cache/v1/`)
 * and that adds `/cache_id` sends `/v1//cache_id`. KBase deployments answer
 * it (nginx in front merges slashes, and so does Werkzeug); vc answered 404
 * "no route", so the client broke. Repeated slashes now count as one.
 */
import { assertEquals } from "./assert.ts";
import { startService } from "./server_helpers.ts";

Deno.test("serve: repeated slashes in a request path count as one", async () => {
  await using t = await startService({ basePath: "/cache" });
  const origin = new URL(t.url).origin; // t.url ends in the base path
  const auth = { authorization: t.tokens.alice };
  const res = await fetch(`${origin}/cache//v1//cache_id`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: '{"xyz": 123}',
  });
  const doc = await res.json();
  assertEquals(res.status, 200, JSON.stringify(doc));
  const id: string = doc.cache_id;
  const form = new FormData();
  form.append("file", new Blob(["hello"]), "x.txt");
  const up = await fetch(`${origin}/cache/v1//cache//${id}`, {
    method: "POST",
    headers: auth,
    body: form,
  });
  assertEquals([up.status, await up.json()], [200, { status: "ok" }]);
  const down = await fetch(`${origin}//cache/v1/cache/${id}`, { headers: auth });
  assertEquals([down.status, await down.text()], [200, "hello"]);
  const del = await fetch(`${origin}/cache/v1/cache//${id}`, { method: "DELETE", headers: auth });
  assertEquals([del.status, await del.json()], [200, { status: "ok" }]);
  // Still no route without the base path.
  const off = await fetch(`${origin}//v1/cache_id`, { method: "POST", headers: auth });
  assertEquals(off.status, 404);
  await off.body?.cancel();
});
