/**
 * The HTTP/1.1 keep-alive client of `vc serve`'s store requests
 * (`src/store/http1_client.ts`): framing (length, chunked, close, none),
 * connection reuse, aborts, refused header values, servers that misbehave;
 * then S3Store with `http1: true` against the fake S3 (store contract,
 * injected faults, a stale pooled connection).
 */
import { Http1Client } from "../src/store/http1_client.ts";
import { S3Store } from "../src/store/s3.ts";
import { OfflineError, PreconditionFailedError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { storeContract } from "../src/testing/store_contract.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { closedPort } from "./closed_port.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** A Deno.serve server recording the client port of each request. */
function serve(handler: (req: Request) => Response | Promise<Response>) {
  const ports: number[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => {
      ports.push(info.remoteAddr.port);
      return handler(req);
    },
  );
  return {
    ports,
    url: (path: string) => new URL(`http://127.0.0.1:${server.addr.port}${path}`),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A raw TCP server: `answer` gets each connection and the request bytes read so far. */
function rawServer(answer: (conn: Deno.Conn, request: string, n: number) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  let n = 0;
  const loop = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      (async () => {
        const buf = new Uint8Array(64 * 1024);
        let text = "";
        try {
          for (;;) {
            const read = await conn.read(buf);
            if (read === null) return;
            text += dec.decode(buf.subarray(0, read));
            while (text.includes("\r\n\r\n")) {
              const end = text.indexOf("\r\n\r\n") + 4;
              const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
              if (text.length < end + length) break;
              const request = text.slice(0, end + length);
              text = text.slice(end + length);
              await answer(conn, request, ++n);
            }
          }
        } catch {
          // closed by the test
        }
      })();
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: (path: string) => new URL(`http://127.0.0.1:${port}${path}`),
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await loop;
    },
  };
}

async function write(conn: Deno.Conn, text: string): Promise<void> {
  const bytes = enc.encode(text);
  for (let o = 0; o < bytes.length;) o += await conn.write(bytes.subarray(o));
}

Deno.test("http1: small bodies come whole, one connection serves many requests", async () => {
  await using server = serve(async (req) =>
    new Response(`${req.method} ${new URL(req.url).search} ${await req.text()}`, {
      headers: { "x-echo": req.headers.get("x-test") ?? "" },
    })
  );
  const client = new Http1Client();
  try {
    for (let i = 0; i < 3; i++) {
      const { response, bytes } = await client.request({
        method: "PUT",
        url: server.url(`/k?i=${i}`),
        headers: { "x-test": `v${i}` },
        body: enc.encode(`body ${i}`),
      });
      assertEquals(response.status, 200);
      assertEquals(response.headers.get("x-echo"), `v${i}`);
      assertEquals(dec.decode(bytes!), `PUT ?i=${i} body ${i}`);
      assertEquals(await response.text(), `PUT ?i=${i} body ${i}`);
    }
    assertEquals(new Set(server.ports).size, 1, "one keep-alive connection");
  } finally {
    client.close();
  }
});

Deno.test("http1: chunked and large bodies stream; the connection is reused after them", async () => {
  const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
  await using server = serve((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/chunked") {
      return new Response(ReadableStream.from([enc.encode("ab"), enc.encode("cde")]));
    }
    if (path === "/big") return new Response(big);
    return new Response(null, { status: 204 });
  });
  const client = new Http1Client();
  try {
    const chunked = await client.request({
      method: "GET",
      url: server.url("/chunked"),
      headers: {},
    });
    assertEquals(chunked.bytes, undefined);
    assertEquals(await chunked.response.text(), "abcde");
    const large = await client.request({ method: "GET", url: server.url("/big"), headers: {} });
    assertEquals(large.bytes, undefined, "over the whole-body limit: streamed");
    assertEquals(new Uint8Array(await large.response.arrayBuffer()), big);
    const none = await client.request({ method: "DELETE", url: server.url("/x"), headers: {} });
    assertEquals(none.response.status, 204);
    assertEquals(none.response.body, null);
    const head = await client.request({ method: "HEAD", url: server.url("/big"), headers: {} });
    assertEquals(head.response.headers.get("content-length"), String(big.length));
    assertEquals(head.response.body, null);
    assertEquals(new Set(server.ports).size, 1, "every body read to its end: one connection");
  } finally {
    client.close();
  }
});

