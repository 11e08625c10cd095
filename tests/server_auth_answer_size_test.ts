/**
 * An auth service (or a proxy in front of it) that answers with a huge body
 * is a 502 once the answer passes 1 MiB: it was read whole into memory, for
 * every token looked up at the same time.
 */
import { KBaseAuth } from "../src/server/auth.ts";
import { HttpError } from "../src/server/http_error.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

Deno.test("kbase auth: an answer over 1 MiB is a 502, not read to its end", async () => {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (req.headers.get("authorization") === "small") return Response.json({ user: "alice" });
    // 64 MiB of spaces before the JSON (valid JSON, were it read whole).
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64 * 2 ** 20) {
          controller.enqueue(new TextEncoder().encode('{"user": "alice"}'));
          controller.close();
          return;
        }
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  const auth = new KBaseAuth({ authUrl: `http://127.0.0.1:${server.addr.port}` });
  assertEquals((await auth.authenticate("small")).name, "alice");
  const e = await assertRejects(() => auth.authenticate("huge"), HttpError);
  assertEquals([e.status, e.message], [502, "the auth service sent an answer over 1048576 bytes"]);
  assert(sent < 16 * 2 ** 20, `${sent} bytes sent: the answer was read on`);
});
