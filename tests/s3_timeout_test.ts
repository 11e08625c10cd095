/**
 * S3Store against servers that misbehave at the TCP level (issue 7 items 6,
 * 7 and 20): one that accepts and never answers, one that trickles, one that
 * redirects without a body, one that cuts a body short; and an upload
 * aborted midway on the fake S3 server.
 */
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { OfflineError, StoreError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { rawServer, readHead, storeAt, within } from "./raw_server.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const enc = new TextEncoder();

/** Waits until the connection is closed by the peer (bounded by the test's timeouts). */
async function holdOpen(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(1024);
  while ((await conn.read(buf)) !== null) { /* keep reading, never answer */ }
}

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: a server that accepts and never answers times out, is retried, and names the endpoint`, async () => {
    await using server = rawServer(holdOpen);
    const s = storeAt(server.url, 300, { http1 });
    try {
      const error = await assertRejects(
        () => within(20_000, s.head("k")),
        OfflineError,
        server.url,
      );
      assertStringIncludes(error.message, "timed out");
      assertEquals(server.accepted(), 2, "the timed-out request was retried once (maxAttempts 2)");
      // The SDK path (listing) has the same limit.
      await assertRejects(
        () =>
          within(
            20_000,
            (async () => {
              for await (const _ of s.list("")) { /* never reached */ }
            })(),
          ),
        OfflineError,
        server.url,
      );
    } finally {
      await s.close();
    }
  });
}

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: a single PUT to a server that never answers ends at once when aborted, with the reason`, async () => {
    // What Ctrl-C relies on for `vc mirror` uploads, which run without the SDK
    // loaded: the abort reaches the request in flight.
    await using server = rawServer(holdOpen);
    const s = storeAt(server.url, 600_000, { http1 });
    try {
      const controller = new AbortController();
      const reason = new DOMException("interrupted", "AbortError");
      const put = s.put("k", enc.encode("hello"), {
        md5: "5d41402abc4b2a76b9719d911017c592",
        signal: controller.signal,
      });
      const rejected = put.then(() => undefined, (e: unknown) => e);
      for (let i = 0; i < 200 && server.accepted() === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assertEquals(server.accepted(), 1, "the PUT reached the server");
      controller.abort(reason);
      assert((await within(20_000, rejected)) === reason, "rejected with the abort reason");
    } finally {
      await s.close();
    }
  });
}