Deno.test("http1: a cancelled body closes its connection; the next request opens another", async () => {
  const big = new Uint8Array(2 * 1024 * 1024);
  await using server = serve(() => new Response(big));
  const client = new Http1Client();
  try {
    const first = await client.request({ method: "GET", url: server.url("/a"), headers: {} });
    await first.response.body!.cancel();
    const second = await client.request({ method: "GET", url: server.url("/b"), headers: {} });
    assertEquals((await second.response.arrayBuffer()).byteLength, big.length);
    assertEquals(new Set(server.ports).size, 2);
  } finally {
    client.close();
  }
});

Deno.test("http1: aborting fails a request waiting for its answer", async () => {
  const { promise: never, resolve } = Promise.withResolvers<Response>();
  const abort = new AbortController();
  // The server has the request when the client gives up.
  await using server = serve(() => {
    abort.abort(new Error("gave up"));
    return never;
  });
  const client = new Http1Client();
  try {
    const pending = client.request({
      method: "GET",
      url: server.url("/slow"),
      headers: {},
      signal: abort.signal,
    });
    await assertRejects(() => pending, Error, "gave up");
    // Aborted before it starts: nothing is sent.
    await assertRejects(
      () =>
        client.request({ method: "GET", url: server.url("/x"), headers: {}, signal: abort.signal }),
      Error,
      "gave up",
    );
    assertEquals(server.ports.length, 1);
  } finally {
    client.close();
    resolve(new Response("late"));
  }
});

Deno.test("http1: header values that could end a header are refused before sending", async () => {
  await using server = serve(() => new Response("ok"));
  const client = new Http1Client();
  try {
    for (const value of ["a\r\nx-injected: 1", "a\nb", "a\0b", "snow ☃"]) {
      await assertRejects(
        () => client.request({ method: "GET", url: server.url("/"), headers: { "x-v": value } }),
        TypeError,
        "invalid value of header",
      );
    }
    await assertRejects(
      () => client.request({ method: "GET", url: server.url("/"), headers: { "a b": "1" } }),
      TypeError,
      "invalid header name",
    );
    assertEquals(server.ports.length, 0, "nothing was sent");
    // Latin-1 values go out as one byte per character, as fetch sends them.
    const { response } = await client.request({
      method: "GET",
      url: server.url("/"),
      headers: { "x-v": "caf\xe9" },
    });
    assertEquals(await response.text(), "ok");
  } finally {
    client.close();
  }
});

Deno.test("http1: a response without length ends with the connection; HTTP/1.0 is not reused", async () => {
  await using server = rawServer(async (conn, _request, n) => {
    if (n === 1) {
      await write(conn, "HTTP/1.1 200 OK\r\nx-n: 1\r\n\r\nuntil the end");
      conn.close();
    } else {
      await write(conn, "HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok");
    }
  });
  const client = new Http1Client();
  try {
    const first = await client.request({ method: "GET", url: server.url("/1"), headers: {} });
    assertEquals(await first.response.text(), "until the end");
    const second = await client.request({ method: "GET", url: server.url("/2"), headers: {} });
    assertEquals(await second.response.text(), "ok");
  } finally {
    client.close();
  }
});

Deno.test("http1: interim 100 responses are skipped; garbage and cut-off answers fail clearly", async () => {
  await using server = rawServer(async (conn, request) => {
    const path = request.split(" ")[1];
    if (path === "/continue") {
      await write(
        conn,
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n",
      );
    } else if (path === "/garbage") {
      await write(conn, "SMTP ready\r\n\r\n");
    } else if (path === "/short") {
      await write(conn, "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc");
      conn.close();
    } else {
      conn.close();
    }
  });
  const client = new Http1Client();
  try {
    const created = await client.request({
      method: "PUT",
      url: server.url("/continue"),
      headers: {},
    });
    assertEquals(created.response.status, 201);
    await assertRejects(
      () => client.request({ method: "GET", url: server.url("/garbage"), headers: {} }),
      TypeError,
      "malformed status line",
    );
    const short = await assertRejects(
      () => client.request({ method: "GET", url: server.url("/short"), headers: {} }),
      TypeError,
      "error sending request",
    );
    assert(/unexpected eof|closed/i.test(short.message), short.message);
    await assertRejects(
      () => client.request({ method: "GET", url: server.url("/drop"), headers: {} }),
      TypeError,
      "closed before the response",
    );
  } finally {
    client.close();
  }
});

