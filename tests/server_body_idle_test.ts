/**
 * Request bodies that stop arriving: a client that sends an upload's (or a
 * cache_id request's) headers and part of its body, then goes silent with
 * its connection open, is given up with 408 after the idle timeout, storing
 * nothing; a slow but steady upload is not.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { keys, newCacheId, startService, type TestService, upload } from "./server_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const IDLE_MS = 300;

/** Sends `head` and `body` on a fresh connection and leaves it open. */
async function sendAndStall(t: TestService, head: string, body: string): Promise<Deno.Conn> {
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(enc.encode(head + body));
  return conn;
}

/** The status line and body of the answer on `conn`, read within 5 s. */
async function answer(conn: Deno.Conn): Promise<{ status: number; body: string }> {
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  const until = Date.now() + 5_000;
  while (Date.now() < until && !/\r\n\r\n[\s\S]*\}/.test(text)) {
    const n = await Promise.race([
      conn.read(buf.subarray(0)),
      new Promise<null>((r) => setTimeout(() => r(null), until - Date.now())),
    ]);
    if (n === null) break;
    text += dec.decode(buf.subarray(0, n));
  }
  return { status: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

function uploadHead(t: TestService, id: string, framing: string): string {
  return `POST /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
    `content-type: multipart/form-data; boundary=bnd\r\n${framing}\r\n\r\n`;
}

const PART = `--bnd\r\ncontent-disposition: form-data; name="file"; filename="new.txt"\r\n\r\n` +
  "x".repeat(10_000);

for (
  const [label, framing, body] of [
    ["with a Content-Length", "content-length: 100000", PART],
    ["chunked", "transfer-encoding: chunked", `${PART.length.toString(16)}\r\n${PART}\r\n`],
    ["with no byte of its body", "content-length: 100000", ""],
  ] as const
) {
  Deno.test(`serve: an upload ${label} that stops arriving is 408, the old file kept`, async () => {
    await using t = await startService({ bodyIdleTimeoutMs: IDLE_MS });
    const { doc } = await newCacheId(t.url, t.tokens.alice, { stall: label });
    const id = doc.cache_id as string;
    assertEquals((await upload(t.url, t.tokens.alice, id, "old")).status, 200);
    const before = await keys(t.store, "data/");
    const started = Date.now();
    const conn = await sendAndStall(t, uploadHead(t, id, framing), body);
    try {
      const res = await answer(conn);
      assertEquals(res.status, 408);
      assertStringIncludes(res.body, "stopped arriving");
      assert(Date.now() - started < 4_000, "answered after the idle timeout, not later");
    } finally {
      conn.close();
    }
    const got = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    assertEquals(await got.text(), "old");
    assertEquals(await keys(t.store, "data/"), before);
  });
}

Deno.test("serve: a cache_id body that stops arriving is 408", async () => {
  await using t = await startService({ bodyIdleTimeoutMs: IDLE_MS });
  for (
    const framing of [
      "content-length: 100\r\n\r\n",
      'transfer-encoding: chunked\r\n\r\n3\r\n{"a\r\n',
    ]
  ) {
    const head = `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
      `content-type: application/json\r\n${framing}`;
    const conn = await sendAndStall(t, head, framing.startsWith("content") ? '{"a": ' : "");
    try {
      assertEquals((await answer(conn)).status, 408, framing);
    } finally {
      conn.close();
    }
  }
});

Deno.test("serve: a slow but steady upload is not given up", async () => {
  await using t = await startService({ bodyIdleTimeoutMs: IDLE_MS });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { steady: 1 });
  const id = doc.cache_id as string;
  const body = `${PART}\r\n--bnd--\r\n`;
  const conn = await sendAndStall(t, uploadHead(t, id, `content-length: ${body.length}`), "");
  try {
    // 5 pieces, each well within the idle timeout, 4 × 150 ms in all: more than the timeout.
    const step = Math.ceil(body.length / 5);
    for (let at = 0; at < body.length; at += step) {
      await conn.write(enc.encode(body.slice(at, at + step)));
      if (at + step < body.length) await new Promise((r) => setTimeout(r, IDLE_MS / 2));
    }
    assertEquals((await answer(conn)).status, 200);
  } finally {
    conn.close();
  }
});
