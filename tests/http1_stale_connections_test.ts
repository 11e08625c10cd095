/**
 * Http1Client's pool after a burst: connections the server closed while they
 * were idle must not fail a later request on every retry, and connections
 * idle past `idleMs` are closed even when the pool is never emptied.
 */
import { Http1Client } from "../src/store/http1_client.ts";
import { S3Store } from "../src/store/s3.ts";
import { assert, assertEquals } from "./assert.ts";

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers every request after `delayMs`; `closeIdle()` closes every connection (a keep-alive timeout). */
function server(delayMs: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let closedByClient = 0;
  const loop = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      (async () => {
        const buf = new Uint8Array(64 * 1024);
        let text = "";
        try {
          for (;;) {
            const n = await conn.read(buf);
            if (n === null) {
              closedByClient++;
              return;
            }
            text += new TextDecoder().decode(buf.subarray(0, n));
            while (text.includes("\r\n\r\n")) {
              text = text.slice(text.indexOf("\r\n\r\n") + 4);
              await sleep(delayMs);
              const body = "<ok/>";
              const reply = `HTTP/1.1 200 OK\r\netag: "${"0".repeat(32)}"\r\n` +
                `content-length: ${body.length}\r\n\r\n${body}`;
              const bytes = enc.encode(reply);
              for (let o = 0; o < bytes.length;) o += await conn.write(bytes.subarray(o));
            }
          }
        } catch {
          // closed by the server
        } finally {
          open.delete(conn);
        }
      })();
    }
  })().catch(() => {});
  return {
    origin: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    get closedByClient() {
      return closedByClient;
    },
    closeIdle() {
      for (const c of open) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      open.clear();
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      this.closeIdle();
      await loop;
    },
  };
}

Deno.test("http1: after a burst, connections the server closed while idle do not fail the next request", async () => {
  await using s = server(30);
  const store = new S3Store({
    bucket: "b",
    endpoint: s.origin,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "t", secretAccessKey: "t" },
    http1: true,
    maxAttempts: 3,
    requestTimeoutMs: 5_000,
  });
  try {
    // Eight at once: eight pooled connections.
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.get(`k${i}`)));
    s.closeIdle(); // the server's keep-alive timeout passes
    await sleep(50);
    const got = await store.get("after");
    assertEquals(new TextDecoder().decode(got.bytes!), "<ok/>");
  } finally {
    await store.close();
  }
});

Deno.test("http1: connections idle past idleMs are closed though newer ones are reused", async () => {
  await using s = server(20);
  const client = new Http1Client({ idleMs: 200 });
  try {
    const url = new URL(`${s.origin}/k`);
    await Promise.all(
      Array.from({ length: 8 }, () => client.exchange({ method: "GET", url, headers: {} })),
    );
    // One request at a time, more often than idleMs: the newest pooled connection serves them.
    for (let i = 0; i < 8; i++) {
      await client.exchange({ method: "GET", url, headers: {} });
      await sleep(60);
    }
    await sleep(50);
    assert(s.closedByClient >= 7, `${s.closedByClient} of the 7 idle connections closed`);
  } finally {
    client.close();
  }
});
