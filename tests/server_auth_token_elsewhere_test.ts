/**
 * A token sent somewhere other than the `Authorization` header (a `?token=`
 * query parameter, an `X-Auth-Token` or misspelt `Authentication` header, a
 * `kbase_session` cookie as KBase's web UI holds it) is refused 400 as a
 * missing header, as the KBase server does, and the error says where the
 * token came and to send it as `Authorization` instead, never echoing it.
 * Before, it said only "missing Authorization header", and a client sure it
 * had sent its token was left to guess.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { startService } from "./server_helpers.ts";

Deno.test("auth: a token sent elsewhere than Authorization gets a 400 saying where it came", async () => {
  await using t = await startService();
  const token = t.tokens.alice;
  const cases: [string, Record<string, string>, string][] = [
    [`?token=${token}`, {}, `the "token" query parameter`],
    [`?access_token=${token}`, {}, `the "access_token" query parameter`],
    ["", { "x-auth-token": token }, `the "X-Auth-Token" header`],
    ["", { authentication: token }, `the "Authentication" header`],
    ["", { cookie: `other=1; kbase_session=${token}` }, `the "kbase_session" cookie`],
  ];
  for (const [query, headers, where] of cases) {
    const res = await fetch(`${t.url}/v1/cache_id${query}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: '{"a": 1}',
    });
    const doc = await res.json();
    assertEquals(res.status, 400, where);
    const error = String(doc.error);
    assertStringIncludes(error, "missing Authorization header");
    assertStringIncludes(error, where);
    assertStringIncludes(error, "Authorization: TOKEN");
    assertEquals(error.includes(token), false, error);
  }
  // No token anywhere: the error is as before.
  const bare = await fetch(`${t.url}/v1/cache_id`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: "theme=dark" },
    body: '{"a": 1}',
  });
  assertEquals([bare.status, (await bare.json()).error], [400, "missing Authorization header"]);
  // A download and a DELETE say the same.
  const id = "a".repeat(128);
  for (const method of ["GET", "DELETE"]) {
    const res = await fetch(`${t.url}/v1/cache/${id}?token=${token}`, { method });
    assertEquals(res.status, 400, method);
    assertStringIncludes(String((await res.json()).error), `the "token" query parameter`);
  }
});
