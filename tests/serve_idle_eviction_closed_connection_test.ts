/**
 * Many clients leaving at once, with answers in flight (downloads whose
 * clients closed their sockets), while more connections hold no request
 * than `maxIdleConnections` allows. Each connection whose answer ended is
 * counted idle, and the one idle longest closed to make room: that one's
 * client may already have gone, its Deno connection closed but not yet
 * reported finished. Closing it then threw `BadResource: Bad resource ID`
 * from Deno's abort listener, uncaught: `vc serve` died (seen with 1,000
 * stalled downloads whose clients closed at once, under the default 512).
 */
import { assert, assertEquals } from "./assert.ts";
import { serveWithHeadTimeout } from "../src/server/head_timeout.ts";

const enc = new TextEncoder();

/** An answer that streams until its client leaves. */
function endless(): Response {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        return new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            controller.enqueue(new Uint8Array(64 * 1024));
            resolve();
          }, 1);
        });
      },
      cancel() {
        clearTimeout(timer);
      },
    }),
  );
}

/** The status line of `GET /healthz` on a fresh connection ("" when closed unanswered). */
async function healthz(port: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(enc.encode("GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"));
    const answer = await new Response(conn.readable).text();
    return answer.split("\r\n")[0] ?? "";
  } catch {
    return "";
  } finally {
    try {
      conn.close();
    } catch { /* closed with its readable */ }
  }
}

Deno.test("serve: clients leaving mid-answer past maxIdleConnections never crash the server", async () => {
  let served = 0;
  const server = serveWithHeadTimeout({
    hostname: "127.0.0.1",
    port: 0,
    headerTimeoutMs: 600_000,
    maxIdleConnections: 1,
    onListen: () => {},
    onError: () => new Response("error", { status: 500 }),
  }, (request) => {
    served++;
    return new URL(request.url).pathname === "/healthz" ? new Response("ok") : endless();
  });
  if (server === undefined) throw new Error("this Deno has no per-connection server");
  try {
    const port = server.addr.port;
    // The close races Deno's own end of each connection: rounds of it,
    // bounded, make the race come (before, it came within a few).
    for (let round = 0; round < 30; round++) {
      const conns: Deno.Conn[] = [];
      try {
        for (let i = 0; i < 50; i++) {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port });
          conns.push(conn);
          // Its answer has started; or it was closed before its head came,
          // the one idle longest when a connection of the round before
          // ended its answer (a bound of 1 is met at once): fine here.
          await conn.write(enc.encode("GET /stream HTTP/1.1\r\nhost: x\r\n\r\n"))
            .then(() => conn.read(new Uint8Array(1024)))
            .catch(() => {});
        }
      } finally {
        for (const conn of conns) conn.close();
      }
      // Let the server see them go.
      await new Promise((r) => setTimeout(r, 20));
    }
    // Still serving: a request on a fresh connection, its head sent at once
    // (tried again, a bounded few times, should a connection of the last
    // round end its answer just then and close this one, the idle longest).
    let status = "";
    for (let attempt = 0; attempt < 5 && status !== "HTTP/1.1 200 OK"; attempt++) {
      status = await healthz(port);
    }
    assertEquals(status, "HTTP/1.1 200 OK");
    assert(served > 30, `only ${served} requests reached the handler`);
  } finally {
    await server.shutdown();
  }
});
