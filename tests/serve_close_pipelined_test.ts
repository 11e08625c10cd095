/**
 * A connection whose answer says `Connection: close` ends with that answer:
 * a request its client pipelined behind it on the same connection is not
 * served (RFC 9112 §9.6: a server that sends `close` must not process
 * further requests on that connection). Before, one sent in the same write
 * was answered during the 250 ms linger, and the keep-alive answer to it
 * cancelled the close, so the connection stayed open until the header
 * timeout. The same holds whoever asked for the close: the service (a
 * refused chunked upload's 401), the client (`Connection: close`, or
 * HTTP/1.0 without keep-alive).
 */
import { assertEquals } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Writes `bytes` in one write and reads until the service closes the
 * connection; returns what came. A connection still open after `boundMs` (a
 * bound on the test's length, far past the linger; not a timing assertion)
 * fails the test with what came so far.
 */
async function exchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode(bytes));
    return await readUntilClosed(conn);
  } finally {
    conn.close();
  }
}

/** Reads until the service closes `conn`; past `boundMs`, fails with what came. */
async function readUntilClosed(conn: Deno.Conn, boundMs = 20_000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<"open">((r) => {
    timer = setTimeout(() => r("open"), boundMs);
  });
  try {
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    while (true) {
      const n = await Promise.race([conn.read(buf).catch(() => null), bound]);
      if (n === "open") throw new Error(`connection still open after ${boundMs} ms: ${text}`);
      if (n === null) return text;
      text += dec.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
}

// Not at a line start only: a pipelined answer follows the last one's body.
const statusLines = (text: string) => text.match(/HTTP\/1\.[01] \d{3}/g) ?? [];
const healthz = "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n";
const upload = `POST /v1/cache/${"a".repeat(128)} HTTP/1.1\r\nhost: x\r\nauthorization: nope\r\n` +
  "content-type: multipart/form-data; boundary=b\r\ntransfer-encoding: chunked\r\n\r\n";

// What was asked, the first request, and its status line.
const cases: [string, string, string][] = [
  ["a refused chunked upload's 401", upload + "1\r\nx\r\n0\r\n\r\n", "HTTP/1.1 401"],
  [
    "a chunked GET's 200",
    "GET /healthz HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
    "HTTP/1.1 200",
  ],
  [
    "the client's Connection: close",
    "GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    "HTTP/1.1 200",
  ],
  ["HTTP/1.0 without keep-alive", "GET /healthz HTTP/1.0\r\n\r\n", "HTTP/1.0 200"],
];

for (const [what, first, status] of cases) {
  Deno.test(`serve: a request pipelined after ${what} is not answered, the connection closed`, async () => {
    // The head timeout is far off: only the close ends the connection.
    await using t = await startService({ headerTimeoutMs: 600_000 });
    // Both in one write: the second is in the service's buffer with the first.
    const text = await exchange(t.url, first + healthz + healthz);
    assertEquals(statusLines(text), [status], text);
    // HTTP/1.0's answer closes by default: only HTTP/1.1's says so.
    if (status.startsWith("HTTP/1.1")) {
      assertEquals(/\r\nconnection: close\r\n/i.test(text), true, text);
    }
  });
}

Deno.test("serve: a request pipelined after a malformed one's 400 is not answered", async () => {
  // Deno's parser refuses the head (a header line with no colon) itself.
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const text = await exchange(
    t.url,
    healthz + "GET /healthz HTTP/1.1\r\nhost: x\r\nno colon\r\n\r\n" + healthz,
  );
  assertEquals(statusLines(text), ["HTTP/1.1 200", "HTTP/1.1 400"], text);
});

Deno.test("serve: a request sent after a 408's body is not answered, the connection closed", async () => {
  await using t = await startService({ headerTimeoutMs: 600_000, bodyIdleTimeoutMs: 200 });
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    // A chunked body that stops: given up with 408 and close.
    await conn.write(enc.encode(
      `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
        'content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{"a\r\n',
    ));
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    for (let i = 0; i < 100 && !/\r\n\r\n\{.*\}$/s.test(text); i++) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
    assertEquals(statusLines(text), ["HTTP/1.1 408"], text);
    // Its client, not reading the answer, sends the body's end and a request
    // at once: the request is not answered.
    const rest = await conn.write(enc.encode('"}\r\n0\r\n\r\n' + healthz)).then(
      () => readUntilClosed(conn),
      () => "",
    );
    assertEquals(statusLines(rest), [], rest);
  } finally {
    conn.close();
  }
});

Deno.test("serve: after the close, the service still serves new connections", async () => {
  await using t = await startService({ headerTimeoutMs: 600_000 });
  await exchange(t.url, upload + "0\r\n\r\n" + healthz);
  const res = await fetch(`${t.url}/healthz`);
  assertEquals(res.status, 200);
  await res.body?.cancel();
});

Deno.test("serve: a shutdown during the linger does not wait for the request left unanswered", async () => {
  // A long header timeout and linger would not matter: the shutdown ends it.
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode(upload + "0\r\n\r\n" + healthz));
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    for (let i = 0; i < 100 && !text.endsWith("}"); i++) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
    assertEquals(statusLines(text), ["HTTP/1.1 401"], text);
    // Bounded: a shutdown waiting for the unanswered request fails the test.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<"waiting">((r) => {
      timer = setTimeout(() => r("waiting"), 20_000);
    });
    try {
      assertEquals(await Promise.race([t.service.shutdown().then(() => "done"), bound]), "done");
    } finally {
      clearTimeout(timer);
    }
    assertEquals(statusLines(await readUntilClosed(conn)), []);
    // Only the first request was handled, and logged.
    assertEquals(t.logs.filter((l) => l.includes('"request_id"')).length, 1, t.logs.join("\n"));
  } finally {
    conn.close();
  }
});

Deno.test("serve: a Host-less HTTP/1.1 request pipelined after a closing answer is not answered", async () => {
  // HTTP/2 requests carry no Host, but neither does a client that omits it
  // over HTTP/1.1: a closing answer alone on its connection still ends it.
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const hostless = (request: string) => request.replace("host: x\r\n", "");
  const text = await exchange(
    t.url,
    hostless(upload) + "1\r\nx\r\n0\r\n\r\n" + hostless(healthz) + hostless(healthz),
  );
  assertEquals(statusLines(text), ["HTTP/1.1 401"], text);
});
