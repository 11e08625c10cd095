/**
 * An auth service (or a proxy before it) answering 200 with a body that is
 * not JSON and starts with the token it was sent ("<token> is not valid")
 * put the token's first characters into `vc serve`'s log: the JSON parser's
 * message quotes the start of what it could not parse. The token is now
 * starred before the parser sees it.
 */
import { KBaseAuth } from "../src/server/auth.ts";
import { HttpError } from "../src/server/http_error.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

const TOKEN = "kbase-token-ABCDEFGHIJKLMNOP";

Deno.test("kbase auth: an answer echoing the token is logged without it", async () => {
  for (const echo of [(t: string) => `${t} is not valid`, (t: string) => `{"user": ${t}}`]) {
    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      return new Response(echo(req.headers.get("authorization") ?? ""), {
        headers: { "content-type": "application/json" },
      });
    });
    const auth = new KBaseAuth({ authUrl: `http://127.0.0.1:${server.addr.port}` });
    const e = await assertRejects(() => auth.authenticate(TOKEN), HttpError);
    assertEquals(e.status, 502);
    const logged = `${e.message} ${e.detail ?? ""}`;
    assertStringIncludes(logged, "invalid JSON");
    assert(!logged.includes(TOKEN.slice(0, 8)), logged);
  }
});
