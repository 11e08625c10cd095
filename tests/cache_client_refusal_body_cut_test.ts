/**
 * A refusal whose body broke off (a 401 or 413 whose connection a proxy or
 * the server closed before the end of its Content-Length) was reported as
 * "the answer of the cache service broke off", an `OfflineError`, and the
 * request was sent again up to `maxAttempts` times (an upload resent whole
 * each time), to end the same way: the status had said the request was
 * refused. Now it is the service's refusal (`CacheServiceError` with its
 * status and what of its text came), retried only when its status is one
 * to retry (a 503's cut body still is), and a 404's, whose body tells a
 * miss from a wrong URL, is fetched again.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { AccessDeniedError, InvalidInputError } from "../src/errors.ts";
import { rawServer, readHead } from "./raw_server.ts";

const ID = "a".repeat(128);
const enc = new TextEncoder();

/** Answers each request `status` with a JSON error cut off half-way, then closes. */
function cutRefusal(status: number, error: string) {
  const body = JSON.stringify({ status: "error", error });
  return rawServer(async (conn) => {
    try {
      await readHead(conn);
      await conn.write(enc.encode(
        `HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length + 100}\r\nconnection: close\r\n\r\n${body}`,
      ));
    } finally {
      conn.close();
    }
  });
}

Deno.test("CacheClient: a 401 whose body broke off is the refusal, not retried", async () => {
  await using server = cutRefusal(401, "invalid token");
  const client = new CacheClient({ url: server.url, token: "t0ken-of-alice", retryBaseDelayMs: 1 });
  const e = await assertRejects(() => client.getBytes(ID), CacheServiceError);
  assertEquals(e.status, 401, e.message);
  assert(e.cause instanceof AccessDeniedError, String(e.cause));
  assertStringIncludes(e.message, "failed (401): invalid token");
  assertStringIncludes(e.message, "its answer broke off");
  assertEquals(server.accepted(), 1);
});

Deno.test("CacheClient.put: a 413 whose body broke off is the refusal, the upload not resent", async () => {
  await using server = cutRefusal(413, "file too large");
  const client = new CacheClient({ url: server.url, token: "t0ken-of-alice", retryBaseDelayMs: 1 });
  const e = await assertRejects(() => client.put(ID, new Uint8Array(10)), CacheServiceError);
  assertEquals(e.status, 413, e.message);
  assert(e.cause instanceof InvalidInputError, String(e.cause));
  assertStringIncludes(e.message, "failed (413): file too large");
  assertEquals(server.accepted(), 1);
  // A file goes through node:http, which keeps none of a body that broke off.
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, new Uint8Array(10));
    const again = await assertRejects(() => client.put(ID, { path }), CacheServiceError);
    assertEquals(again.status, 413, again.message);
    assert(again.cause instanceof InvalidInputError, String(again.cause));
    assertStringIncludes(again.message, "failed (413) (its answer broke off after its status");
    assertEquals(server.accepted(), 2);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("CacheClient.get: a 404 whose body broke off is fetched again (its body tells a miss)", async () => {
  let answers = 0;
  const miss = JSON.stringify({ status: "error", error: "Cache ID not found" });
  await using server = rawServer(async (conn) => {
    try {
      await readHead(conn);
      // The first answer is cut, the second whole.
      const length = answers++ === 0 ? miss.length + 100 : miss.length;
      await conn.write(enc.encode(
        `HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n` +
          `content-length: ${length}\r\nconnection: close\r\n\r\n${miss}`,
      ));
    } finally {
      conn.close();
    }
  });
  const client = new CacheClient({ url: server.url, token: "t0ken-of-alice", retryBaseDelayMs: 1 });
  assertEquals(await client.getBytes(ID), undefined);
  assertEquals(server.accepted(), 2);
});

Deno.test("CacheClient: a 503 whose body broke off is still retried", async () => {
  await using server = cutRefusal(503, "shutting down");
  const client = new CacheClient({
    url: server.url,
    token: "t0ken-of-alice",
    maxAttempts: 2,
    retryBaseDelayMs: 1,
  });
  const e = await assertRejects(() => client.rm(ID), CacheServiceError);
  assertEquals(e.status, 503, e.message);
  assertStringIncludes(e.message, "(gave up after 2 attempts");
  assertEquals(server.accepted(), 2);
});
