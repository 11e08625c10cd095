/**
 * An --auth-url with whitespace at an end (`"https://h/auth "`, a quoted
 * variable with a pasted space) passed the URL check, since URL parsing
 * drops it, but the lookup's path was appended to the text: the service
 * started and every request failed (502) on `https://h/auth /api/V2/token`.
 * It is trimmed, as the cache client's service URL is, and the token_id is
 * that of the URL without it.
 */
import { KBaseAuth } from "../src/server/auth.ts";
import { assertEquals } from "./assert.ts";
import { startFakeAuth } from "./server_helpers.ts";

Deno.test("kbase auth: whitespace at an end of the auth URL is dropped", async () => {
  await using auth = startFakeAuth({ good: "alice" });
  for (const url of [`${auth.url} `, ` ${auth.url}\n`, `${auth.url}\t`]) {
    const who = await new KBaseAuth({ authUrl: url }).authenticate("good");
    assertEquals(who, { name: "alice", tokenId: `${auth.url}:alice` });
  }
  // A trailing slash stays in the token_id (the URL as configured, as the
  // KBase server's), though not in the lookup's URL.
  const slash = await new KBaseAuth({ authUrl: ` ${auth.url}/\n` }).authenticate("good");
  assertEquals(slash, { name: "alice", tokenId: `${auth.url}/:alice` });
});
