/**
 * A token sent under another HTTP authentication scheme than `Bearer` is
 * refused (401) saying so, not only "invalid token": `curl -u user:TOKEN`,
 * or a service URL with `user:TOKEN@` in it, sends `Basic <base64>`, and
 * Django-style clients send `Token <token>`. The service takes a token bare,
 * as KBase clients send it, or after `Bearer`; the 401 names the scheme it
 * got and says so, without echoing the credentials.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

Deno.test("auth: a token sent as Basic or Token credentials gets a 401 naming the scheme", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  for (
    const [header, scheme] of [
      [`Basic ${btoa(`alice:${alice}`)}`, "Basic"],
      [`basic ${btoa(`:${alice}`)}`, "basic"],
      [`Token ${alice}`, "Token"],
    ] as const
  ) {
    const res = await newCacheId(t.url, header, { a: "b" });
    assertEquals(res.status, 401, header);
    const error = String(res.doc.error);
    assertStringIncludes(error, `"${scheme}"`);
    assertStringIncludes(error, "bare or after Bearer");
    assertEquals(error.includes(alice) || error.includes(btoa(`alice:${alice}`)), false);
  }
  // A wrong bare token, or one after Bearer, is only "invalid token".
  for (const header of ["not-a-token", "Bearer not-a-token"]) {
    const wrong = await newCacheId(t.url, header, { a: "b" });
    assertEquals([wrong.status, wrong.doc.error], [401, "invalid token"]);
  }
});
