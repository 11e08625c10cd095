/**
 * `CacheClient` retries what is safe to repeat: a service shutting down
 * answers 503 with `Retry-After`, a connection reset or an answer cut short
 * is a blip, yet every request failed at the first one while vc's S3 store
 * retried them. Against real servers on 127.0.0.1: one answering 503 a few
 * times then serving, one resetting connections, one always failing (an
 * error naming the URL and the attempts, in bounded time), and a stream
 * upload, which cannot be sent twice, made once.
 */
import { join } from "node:path";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/mod.ts";
import { OfflineError } from "../src/errors.ts";
import { rawServer } from "./raw_server.ts";
import { anyTokenService } from "./server_helpers.ts";
import { closedPort } from "./closed_port.ts";

const encoder = new TextEncoder();
const ID = "a".repeat(128);

/** A front of a real service answering 503 (Retry-After: `state.retryAfter`) to the first `fails` requests of each method. */
async function flakyFront(fails: number, backend: string) {
  const seen = new Map<string, number>();
  const state = { retryAfter: "1" };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const n = (seen.get(req.method) ?? 0) + 1;
    seen.set(req.method, n);
    if (n <= fails) {
      await req.body?.cancel();
      return Response.json({ status: "error", error: "the service is shutting down" }, {
        status: 503,
        headers: { "retry-after": state.retryAfter },
      });
    }
    const url = new URL(req.url);
    const body = req.body === null ? undefined : await req.arrayBuffer();
    return await fetch(`${backend}${url.pathname}`, {
      method: req.method,
      headers: req.headers,
      ...(body === undefined ? {} : { body }),
    });
  });
  await Promise.resolve();
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests: (method: string) => seen.get(method) ?? 0,
    state,
    reset: () => seen.clear(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("CacheClient: 503s with Retry-After are retried for id, put, get, download and rm", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_client_retry_" });
  try {
    await using service = await anyTokenService(dir);
    await using front = await flakyFront(2, service.url);
    const client = new CacheClient({ url: front.url, token: "alice", retryBaseDelayMs: 1 });
    const started = performance.now();
    const { cacheId } = await client.id({ k: 1 });
    // Two waits of Retry-After: 1 s each.
    assert(performance.now() - started >= 1900, "Retry-After was not honoured");
    assertEquals(front.requests("POST"), 3);
    front.reset();
    front.state.retryAfter = "0";
    await client.put(cacheId, encoder.encode("bytes"));
    assertEquals(front.requests("POST"), 3);
    front.reset();
    const file = join(dir, "in.txt");
    await Deno.writeTextFile(file, "from a file");
    await client.put(cacheId, { path: file });
    assertEquals(front.requests("POST"), 3);
    front.reset();
    assertEquals(new TextDecoder().decode(await client.getBytes(cacheId)), "from a file");
    front.reset();
    assert(await client.download(cacheId, join(dir, "out.txt")));
    assertEquals(await Deno.readTextFile(join(dir, "out.txt")), "from a file");
    front.reset();
    await client.rm(cacheId);
    assertEquals(front.requests("DELETE"), 3);
    assertEquals(await client.getBytes(cacheId), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CacheClient: reset connections and a download cut short are retried", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_client_retry_" });
  try {
    const payload = "the whole file";
    let connections = 0;
    await using server = rawServer(async (conn) => {
      const n = ++connections;
      const buffer = new Uint8Array(64 * 1024);
      let head = "";
      while (!head.includes("\r\n\r\n")) {
        const got = await conn.read(buffer);
        if (got === null) return;
        head += new TextDecoder().decode(buffer.subarray(0, got));
      }
      if (n === 1) {
        conn.close(); // reset before any answer
        return;
      }
      if (n === 2) {
        // A Content-Length the body falls short of.
        await conn.write(
          encoder.encode(`HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\n\r\nthe wh`),
        );
        conn.close();
        return;
      }
      await conn.write(
        encoder.encode(
          `HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n${payload}`,
        ),
      );
      conn.close();
    });
    const client = new CacheClient({ url: server.url, token: "t", retryBaseDelayMs: 1 });
    assertEquals(new TextDecoder().decode(await client.getBytes(ID)), payload);
    assertEquals(connections, 3);
    connections = 0;
    assert(await client.download(ID, join(dir, "out")));
    assertEquals(await Deno.readTextFile(join(dir, "out")), payload);
    assertEquals(connections, 3);
    // The attempt cut short left no temp file behind.
    assertEquals(await Array.fromAsync(Deno.readDir(dir), (e) => e.name), ["out"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CacheClient: a service that always fails is given up, naming the URL and attempts", async () => {
  let requests = 0;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      requests++;
      await req.body?.cancel();
      // An hour asked for: capped by maxRetryDelayMs.
      return new Response("<html><title>503 Service Unavailable</title></html>", {
        status: 503,
        headers: { "retry-after": "3600", "content-type": "text/html" },
      });
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const client = new CacheClient({ url, token: "t", maxAttempts: 3, maxRetryDelayMs: 50 });
  const started = performance.now();
  const error = await assertRejects(() => client.getBytes(ID), CacheServiceError);
  assert(performance.now() - started < 5000, "not bounded");
  assertEquals(error.status, 503);
  assertEquals(requests, 3);
  assertStringIncludes(error.message, `gave up after 3 attempts at ${url}/v1/cache/${ID}`);
  assertStringIncludes(error.message, "503 Service Unavailable");

  // A stream can be sent only once: its upload is not retried.
  requests = 0;
  const stream = ReadableStream.from([encoder.encode("once")]);
  const once = await assertRejects(() => client.put(ID, stream), CacheServiceError);
  assertEquals(requests, 1);
  assert(!once.message.includes("gave up"), once.message);

  // maxAttempts 1: no retries.
  requests = 0;
  const single = new CacheClient({ url, token: "t", maxAttempts: 1 });
  await assertRejects(() => single.rm(ID), CacheServiceError);
  assertEquals(requests, 1);
});

Deno.test("CacheClient: a refused first connection fails at once; bad retry options are refused", async () => {
  const port = closedPort();
  const client = new CacheClient({ url: `http://127.0.0.1:${port}`, token: "t" });
  const started = performance.now();
  const error = await assertRejects(() => client.getBytes(ID), OfflineError);
  assert(performance.now() - started < 3000);
  assert(!error.message.includes("gave up"), error.message);
  for (const bad of [{ maxAttempts: 0 }, { maxAttempts: 1.5 }, { retryBaseDelayMs: -1 }]) {
    assertThrows(() => new CacheClient({ url: "http://127.0.0.1:1", token: "t", ...bad }));
  }
});

Deno.test("CacheClient: https:// to a plain-HTTP port, or a peer speaking no HTTP, is not retried", async () => {
  let connections = 0;
  await using server = rawServer(async (conn) => {
    connections++;
    await conn.write(encoder.encode("SSH-2.0-OpenSSH_8.9\r\n")).catch(() => {});
    conn.close();
  });
  for (const url of [server.url, server.url.replace("http:", "https:")]) {
    connections = 0;
    const client = new CacheClient({ url, token: "t", retryBaseDelayMs: 1 });
    const error = await assertRejects(() => client.getBytes(ID), OfflineError);
    assertEquals(connections, 1, error.message);
    assert(!error.message.includes("gave up"), error.message);
  }
});
