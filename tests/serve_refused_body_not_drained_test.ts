/**
 * A request with a chunked body refused before its body is read (a wrong
 * token's 401, a precondition's 412) is answered and its connection closed
 * soon after, the body left unread, and so is one sent with a request that
 * takes none (a GET's, a HEAD's, an unknown route's). Before, Deno.serve
 * drained the body for as long as its client went on sending it: one sent in
 * 1-byte chunks cost the service a read per chunk and held the connection
 * until the header timeout (60 s by default). A body with a Content-Length is still drained,
 * so a client that sends all of it before reading gets its 401, not a reset.
 */
import { assertEquals } from "./assert.ts";
import { readInBackground } from "./conn_reader.ts";
import { newCacheId, startService } from "./server_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Sends `head`, then a body a byte per chunk until the service closes the
 * connection; returns what came back. A connection still open after 200
 * chunks (a bound on the test's length) fails the test.
 */
async function trickle(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode(head));
    const answer = readInBackground(conn);
    for (let i = 0; i < 200 && !answer.closed(); i++) {
      if (await conn.write(enc.encode("1\r\nx\r\n")).then(() => false, () => true)) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    if (!answer.closed()) {
      throw new Error(`connection still open after 200 chunks: ${answer.text()}`);
    }
    await answer.ended;
    return answer.text();
  } finally {
    conn.close();
  }
}

Deno.test("serve: a 401 to an upload whose chunked body trickles in closes its connection, unread", async () => {
  // The head timeout is far off: only the refusal closes the connection.
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const head = `POST /v1/cache/${"a".repeat(128)} HTTP/1.1\r\nhost: x\r\nauthorization: nope\r\n` +
    "content-type: multipart/form-data; boundary=b\r\ntransfer-encoding: chunked\r\n\r\n";
  const text = await trickle(t.url, head);
  assertEquals(Number(text.split(" ")[1]), 401, text);
  assertEquals(/\r\nconnection: close\r\n/i.test(text), true, text);
  const lines = t.logs.map((l) => JSON.parse(l)).filter((l) => l.status === 401);
  assertEquals(lines.map((l) => l.bytes_in), [0]);
});

Deno.test("serve: a 401 to an upload with a Content-Length sent whole before reading is read", async () => {
  // As Python's http.client does: the whole body, then the answer. Closing
  // with the body still arriving would reset the connection, the 401 lost.
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const { hostname, port } = new URL(t.url);
  const size = 32 * 1024 * 1024;
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode(
      `POST /v1/cache/${"a".repeat(128)} HTTP/1.1\r\nhost: x\r\nauthorization: nope\r\n` +
        `content-type: multipart/form-data; boundary=b\r\ncontent-length: ${size}\r\n\r\n`,
    ));
    const piece = new Uint8Array(1024 * 1024);
    for (let sent = 0; sent < size; sent += piece.length) {
      for (let at = 0; at < piece.length;) at += await conn.write(piece.subarray(at));
    }
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    for (let i = 0; i < 100 && !text.includes("invalid token"); i++) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
    assertEquals(Number(text.split(" ")[1]), 401, text);
  } finally {
    conn.close();
  }
});

Deno.test("serve: a 401 to a request with no body keeps its connection", async () => {
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    // Two requests on one connection: the second is answered too.
    await conn.write(enc.encode(
      `GET /v1/cache/${"a".repeat(128)} HTTP/1.1\r\nhost: x\r\nauthorization: nope\r\n\r\n` +
        "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n",
    ));
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    for (let i = 0; i < 100 && !text.includes('{"status":"ok"}'); i++) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
    assertEquals(text.match(/HTTP\/1\.1 \d+/g), ["HTTP/1.1 401", "HTTP/1.1 200"], text);
  } finally {
    conn.close();
  }
});

