/**
 * The small-GET path of S3Store (issue 11): `S3Fetch.send` hands out
 * status, headers and bytes without building a `Response`, object info is
 * parsed in one pass over the headers, and vc's HTTP/1.1 client
 * (`S3StoreOptions.http1`) reads large bodies straight into the chunks it
 * hands out. Whichever transport carries a GET, the caller sees the same.
 */
import { S3Store } from "../src/store/s3.ts";
import { S3Fetch } from "../src/store/s3_fetch.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { NotFoundError, StoreError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const enc = new TextEncoder();

function storeAt(endpoint: string, http1: boolean, extra: { maxAttempts?: number } = {}) {
  return new S3Store({
    bucket: "b",
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    requestTimeoutMs: 10_000,
    http1,
    ...extra,
  });
}

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return out;
}

async function readAll(r: { bytes?: Uint8Array; body: ReadableStream<Uint8Array> }) {
  return r.bytes ?? new Uint8Array(await new Response(r.body).arrayBuffer());
}

Deno.test("sget: GET and HEAD over fetch and over http1 give the same info and bytes", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  const viaFetch = storeAt(fake.url, false);
  const viaHttp1 = storeAt(fake.url, true);
  try {
    const objects: Record<string, Uint8Array> = {
      "small.csv": enc.encode("a,b\n1,2\n"),
      "dir/ü b+c.bin": pattern(4096, 1),
      "empty": new Uint8Array(),
      // Over the 1 MiB read-whole limit: streamed, the http1 client reading
      // straight into the chunks it hands out.
      "large.bin": pattern(3 * 1024 * 1024 + 123, 2),
    };
    for (const [key, bytes] of Object.entries(objects)) {
      await viaFetch.put(key, bytes, {
        contentType: "text/x-test",
        metadata: { "vc-md5": "abc", note: "two words" },
      });
    }
    for (const [key, bytes] of Object.entries(objects)) {
      const a = await viaFetch.get(key);
      const b = await viaHttp1.get(key);
      assertEquals(b.info, a.info, key);
      assertEquals(a.info.size, bytes.length);
      assertEquals(a.info.metadata, { "vc-md5": "abc", note: "two words" });
      assertEquals(a.info.contentType, "text/x-test");
      assert(/^[0-9a-f]{32}$/.test(a.info.etag), a.info.etag);
      // Small bodies come whole as bytes on both transports.
      assertEquals(a.bytes !== undefined, bytes.length <= 1024 * 1024, key);
      assertEquals(b.bytes !== undefined, bytes.length <= 1024 * 1024, key);
      assertEquals(await readAll(a), bytes, key);
      assertEquals(await readAll(b), bytes, key);
      assertEquals(await viaHttp1.head(key), await viaFetch.head(key));
      assertEquals((await viaHttp1.head(key))?.etag, a.info.etag);
      // A range, from the middle.
      const start = Math.floor(bytes.length / 3);
      if (bytes.length > 0) {
        for (const s of [viaFetch, viaHttp1]) {
          const r = await s.get(key, { range: { start } });
          assertEquals(r.info.size, bytes.length, `${key} ranged size`);
          assertEquals(
            new Uint8Array(await new Response(r.body).arrayBuffer()),
            bytes.subarray(start),
          );
        }
      }
    }
    assertEquals(await viaHttp1.head("missing"), undefined);
    for (const s of [viaFetch, viaHttp1]) {
      const e = await assertRejects(() => s.get("missing/key.csv"), NotFoundError);
      assert(e.message.includes("s3://b/missing/key.csv"), e.message);
    }
  } finally {
    await viaFetch.close();
    await viaHttp1.close();
  }
});

/**
 * A raw HTTP/1.1 server: one canned answer per request, then the connection
 * closes. A number in the answer is a pause (ms) between writes, so the
 * client reads the answer in pieces.
 */
function rawServer(answer: (requestHead: string) => (Uint8Array | number)[]) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const serve = async (conn: Deno.Conn) => {
    conns.add(conn);
    try {
      const buf = new Uint8Array(64 * 1024);
      let head = "";
      while (!head.includes("\r\n\r\n")) {
        const n = await conn.read(buf);
        if (n === null) return;
        head += new TextDecoder().decode(buf.subarray(0, n));
      }
      for (const part of answer(head)) {
        if (typeof part === "number") {
          await new Promise((resolve) => setTimeout(resolve, part));
          continue;
        }
        for (let off = 0; off < part.length;) off += await conn.write(part.subarray(off));
      }
    } catch {
      // the client went away
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) serve(conn);
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await accepting;
    },
  };
}

