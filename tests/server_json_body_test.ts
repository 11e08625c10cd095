/**
 * The JSON body of `POST /v1/cache_id`, read in one go when it has a
 * Content-Length and streamed when it does not: both ways give the same
 * answers (IDs, 413 past the limit, 400 for bytes that are not UTF-8 and for
 * a body cut off), counted in the request's log line.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const enc = new TextEncoder();

/** The body once with a Content-Length, once as a stream (chunked, no length). */
function bodies(bytes: Uint8Array): [string, BodyInit][] {
  return [
    ["with Content-Length", bytes as Uint8Array<ArrayBuffer>],
    ["streamed", ReadableStream.from([bytes.slice(0, 3), bytes.slice(3)])],
  ];
}

async function postId(url: string, token: string, body: BodyInit) {
  const res = await fetch(`${url}/v1/cache_id`, {
    method: "POST",
    headers: { authorization: token, "content-type": "application/json" },
    body,
  });
  return { status: res.status, doc: await res.json() };
}

Deno.test("serve: cache_id JSON bodies give the same ID and byte count with or without a length", async () => {
  await using t = await startService();
  const json = enc.encode('{"xyz": 123, "name": "caf\\u00e9 ☃"}');
  const ids: string[] = [];
  for (const [how, body] of bodies(json)) {
    const { status, doc } = await postId(t.url, t.tokens.alice, body);
    assertEquals(status, 200, how);
    ids.push(doc.cache_id);
  }
  assertEquals(ids[0], ids[1]);
  const lines = t.logs.map((l) => JSON.parse(l)).filter((l) => l.route === "/v1/cache_id");
  assertEquals(lines.map((l) => l.bytes_in), [json.length, json.length]);
});

Deno.test("serve: cache_id bodies over the JSON limit are 413, bytes that are not UTF-8 400", async () => {
  await using t = await startService({ maxJsonBytes: 64 });
  const big = enc.encode(JSON.stringify({ pad: "x".repeat(100) }));
  for (const [how, body] of bodies(big)) {
    const { status, doc } = await postId(t.url, t.tokens.alice, body);
    assertEquals(status, 413, how);
    assertStringIncludes(doc.error, "exceeds 64 bytes");
  }
  const latin1 = new Uint8Array([...enc.encode('{"a": "'), 0xe9, ...enc.encode('"}')]);
  for (const [how, body] of bodies(latin1)) {
    const { status, doc } = await postId(t.url, t.tokens.alice, body);
    assertEquals(status, 400, how);
    assertStringIncludes(doc.error, "not UTF-8");
  }
});

Deno.test("serve: a cache_id body whose Content-Length is over the limit is 413 at once, not 408 later", async () => {
  // A client that declares more than it sends (or sends it slowly) was
  // waited for until the body timeout and then told 408.
  await using t = await startService({ maxJsonBytes: 64, bodyIdleTimeoutMs: 30_000 });
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    const head = `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
      `content-type: application/json\r\ncontent-length: 100000000000\r\n\r\n{"xyz": `;
    await conn.write(enc.encode(head));
    const buf = new Uint8Array(4096);
    const started = performance.now();
    const n = await conn.read(buf);
    const answer = new TextDecoder().decode(buf.subarray(0, n ?? 0));
    assertStringIncludes(answer, "HTTP/1.1 413");
    assertStringIncludes(answer, "JSON body exceeds 64 bytes (Content-Length: 100000000000)");
    assert(performance.now() - started < 10_000, "answered before the body timeout");
  } finally {
    conn.close();
  }
});

Deno.test("serve: a cache_id body cut off before its Content-Length is 400", async () => {
  await using t = await startService();
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const head = `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
    `content-type: application/json\r\ncontent-length: 100\r\n\r\n{"xyz": `;
  await conn.write(enc.encode(head));
  conn.close(); // the head and part of the body arrive, then the end

  for (let i = 0; i < 200 && !t.logs.some((l) => JSON.parse(l).status >= 400); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const failed = t.logs.map((l) => JSON.parse(l)).find((l) => l.status >= 400);
  assertEquals([failed?.route, failed?.status], ["/v1/cache_id", 400]);
  assertStringIncludes(failed.error, "cut off");
});

Deno.test("serve: a missing or cut-off cache_id body is named as such, not as a bad character", async () => {
  await using t = await startService();
  for (const text of ["", "  \r\n"]) {
    for (const [how, body] of bodies(enc.encode(text))) {
      const { status, doc } = await postId(t.url, t.tokens.alice, body);
      assertEquals(status, 400, `${how} ${JSON.stringify(text)}`);
      assertEquals(
        doc.error,
        "the request has no JSON body: send the cache's parameters as a JSON object",
      );
    }
  }
  const cases: [string, string][] = [
    ['{"a":', "expected a value at the end of the text (offset 5): cut off?"],
    ['{"a"', "expected ':' at the end of the text (offset 4): cut off?"],
    ['{"a": 1', "expected ',' or '}' at the end of the text (offset 7): cut off?"],
    ['{"a": "x', "unterminated string at the end of the text (offset 8): cut off?"],
    ['{"a": ?}', "unexpected character at offset 6"],
  ];
  for (const [text, message] of cases) {
    const { status, doc } = await postId(t.url, t.tokens.alice, enc.encode(text));
    assertEquals(status, 400, text);
    assertEquals(doc.error, `malformed JSON body: ${message}`, text);
  }
});

Deno.test("serve: a 413 by Content-Length names the length as sent, not rounded to a float", async () => {
  await using t = await startService({ maxJsonBytes: 64 });
  const { hostname, port } = new URL(t.url);
  const id = "a".repeat(128);
  for (
    const [path, type, words] of [
      ["/v1/cache_id", "application/json", "(Content-Length: 18446744073709551615)"],
      [
        `/v1/cache/${id}`,
        "multipart/form-data; boundary=b",
        "upload of 18446744073709551615 bytes",
      ],
    ]
  ) {
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      await conn.write(enc.encode(
        `POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
          `content-type: ${type}\r\ncontent-length: 18446744073709551615\r\n\r\n{`,
      ));
      const buf = new Uint8Array(4096);
      const n = await conn.read(buf);
      const answer = new TextDecoder().decode(buf.subarray(0, n ?? 0));
      assertStringIncludes(answer, "HTTP/1.1 413");
      assertStringIncludes(answer, words!);
    } finally {
      conn.close();
    }
  }
});
