/**
 * An answer the cache service (or a proxy in front of it) starts and then
 * cuts off is named as such. An upload of a file whose `200` broke off after
 * its head was reported as "cannot reach the cache service ...: aborted",
 * though the service had been reached and had most likely stored the file;
 * a `cache_id` or delete answer that went silent half-way was "sent nothing
 * more of a download".
 */
import { join } from "node:path";
import { assertEquals, assertRejects } from "./assert.ts";
import { CacheClient } from "../src/server/mod.ts";
import { OfflineError } from "../src/errors.ts";
import { rawServer } from "./raw_server.ts";

const ID = "a".repeat(128);
const encoder = new TextEncoder();

/** Reads a request head and `Content-Length` bytes of body. */
async function readRequest(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  let text = "";
  let body = 0;
  let length = -1;
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) return;
    if (length < 0) {
      text += new TextDecoder().decode(buffer.subarray(0, n));
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) continue;
      length = Number(/content-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      body = encoder.encode(text.slice(end + 4)).length;
    } else body += n;
    if (body >= length) return;
  }
}

Deno.test("cache-client put of a file: a 200 that breaks off is not 'cannot reach'", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_client_answer_broke_off_" });
  try {
    await using server = rawServer(async (conn) => {
      await readRequest(conn);
      // A head announcing 15 bytes, 4 of them sent, then the connection closes.
      await conn.write(encoder.encode('HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{"st'));
      conn.close();
    });
    const file = join(dir, "out.bin");
    await Deno.writeFile(file, new Uint8Array(1000).fill(1));
    const client = new CacheClient({ url: server.url, token: "alice", timeoutMs: 5000 });
    const error = await assertRejects(() => client.put(ID, { path: file }), OfflineError);
    const message = (error as Error).message;
    assertEquals(message.startsWith(`upload of cache ${ID}: `), true, message);
    assertEquals(message.includes("cannot reach"), false, message);
    assertEquals(message.includes("broke off after its status 200"), true, message);
    assertEquals(message.includes("may have been stored"), true, message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache-client: a cache_id or delete answer that goes silent is not called a download", async () => {
  await using server = rawServer(async (conn) => {
    await readRequest(conn);
    await conn.write(encoder.encode('HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{"st'));
    // Then nothing, connection open, until the client gives up.
    await conn.read(new Uint8Array(1)).catch(() => null);
  });
  const client = new CacheClient({ url: server.url, token: "alice", timeoutMs: 300 });
  for (
    const [what, run] of [
      ["cache_id", () => client.id({ k: 1 })],
      [`delete of cache ${ID}`, () => client.rm(ID)],
    ] as const
  ) {
    const error = await assertRejects(run, OfflineError);
    const message = (error as Error).message;
    assertEquals(message.startsWith(`${what}: `), true, message);
    assertEquals(message.includes("sent nothing more of its answer for 0.3 s"), true, message);
    assertEquals(message.includes("download"), false, message);
  }
});
