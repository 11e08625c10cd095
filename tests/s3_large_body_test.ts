/**
 * Large request bodies (UploadPart, big PUTs) go through `node:http` instead
 * of `fetch` (fewer copies, see src/store/node_http_send.ts): they must still
 * carry a Content-Length, be retried on 5xx and dropped connections, map
 * errors like the fetch path, and a streamed upload must reuse its part
 * buffers instead of allocating one per part.
 */
import { AccessDeniedError } from "../src/errors.ts";
import { concatBytes } from "../src/bytes.ts";
import { md5Hex, multipartEtag } from "../src/hash.ts";
import { S3Store } from "../src/store/s3.ts";
import {
  filePartSource,
  streamPartSource,
  uploadMultipart,
} from "../src/store/multipart_upload.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { serveHttps, TLS_FIXTURES } from "./https_test_server.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const MiB = 1024 * 1024;

function body(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) b[i] = (i / 4096 + seed) & 0xff;
  return b;
}

interface Seen {
  method: string;
  contentLength: string | null;
  chunked: boolean;
  md5: string;
}

async function withServer(
  answer: (n: number) => Response,
  fn: (store: S3Store, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const bytes = new Uint8Array(await req.arrayBuffer());
      seen.push({
        method: req.method,
        contentLength: req.headers.get("content-length"),
        chunked: (req.headers.get("transfer-encoding") ?? "").includes("chunked"),
        md5: md5Hex(bytes),
      });
      return answer(seen.length);
    },
  );
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    credentials,
    maxAttempts: 3,
    multipartThreshold: 64 * MiB,
  });
  try {
    await fn(store, seen);
  } finally {
    await store.close();
  }
}

Deno.test("S3Store: a large PUT has a Content-Length, is retried after a 503, and arrives intact", async () => {
  const data = body(3 * MiB, 1);
  const md5 = md5Hex(data);
  await withServer(
    (n) =>
      n === 1
        ? new Response("<Error><Code>SlowDown</Code></Error>", { status: 503 })
        : new Response(null, { headers: { etag: `"${md5}"` } }),
    async (store, seen) => {
      const result = await store.put("big", data);
      assertEquals(result.etag, md5);
      assertEquals(seen.length, 2);
      for (const s of seen) {
        assertEquals(s.method, "PUT");
        assertEquals(s.contentLength, String(data.length));
        assert(!s.chunked, "not chunked: S3 refuses chunked uploads without a length");
        assertEquals(s.md5, md5);
      }
    },
  );
});

Deno.test("S3Store: a large PUT refused with 403 is AccessDeniedError naming the object", async () => {
  await withServer(
    () =>
      new Response("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", {
        status: 403,
      }),
    async (store, seen) => {
      const e = await assertRejects(
        () => store.put("dir/big", body(2 * MiB, 2)),
        AccessDeniedError,
      );
      assertStringIncludes(e.message, "s3://b/dir/big");
      assertEquals(seen.length, 1, "403 is not retried");
    },
  );
});

Deno.test("streamPartSource: a streamed upload reuses part buffers (one per part in flight)", async () => {
  const partSize = 64 * 1024;
  const parts = 20;
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < parts * 4 + 1; i++) chunks.push(body(partSize / 4 + (i % 3), i));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const buffers = new Set<ArrayBufferLike>();
  let received = 0;
  const result = await uploadMultipart(
    {
      create: () => Promise.resolve("u"),
      uploadPart: async (_id, _n, part, digest) => {
        buffers.add(part.buffer);
        received += part.length;
        await new Promise((r) => setTimeout(r, 1));
        return { etag: digest.md5! };
      },
      complete: (_id, done) => Promise.resolve({ etag: multipartEtag(done.map((p) => p.etag)) }),
      abort: () => Promise.resolve(),
    },
    streamPartSource(ReadableStream.from(chunks).getReader(), partSize),
    {
      concurrency: 3,
      uri: "s3://b/k",
    },
  );
  assertEquals(received, total);
  assertEquals(result.size, total);
  assert(result.parts > parts && result.partMd5s?.length === result.parts, `${result.parts} parts`);
  assert(buffers.size <= 3, `${buffers.size} part buffers for 3 parts in flight`);
});

