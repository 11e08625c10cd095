/**
 * A token a server echoes back is starred in the client's error, but the
 * answer was cut to its first 200 characters (or a page's title to 200)
 * before the token was looked for: an echo straddling the cut left the
 * token's first half in the error, so in terminals and CI logs. A token
 * given as `Bearer <token>` was looked for with its scheme, so a server
 * echoing the bare token (as KBase's "Invalid token" does) showed it whole.
 * The token is now starred before anything is cut, in either form.
 */
import { assert, assertRejects } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";

const SECRET = "s3cr3t-token-0123456789-abcdefghij";

function echoing(answer: (authorization: string) => Response) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    return answer(req.headers.get("authorization") ?? "");
  });
}

// The echo starts 10 characters before the 200-character cut.
const PAD = "x".repeat(190);
const bare = (auth: string) => auth.replace(/^Bearer\s+/i, "");

const ECHOES: [string, (auth: string) => Response][] = [
  ["plain text", (auth) => new Response(`${PAD}${bare(auth)} refused`, { status: 400 })],
  ["an HTML page", (auth) =>
    new Response(`<html><title>${PAD}${bare(auth)}</title></html>`, {
      status: 403,
      headers: { "content-type": "text/html" },
    })],
  [
    "a JSON error",
    (auth) =>
      Response.json({ status: "error", error: `Invalid token ${bare(auth)}` }, {
        status: 401,
      }),
  ],
  [
    "an ok without a cache ID",
    (auth) =>
      Response.json({ status: "ok", cache_id: "", echo: `${PAD.slice(0, 170)}${bare(auth)}` }),
  ],
];

Deno.test("cache client: no part of an echoed token is left in the error", async () => {
  for (const token of [SECRET, `Bearer ${SECRET}`]) {
    for (const [kind, answer] of ECHOES) {
      await using server = echoing(answer);
      const client = new CacheClient({
        url: `http://127.0.0.1:${server.addr.port}`,
        token,
        maxAttempts: 1,
      });
      const e = await assertRejects(() => client.id({ k: 1 }), CacheServiceError);
      // Its first 8 characters would narrow a guess down by a lot.
      assert(!e.message.includes(SECRET.slice(0, 8)), `${kind}, ${token}: ${e.message}`);
    }
  }
});
