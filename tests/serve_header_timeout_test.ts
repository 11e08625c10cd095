/**
 * Slowloris: a connection that holds no request in flight (its request head
 * never finished, trickled in, or a connection left idle after its answer,
 * also one whose refused upload body never came) is closed once it has gone
 * `headerTimeoutMs` without a complete request head, while good clients are
 * served meanwhile. Before, Deno.serve held each such connection until its
 * client closed it: their number was bounded only by the open-file limit.
 */
import { assert, assertEquals } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const HEADER_MS = 200;
const SLOW = 20;

/**
 * Reads until the server closes the connection (null) and returns what came;
 * a connection still open after `boundMs` fails the test rather than hanging
 * it (a bound on the test's length, not a timing assertion).
 */
async function readUntilClosed(conn: Deno.Conn, boundMs = 20_000): Promise<string> {
  let text = "";
  const buf = new Uint8Array(16 * 1024);
  const bound = new Promise<"open">((r) => {
    const timer = setTimeout(() => r("open"), boundMs);
    Deno.unrefTimer(timer);
  });
  while (true) {
    const n = await Promise.race([conn.read(buf).catch(() => null), bound]);
    if (n === "open") throw new Error(`connection still open after ${boundMs} ms: ${text}`);
    if (n === null) return text;
    text += dec.decode(buf.subarray(0, n));
  }
}

Deno.test("serve: connections trickling a request head are closed after headerTimeoutMs, good clients served", async () => {
  await using t = await startService({ headerTimeoutMs: HEADER_MS });
  const { hostname, port } = new URL(t.url);
  const slow: Deno.Conn[] = [];
  try {
    for (let i = 0; i < SLOW; i++) {
      const conn = await Deno.connect({ hostname, port: Number(port) });
      slow.push(conn);
      await conn.write(enc.encode("GET /healthz HTTP/1.1\r\nhost: x\r\n"));
    }
    // A good client is answered while every slow connection is open.
    const res = await fetch(`${t.url}/healthz`);
    assertEquals(res.status, 200);
    assertEquals((await res.json()).status, "ok");
    // One slow client keeps sending a header line, a byte at a time: the
    // bound counts from its connection's start, not from its last byte.
    const trickler = slow[0]!;
    let trickling = true;
    const trickle = (async () => {
      for (let i = 0; i < 200 && trickling; i++) {
        if (await trickler.write(enc.encode("x")).then(() => false, () => true)) return;
        await new Promise((r) => setTimeout(r, HEADER_MS / 10));
      }
    })();
    const answers = await Promise.all(slow.map((conn) => readUntilClosed(conn)));
    trickling = false;
    await trickle;
    // Closed without an answer: no request ever reached the service.
    assertEquals(answers, slow.map(() => ""));
  } finally {
    for (const conn of slow) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
  }
});

Deno.test("serve: a connection left idle after its answer is closed after headerTimeoutMs", async () => {
  await using t = await startService({ headerTimeoutMs: HEADER_MS });
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode("GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n"));
    const text = await readUntilClosed(conn);
    assert(text.startsWith("HTTP/1.1 200"), text);
  } finally {
    conn.close();
  }
});

Deno.test("serve: a refused upload whose body never comes does not hold its connection", async () => {
  // Answered 401 at once, its body unread: Deno.serve waited for the rest of
  // the body to drain it, so the connection was held for as long as the
  // client liked. Likewise after a 408 for a body that stopped arriving.
  await using t = await startService({ headerTimeoutMs: HEADER_MS, bodyIdleTimeoutMs: HEADER_MS });
  const { hostname, port } = new URL(t.url);
  for (
    const [head, status] of [
      [
        `POST /v1/cache/${"a".repeat(128)} HTTP/1.1\r\nhost: x\r\nauthorization: nope\r\n` +
        "content-type: multipart/form-data; boundary=b\r\n",
        401,
      ],
      [
        `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
        "content-type: application/json\r\n",
        408,
      ],
    ] as const
  ) {
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      await conn.write(enc.encode(
        `${head}content-length: 1000000\r\n\r\n{"a"`,
      ));
      const text = await readUntilClosed(conn);
      assertEquals(Number(text.split(" ")[1]), status, text);
    } finally {
      conn.close();
    }
  }
});

Deno.test("serve: a request slower than headerTimeoutMs to answer is not cut", async () => {
  // The bound is on heads only: a request in flight (here a download of a
  // file, with a keep-alive connection reused after it) keeps its connection.
  await using t = await startService({ headerTimeoutMs: HEADER_MS });
  const auth = { authorization: t.tokens.alice };
  const { cache_id: id } = await fetch(`${t.url}/v1/cache_id`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: '{"k": 1}',
  }).then((r) => r.json());
  const form = new FormData();
  form.append("file", new Blob(["x".repeat(100_000)]), "x.txt");
  const up = await fetch(`${t.url}/v1/cache/${id}`, { method: "POST", headers: auth, body: form });
  assertEquals(up.status, 200, await up.text());
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${t.url}/v1/cache/${id}`, { headers: auth });
    assertEquals(res.status, 200);
    const reader = res.body!.getReader();
    let bytes = 0;
    // Reads slowly: the answer outlasts the head timeout.
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      await new Promise((r) => setTimeout(r, HEADER_MS / 4));
    }
    assertEquals(bytes, 100_000);
  }
});

Deno.test("serve: past maxIdleConnections the connection idle longest is closed, good clients served", async () => {
  // The head timeout here is far off: only the bound on their number closes
  // the first connections.
  const MAX = 5;
  await using t = await startService({ headerTimeoutMs: 600_000, maxIdleConnections: MAX });
  const { hostname, port } = new URL(t.url);
  const slow: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 2 * MAX; i++) {
      const conn = await Deno.connect({ hostname, port: Number(port) });
      slow.push(conn);
      await conn.write(enc.encode("GET /healthz HTTP/1.1\r\nhost: x\r\n"));
    }
    // The oldest MAX were closed, unanswered, as the newer ones came.
    const answers = await Promise.all(slow.slice(0, MAX).map((conn) => readUntilClosed(conn)));
    assertEquals(answers, answers.map(() => ""));
    // A good client is answered all the same (the next oldest makes room).
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${t.url}/healthz`);
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
  } finally {
    for (const conn of slow) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
  }
});

Deno.test("serve: a header timeout longer than a timer holds (30 days) keeps connections open", async () => {
  // `vc serve --header-timeout 30d`: past 2^31-1 ms (~24.8 days) a timer
  // fires at once, so every connection was closed 1 ms after it opened or
  // was answered (with Node's TimeoutOverflowWarning on stderr).
  await using t = await startService({ headerTimeoutMs: 30 * 86_400_000 });
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    const buf = new Uint8Array(16 * 1024);
    for (let i = 0; i < 2; i++) {
      // A pause longer than the 1 ms the overflowed timer waited.
      await new Promise((r) => setTimeout(r, 50));
      await conn.write(enc.encode("GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n"));
      const n = await conn.read(buf);
      assert(n !== null, `request ${i + 1}: the connection was closed`);
      const text = dec.decode(buf.subarray(0, n));
      assert(text.startsWith("HTTP/1.1 200"), text);
    }
  } finally {
    conn.close();
  }
});
