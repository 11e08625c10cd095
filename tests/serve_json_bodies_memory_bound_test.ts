/**
 * `cache_id` JSON bodies are held in memory while they arrive (up to
 * `--max-json-bytes` each, for up to `--body-idle-timeout`), and nothing
 * bounded how many: uploads wait for one of `--max-uploads` slots, but a
 * client that opened 300 connections, each sending all but the last byte of
 * a 1 MiB body, took the service from 106 MiB to 1.2 GiB (Deno's
 * `arrayBuffer()` held about 4 MiB per such body) for a minute, and again
 * the next minute. The bodies held at once now share a budget (64 MiB, or
 * `--max-json-bytes` when larger), counted as their bytes arrive and shown
 * as the gauge `vc_serve_json_body_bytes`, one identity's taking at most a
 * quarter of it (so one token cannot keep the others out); a body that
 * would pass either gets 503 with `Retry-After`, which clients take as "try
 * again".
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

const enc = new TextEncoder();
const MIB = 1 << 20;

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}

/** The service's `vc_serve_json_body_bytes` gauge (NaN when it has none). */
async function jsonBodyBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^vc_serve_json_body_bytes (\d+)$/m.exec(text)?.[1]);
}

/** Waits (bounded: 1000 looks, 10 ms apart) until the gauge reads `want`; the last value read. */
async function untilJsonBodyBytes(url: string, want: number): Promise<number> {
  let now = await jsonBodyBytes(url);
  for (let i = 0; i < 1000 && now !== want; i++) {
    await new Promise((r) => setTimeout(r, 10));
    now = await jsonBodyBytes(url);
  }
  return now;
}

Deno.test("serve: cache_id bodies held while they arrive share a memory budget; past it, 503", async () => {
  // Any token is the user of that name: four identities, each within its share.
  await using t = await startService({
    auth: { authenticate: (token) => Promise.resolve({ tokenId: `t:${token}`, name: token }) },
  });
  const port = Number(new URL(t.url).port);
  const head = (token: string, length: number) =>
    enc.encode(
      `POST /v1/cache_id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
    );
  // 64 bodies of 1 MiB, each sent but for its last byte: 64 MiB - 64 held.
  const partial = new Uint8Array(MIB - 1).fill(0x78);
  partial.set(enc.encode('{"p":"'));
  const held: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 64; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      held.push(conn);
      await writeAll(conn, new Uint8Array([...head(`user${i % 4}`, MIB), ...partial]));
    }
    assertEquals(await untilJsonBodyBytes(t.url, 64 * (MIB - 1)), 64 * (MIB - 1));
    // A whole small body (of a fifth identity) now passes the budget:
    // refused at once, to try again.
    const small = await fetch(`${t.url}/v1/cache_id`, {
      method: "POST",
      headers: { authorization: "user4", "content-type": "application/json" },
      body: JSON.stringify({ pad: "y".repeat(200) }),
    });
    const doc = await small.json();
    assertEquals([small.status, doc.status], [503, "error"], JSON.stringify(doc));
    assertEquals(small.headers.get("retry-after"), "1");
    assertStringIncludes(doc.error, "the service's JSON bodies");
  } finally {
    for (const conn of held) conn.close();
  }
  // The clients gone, their bodies are let go, and the next request passes.
  assertEquals(await untilJsonBodyBytes(t.url, 0), 0);
  const after = await newCacheId(t.url, "user4", { pad: "y".repeat(200) });
  assertEquals(after.status, 200, JSON.stringify(after.doc));
});

Deno.test("serve: a cache_id body given up (408) is let go although its client keeps the connection open", async () => {
  await using t = await startService({ bodyIdleTimeoutMs: 300 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(t.url).port) });
  try {
    const sent = enc.encode('{"p":"' + "x".repeat(50_000));
    await writeAll(
      conn,
      new Uint8Array([
        ...enc.encode(
          `POST /v1/cache_id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${t.tokens.alice}\r\n` +
            `Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n`,
        ),
        ...sent,
      ]),
    );
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    assertStringIncludes(new TextDecoder().decode(buf.subarray(0, n ?? 0)), " 408 ");
    // Before, the body went on being read, and held, for as long as the
    // client kept its connection: past the timeout that gave it up.
    assertEquals(await untilJsonBodyBytes(t.url, 0), 0);
  } finally {
    conn.close();
  }
});

Deno.test("serve: one identity's cache_id bodies take at most a quarter of the budget; others go on", async () => {
  await using t = await startService();
  const port = Number(new URL(t.url).port);
  const partial = new Uint8Array(MIB - 1).fill(0x78);
  partial.set(enc.encode('{"p":"'));
  const held: Deno.Conn[] = [];
  const post = (token: string) =>
    fetch(`${t.url}/v1/cache_id`, {
      method: "POST",
      headers: { authorization: token, "content-type": "application/json" },
      body: JSON.stringify({ pad: "y".repeat(200) }),
    });
  try {
    // alice holds 16 MiB - 16: a quarter of the 64 MiB, all but 16 bytes.
    for (let i = 0; i < 16; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      held.push(conn);
      await writeAll(
        conn,
        new Uint8Array([
          ...enc.encode(
            `POST /v1/cache_id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${t.tokens.alice}\r\n` +
              `Content-Type: application/json\r\nContent-Length: ${MIB}\r\n\r\n`,
          ),
          ...partial,
        ]),
      );
    }
    assertEquals(await untilJsonBodyBytes(t.url, 16 * (MIB - 1)), 16 * (MIB - 1));
    const alice = await post(t.tokens.alice);
    const aliceDoc = await alice.json();
    assertEquals(alice.status, 503, JSON.stringify(aliceDoc));
    assertStringIncludes(aliceDoc.error, "this identity");
    const bob = await post(t.tokens.bob);
    assertEquals(bob.status, 200, JSON.stringify(await bob.json()));
  } finally {
    for (const conn of held) conn.close();
  }
  assertEquals(await untilJsonBodyBytes(t.url, 0), 0);
});