// A GET or HEAD (Deno.serve gives its handler no body for them, though
// Deno still drains one sent in chunks) and any answer given without
// reading a chunked body closes the connection too: a client with no token
// sending `GET /healthz` with an endless body of 1-byte chunks held its
// connection until the header timeout (60 s by default), Deno draining it a
// read per chunk (a third of a CPU core per such connection).
for (
  const [method, path, status] of [
    ["GET", "/healthz", 200],
    ["HEAD", "/healthz", 200],
    ["GET", "/nope", 404],
    ["OPTIONS", "/v1/cache_id", 204],
  ] as const
) {
  Deno.test(`serve: a ${status} to ${method} ${path} with a chunked body trickling in closes its connection`, async () => {
    await using t = await startService({ headerTimeoutMs: 600_000 });
    const head = `${method} ${path} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n`;
    const text = await trickle(t.url, head);
    assertEquals(Number(text.split(" ")[1]), status, text);
    assertEquals(/\r\nconnection: close\r\n/i.test(text), true, text);
  });
}

// A chunked upload refused after part of its body was read (its file past
// the limit, a second file part) closes its connection too: Deno.serve read
// the rest a chunk at a time for as long as its client sent it (up to the
// header timeout, then again on a new connection), and one client with a
// token sending 1-byte chunks after its 413 held the event loop, every other
// client's requests taking seconds.
for (
  const [status, file] of [
    [413, "x".repeat(5000)],
    [400, `x\r\n--b\r\ncontent-disposition: form-data; name="file"; filename="two"\r\n\r\ny`],
  ] as const
) {
  Deno.test(`serve: a ${status} to a chunked upload read in part closes its connection as the rest trickles in`, async () => {
    await using t = await startService({ maxUploadBytes: 1000, headerTimeoutMs: 600_000 });
    const { doc } = await newCacheId(t.url, t.tokens.alice, { refusedMidBody: status });
    const first =
      `--b\r\ncontent-disposition: form-data; name="file"; filename="one"\r\n\r\n${file}`;
    const head = `POST /v1/cache/${doc.cache_id} HTTP/1.1\r\nhost: x\r\n` +
      `authorization: ${t.tokens.alice}\r\ncontent-type: multipart/form-data; boundary=b\r\n` +
      `transfer-encoding: chunked\r\n\r\n${first.length.toString(16)}\r\n${first}\r\n`;
    const text = await trickle(t.url, head);
    assertEquals(Number(text.split(" ")[1]), status, text);
    assertEquals(/\r\nconnection: close\r\n/i.test(text), true, text);
  });
}

// An upload whose body goes on after its closing delimiter (an epilogue that
// never ends, in 1-byte chunks) is stored and answered, its connection then
// closed: Deno.serve read the rest a chunk at a time for as long as it came.
Deno.test("serve: a 200 to a chunked upload whose epilogue trickles in closes its connection", async () => {
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { endlessEpilogue: true });
  const first = `--b\r\ncontent-disposition: form-data; name="file"; filename="one"\r\n\r\n` +
    "stored\r\n--b--\r\n";
  const head = `POST /v1/cache/${doc.cache_id} HTTP/1.1\r\nhost: x\r\n` +
    `authorization: ${t.tokens.alice}\r\ncontent-type: multipart/form-data; boundary=b\r\n` +
    `transfer-encoding: chunked\r\n\r\n${first.length.toString(16)}\r\n${first}\r\n`;
  const text = await trickle(t.url, head);
  assertEquals(Number(text.split(" ")[1]), 200, text);
  assertEquals(/\r\nconnection: close\r\n/i.test(text), true, text);
  const res = await fetch(`${t.url}/v1/cache/${doc.cache_id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(await res.text(), "stored");
});

// A chunked upload that ends with its closing delimiter keeps its connection:
// the next request on it is answered.
Deno.test("serve: a chunked upload that ends keeps its connection", async () => {
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { endsWithDelimiter: true });
  const body = `--b\r\ncontent-disposition: form-data; name="file"; filename="one"\r\n\r\n` +
    "stored\r\n--b--\r\n";
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode(
      `POST /v1/cache/${doc.cache_id} HTTP/1.1\r\nhost: x\r\n` +
        `authorization: ${t.tokens.alice}\r\ncontent-type: multipart/form-data; boundary=b\r\n` +
        `transfer-encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` +
        "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n",
    ));
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    for (let i = 0; i < 100 && (text.match(/HTTP\/1\.1 /g)?.length ?? 0) < 2; i++) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
    assertEquals(text.match(/HTTP\/1\.1 \d+/g), ["HTTP/1.1 200", "HTTP/1.1 200"], text);
  } finally {
    conn.close();
  }
});