Deno.test("filePartSource: a file upload reuses part buffers too, and sends the file's bytes", async () => {
  const partSize = 64 * 1024;
  const dir = await Deno.makeTempDir();
  try {
    const data = body(partSize * 20 + 123, 7);
    await Deno.writeFile(`${dir}/f.bin`, data);
    const buffers = new Set<ArrayBufferLike>();
    const got: Uint8Array[] = [];
    const result = await uploadMultipart(
      {
        create: () => Promise.resolve("u"),
        uploadPart: async (_id, n, part, digest) => {
          buffers.add(part.buffer);
          got[n - 1] = part.slice();
          await new Promise((r) => setTimeout(r, 1));
          return { etag: digest.md5! };
        },
        complete: (_id, done) => Promise.resolve({ etag: multipartEtag(done.map((p) => p.etag)) }),
        abort: () => Promise.resolve(),
      },
      filePartSource(`${dir}/f.bin`, data.length, partSize),
      { concurrency: 3, uri: "s3://b/f" },
    );
    assertEquals(result.parts, 21);
    assertEquals(md5Hex(concatBytes(got, data.length)), md5Hex(data));
    assert(buffers.size <= 3, `${buffers.size} part buffers for 3 parts in flight`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("S3Store: large PUTs to https trusted only through DENO_CERT go through fetch", async () => {
  const md5 = md5Hex(new Uint8Array(2 << 20));
  let received = 0;
  await using server = serveHttps(async (req) => {
    received += (await req.arrayBuffer()).byteLength;
    return new Response(null, { headers: { etag: `"${md5}"` } });
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./fixtures/tls_put_child.ts", import.meta.url).pathname,
      `https://127.0.0.1:${server.addr.port}`,
    ],
    env: { DENO_CERT: new URL("ca.pem", TLS_FIXTURES).pathname, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), [md5, md5]);
  assertEquals(received, 2 * (2 << 20));
});

Deno.test("S3Store: a large PUT that falls back to fetch is not given up by the node:http send's stall deadline", async () => {
  // The node:http attempt fails (its connection dropped) and the same
  // attempt goes on through fetch: the send stall deadline armed for
  // node:http (the request timeout) was left running and aborted the fetch
  // upload as "took no more of the request's body", though the store
  // answered within the attempt's time (the timeout plus the body at 64 KiB/s).
  const md5 = md5Hex(new Uint8Array(2 << 20));
  const read = (name: string) => Deno.readTextFileSync(new URL(name, TLS_FIXTURES));
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: read("cert.pem"),
    key: read("key.pem"),
  });
  const conns: Deno.Conn[] = [];
  const serve = async (conn: Deno.TlsConn, first: boolean) => {
    await conn.handshake();
    if (first) return conn.close(); // the node:http connection: dropped
    const buf = new Uint8Array(64 * 1024);
    const bytes: number[] = [];
    let text = "";
    let length = -1;
    let got = 0;
    for (let reads = 0; reads < 100_000 && (length < 0 || got < length); reads++) {
      const n = await conn.read(buf);
      if (n === null) return;
      if (length < 0) {
        bytes.push(...buf.subarray(0, n));
        text = new TextDecoder("latin1").decode(new Uint8Array(bytes));
        const end = text.indexOf("\r\n\r\n");
        if (end < 0) continue;
        length = Number(/content-length: *(\d+)/i.exec(text)?.[1] ?? 0);
        got = bytes.length - end - 4;
      } else got += n;
    }
    // Longer than the request timeout, well within the attempt's whole time.
    await new Promise((ok) => setTimeout(ok, 1500));
    await conn.write(
      new TextEncoder().encode(
        `HTTP/1.1 200 OK\r\nETag: "${md5}"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      ),
    );
    conn.close();
  };
  const loop = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      serve(conn, conns.length === 1).catch(() => {});
    }
  })().catch(() => {});
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./fixtures/tls_put_child.ts", import.meta.url).pathname,
        `https://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
        "1000",
        "1",
        "1",
      ],
      env: { DENO_CERT: new URL("ca.pem", TLS_FIXTURES).pathname, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), [md5]);
    assertEquals(conns.length, 2, "one node:http connection, one of fetch");
  } finally {
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed already */ }
    }
    await loop;
  }
});
