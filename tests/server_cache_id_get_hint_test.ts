/**
 * A `cache_id` request sent with GET (as an early `kbase_cache_client`
 * did, its JSON as a GET's body: `requests.get(url, data=json.dumps(...))`)
 * or PUT is refused 405, as the KBase server refuses it, and the error says
 * to POST the identifying JSON object. Before, it said only "GET is not
 * allowed on /v1/cache_id", the `Allow: POST, OPTIONS` header the one clue.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { startService } from "./server_helpers.ts";

Deno.test("serve: GET or PUT /v1/cache_id gets a 405 saying to POST the JSON identifiers", async () => {
  await using t = await startService();
  for (const method of ["GET", "PUT"]) {
    const res = await fetch(`${t.url}/v1/cache_id`, {
      method,
      headers: { authorization: t.tokens.alice, "content-type": "application/json" },
      ...(method === "PUT" ? { body: '{"a": 1}' } : {}),
    });
    const doc = await res.json();
    assertEquals(res.status, 405, method);
    assertEquals(res.headers.get("allow"), "POST, OPTIONS");
    assertStringIncludes(String(doc.error), `${method} is not allowed on /v1/cache_id`);
    assertStringIncludes(String(doc.error), "POST the JSON object that identifies the cache");
  }
  // Another route keeps its words.
  const healthz = await fetch(`${t.url}/healthz`, { method: "DELETE" });
  assertEquals(await healthz.json(), {
    status: "error",
    error: "DELETE is not allowed on /healthz",
  });
});
