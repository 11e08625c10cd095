/**
 * A request's abort (its timeout) reaches the TCP connect of the HTTP/1.1
 * client: an endpoint that never completes the handshake (a black-hole port:
 * here a listener whose accept queue is full) fails the request when the
 * signal fires, instead of after the kernel's connect timeout (minutes, and
 * the process kept alive past the error until then).
 */
import { Http1Client } from "../src/store/http1_client.ts";
import { assert, assertRejects } from "./assert.ts";

Deno.test("Http1Client: an abort during a connect that never completes fails at once", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // never accepts
  const port = (listener.addr as Deno.NetAddr).port;
  const held: Deno.TcpConn[] = [];
  let blackHole = false;
  try {
    // Fill the accept queue until a connect hangs (bounded).
    for (let i = 0; i < 2000 && !blackHole; i++) {
      const probe = new AbortController();
      const timer = setTimeout(() => probe.abort(), 300);
      try {
        held.push(await Deno.connect({ hostname: "127.0.0.1", port, signal: probe.signal }));
      } catch {
        blackHole = probe.signal.aborted;
        if (!blackHole) break;
      } finally {
        clearTimeout(timer);
      }
    }
    if (!blackHole) {
      console.warn("could not make a black-hole port here; skipped");
      return;
    }
    const client = new Http1Client();
    try {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error("request timed out")), 300);
      const start = performance.now();
      try {
        await assertRejects(() =>
          client.exchange({
            method: "GET",
            url: new URL(`http://127.0.0.1:${port}/b/k`),
            headers: {},
            signal: controller.signal,
          })
        );
      } finally {
        clearTimeout(timer);
      }
      const ms = performance.now() - start;
      assert(ms < 3000, `the abort took ${ms} ms to end the connect`);
    } finally {
      client.close();
    }
  } finally {
    for (const c of held) c.close();
    listener.close();
  }
});