/** A server that answers with `length` announced and sends only `sent` bytes, then stalls or closes. */
function partialBodyServer(length: number, sent: number, then: "stall" | "close") {
  return rawServer(async (conn) => {
    await readHead(conn);
    await conn.write(enc.encode(
      `HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\nETag: "0123456789abcdef0123456789abcdef"\r\n\r\n`,
    ));
    await conn.write(new Uint8Array(sent));
    if (then === "stall") await holdOpen(conn);
    else conn.close();
  });
}

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: a body that stops trickling fails with a timeout naming the endpoint`, async () => {
    // Large: the body is streamed to the caller under an idle-read guard.
    {
      await using server = partialBodyServer(3 * 1024 * 1024, 100_000, "stall");
      const s = storeAt(server.url, 300, { http1 });
      try {
        const { body, info } = await s.get("k");
        assertEquals(info.size, 3 * 1024 * 1024);
        const error = await assertRejects(
          () => within(20_000, new Response(body).arrayBuffer()),
          OfflineError,
        );
        assertStringIncludes(error.message, server.url);
        assertStringIncludes(error.message, "timed out");
      } finally {
        await s.close();
      }
    }
    // Small: read whole within the request's deadline, so `get` itself fails (after a retry).
    {
      await using server = partialBodyServer(1000, 1, "stall");
      const s = storeAt(server.url, 300, { http1 });
      try {
        const error = await assertRejects(() => within(20_000, s.get("k")), OfflineError);
        assertStringIncludes(error.message, server.url);
        assertStringIncludes(error.message, "timed out");
        assertEquals(server.accepted(), 2, "retried once (maxAttempts 2)");
      } finally {
        await s.close();
      }
    }
  });
}

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: a redirect without an XML body names its Location (item 20)`, async () => {
    await using server = rawServer(async (conn) => {
      await readHead(conn);
      await conn.write(enc.encode(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.example/b/k\r\nContent-Length: 0\r\n\r\n",
      ));
      await holdOpen(conn);
    });
    const s = storeAt(server.url, 300, { http1 });
    try {
      const error = await assertRejects(() => s.get("k"), StoreError, "s3://b/k");
      assertStringIncludes(error.message, "https://elsewhere.example/b/k");
    } finally {
      await s.close();
    }
  });
}

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: a body cut short fails naming the URI and endpoint (item 20)`, async () => {
    for (const [length, sent] of [[100, 10], [3 * 1024 * 1024, 200_000]]) {
      await using server = partialBodyServer(length!, sent!, "close");
      const s = storeAt(server.url, 10_000, { http1 });
      try {
        // Small bodies fail in `get` (after retries), large ones while streaming.
        const error = await assertRejects(async () => {
          const { body } = await s.get("data/short.bin");
          await new Response(body).arrayBuffer();
        }, StoreError);
        assertStringIncludes(error.message, "s3://b/data/short.bin");
        assertStringIncludes(error.message, server.url);
      } finally {
        await s.close();
      }
    }
  });
}

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: aborting a multipart upload midway aborts it on the server and rejects with the reason (item 7)`, async () => {
    await using fake = await startFakeS3({ buckets: ["b"] });
    const MiB = 1024 * 1024;
    const s = storeAt(fake.url, 10_000, {
      http1,
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
    });
    const controller = new AbortController();
    const reason = new Error("interrupted by the user");
    let pulled = 0;
    // 12 MiB arrive, then the source stalls (like a pipe whose writer hung)
    // and the user gives up.
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (pulled >= 12) {
          await new Promise((r) => setTimeout(r, 50));
          controller.abort(reason);
          return; // never enqueues again: only the abort can end this put
        }
        pulled++;
        c.enqueue(new Uint8Array(MiB));
      },
    });
    try {
      const error = await assertRejects(() =>
        within(20_000, s.put("big.bin", body, { signal: controller.signal }))
      );
      assert(error === reason, `rejected with ${error}, expected the abort reason`);
      const client = new S3Client({
        endpoint: fake.url,
        region: "us-east-1",
        forcePathStyle: true,
        credentials,
      });
      try {
        const pending = await client.send(new ListMultipartUploadsCommand({ Bucket: "b" }));
        assertEquals(pending.Uploads ?? [], [], "no multipart upload is left on the server");
      } finally {
        client.destroy();
      }
      assertEquals(await s.head("big.bin"), undefined);
    } finally {
      await s.close();
    }
  });
}

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: https:// against a plain-HTTP endpoint says so, not just 'fetch failed' (item 20)`, async () => {
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
      () => new Response("plain http"),
    );
    const endpoint = `https://127.0.0.1:${server.addr.port}`;
    const s = storeAt(endpoint, 10_000, { http1, maxAttempts: 1 });
    try {
      const error = await assertRejects(() => s.get("k"), StoreError);
      assertStringIncludes(error.message, endpoint);
      assertStringIncludes(error.message, "answered without TLS");
      assertStringIncludes(error.message, `http://127.0.0.1:${server.addr.port}`);
    } finally {
      await s.close();
      ac.abort();
      await server.finished;
    }
  });
}

for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: the caller's abort reaches a large body being streamed (the attempt's listener outlives the attempt)`, async () => {
    // Enough bytes for a first chunk (the guard hands out 64 KiB blocks), then a stall.
    await using server = partialBodyServer(3 * 1024 * 1024, 300_000, "stall");
    const s = storeAt(server.url, 60_000, { http1 });
    try {
      const controller = new AbortController();
      const { body } = await s.get("k", { signal: controller.signal });
      const reader = body.getReader();
      await reader.read(); // the body has started
      const reason = new Error("stopped by the caller");
      controller.abort(reason);
      // Without the abort the stalled body would wait out the 60 s guard.
      // Chunks that arrived before the abort may still be read first.
      const error = await assertRejects(() =>
        within(
          20_000,
          (async () => {
            while (!(await reader.read()).done);
          })(),
        )
      );
      assertEquals((error as Error).cause, reason);
    } finally {
      await s.close();
    }
  });
}