// --- S3Store with http1 -------------------------------------------------------

storeContract("S3Store (fake S3, http1)", async () => {
  const fake = await startFakeS3({ buckets: ["contract"] });
  const store = new S3Store({
    bucket: "contract",
    endpoint: fake.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    http1: true,
  });
  return {
    store,
    cleanup: async () => {
      try {
        await store.close();
      } finally {
        await fake[Symbol.asyncDispose]();
      }
    },
  };
});

async function s3(options: { maxAttempts?: number } = {}) {
  const fake = await startFakeS3({ buckets: ["b"] });
  const store = new S3Store({
    bucket: "b",
    endpoint: fake.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    http1: true,
    ...options,
  });
  return {
    fake,
    store,
    async [Symbol.asyncDispose]() {
      try {
        await store.close();
      } finally {
        await fake[Symbol.asyncDispose]();
      }
    },
  };
}

Deno.test("S3Store http1: resets, truncated bodies and errors are retried", async () => {
  await using s = await s3();
  await s.store.put("k", enc.encode("hello world"));
  for (const kind of ["reset", "truncate", "internal"] as const) {
    s.fake.failNext(1, kind);
    const got = await s.store.get("k");
    assertEquals(
      dec.decode(got.bytes ?? new Uint8Array(await new Response(got.body).arrayBuffer())),
      "hello world",
    );
  }
  s.fake.failNext(1, "reset");
  await s.store.put("k2", enc.encode("second"));
  assertEquals(dec.decode((await s.fake.getObject("b", "k2"))!), "second");
  s.fake.failNext(1, "internal");
  await s.store.delete(["k2"]);
  assertEquals(await s.fake.getObject("b", "k2"), undefined);
});

Deno.test("S3Store http1: a create-only PUT whose answer was lost is recognised as ours", async () => {
  await using s = await s3();
  s.fake.failNext(1, "lostResponse");
  const put = await s.store.put("once", enc.encode("mine"), { ifNoneMatch: "*" });
  assertEquals(put.etag.length, 32);
  await assertRejects(
    () => s.store.put("once", enc.encode("other"), { ifNoneMatch: "*" }),
    PreconditionFailedError,
  );
});

Deno.test("S3Store http1: a pooled connection the server dropped is replaced", async () => {
  // One answer per connection, then the server closes it without saying so.
  let answered = 0;
  await using server = rawServer(async (conn) => {
    answered++;
    const body = `<ok/>`;
    await write(
      conn,
      `HTTP/1.1 200 OK\r\netag: "${
        "0".repeat(32)
      }"\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    conn.close();
  });
  const store = new S3Store({
    bucket: "b",
    endpoint: server.url("/").origin,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    http1: true,
    maxAttempts: 3,
  });
  try {
    for (let i = 0; i < 3; i++) {
      const got = await store.get(`k${i}`);
      assertEquals(dec.decode(got.bytes!), "<ok/>");
    }
    assert(answered >= 3);
  } finally {
    await store.close();
  }
});

Deno.test("S3Store http1: a refused connection is an OfflineError naming the endpoint", async () => {
  const port = closedPort();
  const client = new Http1Client();
  try {
    const e = await assertRejects(
      () =>
        client.request({ method: "GET", url: new URL(`http://127.0.0.1:${port}/k`), headers: {} }),
      TypeError,
      "error sending request",
    );
    assert(/refused/i.test(e.message), e.message);
  } finally {
    client.close();
  }
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    http1: true,
  });
  try {
    const e = await assertRejects(() => store.get("k"), OfflineError, "cannot reach");
    assert(e.message.includes(`127.0.0.1:${port}`), e.message);
  } finally {
    await store.close();
  }
});
