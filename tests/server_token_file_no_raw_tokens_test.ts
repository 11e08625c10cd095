/**
 * The token file keeps only hashes of tokens ("the tokens themselves are
 * stored nowhere"), and the running service keeps no token either: before,
 * `TokenFileAuth` remembered every `Authorization` header it had accepted,
 * raw, as the key of a lookup cache, so a heap snapshot or a core dump of
 * `vc serve` held every caller's token. The cache was also keyed by the
 * header as sent, not the token: each spelling of one valid token (`Bearer`
 * followed by 1, 2, … 60,000 spaces) was a new entry kept until the file
 * changed, so a single caller could make the service hold up to 10,000
 * headers of any size (measured: 1,000 headers of 64 KiB kept 64 MiB).
 */
import v8 from "node:v8";
import { addToken, TokenFileAuth } from "../src/server/auth.ts";
import { assert, assertEquals } from "./assert.ts";

/** The V8 heap snapshot of this process, as text (taken after a full GC). */
async function heapText(): Promise<string> {
  let text = "";
  for await (const chunk of v8.getHeapSnapshot()) text += chunk;
  return text;
}

Deno.test("token file auth: accepted tokens are not kept in memory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_token_heap_" });
  try {
    const path = `${dir}/tokens.json`;
    // The token held as bytes only: a string of it here would be found in
    // the snapshot whatever the provider keeps.
    const tokenBytes = new TextEncoder().encode(await addToken(path, "alice"));
    const header = (prefix: string) => prefix + new TextDecoder().decode(tokenBytes);
    const auth = new TokenFileAuth({ path });
    for (let i = 0; i < 50; i++) {
      const who = await auth.authenticate(header(i === 0 ? "" : `Bearer${" ".repeat(i)}`));
      assertEquals(who.name, "alice");
    }
    // V8 keeps the subject of the last successful RegExp match (`RegExp.input`):
    // the provider's `Bearer` match would otherwise be the one string left.
    assert(/x/.test("x"));
    const heap = await heapText();
    const token = new TextDecoder().decode(tokenBytes);
    assert(!heap.includes(token), "a token accepted by TokenFileAuth is still in memory");
    // Still accepted, still refused as before.
    assertEquals((await auth.authenticate(`bearer   ${token}`)).tokenId, "token-file:alice");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