Deno.test("sget: repeated, weak, encrypted and ranged headers read the same over fetch and http1", async () => {
  const body = enc.encode("0123456789");
  await using server = rawServer((head) => {
    const ranged = /\r\nrange: bytes=0-9/i.test(head);
    const lines = [
      ranged ? "HTTP/1.1 206 Partial Content" : "HTTP/1.1 200 OK",
      `content-length: ${body.length}`,
      ranged ? "content-range: bytes 0-9/100" : "",
      'etag: W/"weak-1"',
      "last-modified: Mon, 30 Nov 2026 15:00:00 GMT",
      "content-type: text/csv",
      "x-amz-meta-twice: a",
      "x-amz-meta-twice: b",
      "X-Amz-Meta-Case: Kept Value",
      "x-amz-server-side-encryption: aws:kms",
      "connection: close",
    ].filter((l) => l !== "");
    return [enc.encode(lines.join("\r\n") + "\r\n\r\n"), body];
  });
  const infos = [];
  for (const http1 of [false, true]) {
    const s = storeAt(server.url, http1);
    try {
      const whole = await s.get("k");
      assertEquals(await readAll(whole), body);
      const ranged = await s.get("k", { range: { start: 0, end: 9 } });
      assertEquals(new Uint8Array(await new Response(ranged.body).arrayBuffer()), body);
      assertEquals(ranged.info.size, 100, "the size from content-range");
      infos.push(whole.info);
    } finally {
      await s.close();
    }
  }
  assertEquals(infos[1], infos[0]);
  assertEquals(infos[0], {
    key: "k",
    size: 10,
    etag: "W/weak-1",
    lastModified: new Date("2026-11-30T15:00:00Z"),
    metadata: { twice: "a, b", case: "Kept Value" },
    contentType: "text/csv",
    opaqueEtag: true,
  });
});

Deno.test("sget: http1 — a response head arriving in pieces (split inside its blank line) is read whole", async () => {
  const head = 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\netag: "e"\r\nx-amz-meta-k: v\r\n\r\n';
  for (const cut of [1, head.length - 3, head.length - 2, head.length - 1]) {
    await using server = rawServer(() => [
      enc.encode(head.slice(0, cut)),
      20,
      enc.encode(head.slice(cut)),
      20,
      enc.encode("hello"),
    ]);
    const s = storeAt(server.url, true);
    try {
      const r = await s.get("k");
      assertEquals(new TextDecoder().decode(r.bytes), "hello", `cut at ${cut}`);
      assertEquals(r.info.etag, "e");
      assertEquals(r.info.metadata, { k: "v" });
    } finally {
      await s.close();
    }
  }
});

Deno.test("sget: http1 — a large body cut short fails naming the object and the endpoint", async () => {
  const size = 3 * 1024 * 1024;
  await using server = rawServer(() => [
    enc.encode(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\netag: "x"\r\n\r\n`),
    pattern(300 * 1024, 3),
  ]);
  const s = storeAt(server.url, true);
  try {
    const r = await s.get("big/object.bin");
    assertEquals(r.bytes, undefined);
    const e = await assertRejects(() => new Response(r.body).arrayBuffer(), StoreError);
    assert(e.message.includes("s3://b/big/object.bin"), e.message);
    assert(e.message.includes(server.url), e.message);
  } finally {
    await s.close();
  }
});

Deno.test("sget: S3Fetch.send hands out small bodies as bytes, large ones as a stream, passed statuses as they are", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  const seed = storeAt(fake.url, false);
  const large = pattern(2 * 1024 * 1024, 4);
  try {
    await seed.put("small", enc.encode("hello"));
    await seed.put("large", large);
  } finally {
    await seed.close();
  }
  for (const http1 of [false, true]) {
    const lean = new S3Fetch({
      bucket: "b",
      baseUrl: `${fake.url}/b`,
      region: "us-east-1",
      credentials: () => Promise.resolve(credentials),
      credentialSource: "test",
      http1,
    });
    try {
      const small = await lean.send({ method: "GET", key: "small" });
      assertEquals(small.status, 200);
      assertEquals(small.body, null);
      assertEquals(new TextDecoder().decode(small.bytes), "hello");
      assertEquals(small.headers.get("content-length"), "5");
      const big = await lean.send({ method: "GET", key: "large" });
      assertEquals(big.bytes, undefined);
      assert(big.body !== null);
      assertEquals(new Uint8Array(await new Response(big.body).arrayBuffer()), large);
      // A passed 404 comes with its error document read whole.
      const missing = await lean.send({ method: "GET", key: "nope", passStatuses: [404] });
      assertEquals(missing.status, 404);
      assert(new TextDecoder().decode(missing.bytes).includes("NoSuchKey"));
      const e = await assertRejects(() => lean.send({ method: "GET", key: "nope" }), NotFoundError);
      assert(e.message.includes("s3://b/nope"), e.message);
      // request() still returns a Response with the same body.
      const res = await lean.request({ method: "GET", key: "small" });
      assertEquals(await res.text(), "hello");
      assertEquals(res.headers.get("content-length"), "5");
    } finally {
      lean.close();
    }
  }
});
