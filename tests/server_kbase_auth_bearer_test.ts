/**
 * The service takes a token bare (as KBase clients send it) or after
 * `Bearer` (as its 401's `WWW-Authenticate: Bearer` asks). With a token file
 * both worked; with `--auth-url` the header went to the KBase auth service
 * as it came, and KBase auth2 reads the whole header as the token, so
 * `Bearer <token>` was a 401 for a valid token.
 */
import { KBaseAuth } from "../src/server/auth.ts";
import { assertEquals } from "./assert.ts";
import { newCacheId, startFakeAuth, startService } from "./server_helpers.ts";

Deno.test("kbase auth: a token after Bearer is the token, looked up once with the bare one", async () => {
  // The fake auth service reads the header as KBase auth2 does: all of it is the token.
  await using auth = startFakeAuth({ "tok-a": "alice" });
  await using t = await startService({ auth: new KBaseAuth({ authUrl: auth.url }) });
  const bare = await newCacheId(t.url, "tok-a", { k: 1 });
  assertEquals(bare.status, 200);
  for (const header of ["Bearer tok-a", "bearer  tok-a", "BEARER\ttok-a"]) {
    const res = await newCacheId(t.url, header, { k: 1 });
    assertEquals([res.status, res.doc.cache_id], [200, bare.doc.cache_id], header);
  }
  // One identity, one cached answer: the scheme does not make another lookup.
  assertEquals(auth.calls, 1);
  // A wrong token stays wrong after Bearer, and Bearer alone is no token.
  for (const header of ["Bearer tok-b", "Bearer"]) {
    const res = await newCacheId(t.url, header, { k: 1 });
    assertEquals([res.status, res.doc.error], [401, "invalid token"], header);
  }
});
