/**
 * `CacheClient.put` with an `onProgress` whose promise rejects: the upload
 * must stop before the service has a whole form to store. The rejection is
 * seen a microtask after the last chunk's call, while the multipart tail
 * followed at once: a fetch that had read the body by then sent a complete
 * form, and a 10-byte upload was stored now and then though `put` rejected.
 * The tail now waits a turn of the event loop and the stop.
 */
import { CallbackError } from "../src/errors.ts";
import { CacheClient } from "../src/server/client.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("CacheClient.put: an onProgress whose promise rejects at the last chunk ends the form unsent", async () => {
  const forms: string[] = [];
  // A service that reads each upload's body whole, as fast as it comes.
  const service = (async (_input: string | URL | Request, init?: RequestInit) => {
    try {
      forms.push(new TextDecoder().decode(await new Response(init?.body).arrayBuffer()));
    } catch {
      // The body stopped: no form.
    }
    return new Response(JSON.stringify({ status: "ok" }), {
      headers: { "content-type": "application/json" },
    });
  }) as typeof fetch;
  const client = new CacheClient({ url: "http://127.0.0.1:9", token: "t", fetch: service });
  const boom = new Error("progress broke");
  const result = await client.put("a".repeat(128), new Uint8Array(10).fill(9), {
    onProgress: () => Promise.reject(boom),
  }).then(() => undefined, (e: unknown) => e);
  assert(result instanceof CallbackError, `put: ${result}`);
  assertEquals(result.cause, boom);
  const whole = forms.filter((f) => /--\r\n$/.test(f));
  assertEquals(whole, [], "no complete form reached the service");
});
