/**
 * A body of up to 1 MiB (read whole, inside the request's attempt) is held to
 * the rule every streamed body is held to: each next 64 KiB within the
 * request timeout. It used to get one request timeout for the response and
 * the whole body together, so on a slow link a 1 MB object failed every
 * attempt ("waiting for a response") while a 2 MB one downloaded fine.
 *
 * The timeout counts on a ManualClock moved only while the client waits
 * with every byte sent so far (./paced_body.ts): a loaded machine neither
 * times the slow body out nor lets a too-slow one pass.
 */
import { createHash } from "node:crypto";
import { rawServer, readHead, storeAt } from "./raw_server.ts";
import { assertEquals } from "./assert.ts";
import { pacedBodies } from "./paced_body.ts";
import { ManualClock } from "../src/testing/mod.ts";

const SIZE = 1_000_000; // read whole (at most 1 MiB)
const CHUNK = 64 * 1024;

for (const http1 of [true, false]) {
  Deno.test(`S3Store.get (${http1 ? "http1" : "fetch"}): a small body slower in all than the request timeout, but moving, is read`, async () => {
    const content = new Uint8Array(SIZE).map((_, i) => (i * 7) % 251);
    const md5 = createHash("md5").update(content).digest("hex");
    // The request timeout counts on a clock that moves 250 ms after the
    // client has each 64 KiB chunk: 16 chunks, ~4 s in all against a 1.5 s
    // timeout, however slowly the machine lets the client read.
    const clock = new ManualClock();
    const start = clock.now();
    using paced = pacedBodies(clock, http1);
    await using server = rawServer(async (conn) => {
      try {
        await readHead(conn);
        await paced.head(
          conn,
          `HTTP/1.1 200 OK\r\ncontent-length: ${content.length}\r\netag: "${md5}"\r\n` +
            `last-modified: Thu, 03 Dec 2026 10:00:00 GMT\r\nconnection: close\r\n\r\n`,
        );
        for (let at = 0; at < content.length; at += CHUNK) {
          if (!await paced.send(conn, content.subarray(at, at + CHUNK), 250)) return;
        }
      } finally {
        conn.close();
      }
    });
    const store = storeAt(server.url, 1500, { http1, clock });
    try {
      const got = await store.get("k.bin");
      const bytes = got.bytes ?? new Uint8Array(await new Response(got.body).arrayBuffer());
      assertEquals(bytes.length, SIZE);
      assertEquals(bytes, content);
      assertEquals(clock.now() - start >= 3_750, true, "slower in all than the timeout");
    } finally {
      await store.close();
    }
  });
}

Deno.test("S3Store.get: a small body that stops arriving is named as such, not as no response", async () => {
  const content = new Uint8Array(200_000);
  // Its head and one chunk, then nothing until the test ends.
  await using server = rawServer(async (conn) => {
    await readHead(conn);
    await conn.write(
      new TextEncoder().encode(
        `HTTP/1.1 200 OK\r\ncontent-length: ${content.length}\r\netag: "x"\r\n\r\n`,
      ),
    );
    await conn.write(content.subarray(0, CHUNK));
    await new Promise<void>((resolve) => {
      const buf = new Uint8Array(1);
      // Returns once the client drops the connection (or the test ends).
      conn.read(buf).then(() => resolve(), () => resolve());
    });
  });
  const store = storeAt(server.url, 300, { maxAttempts: 1 });
  try {
    const error = await store.get("k.bin").then(() => undefined, (e: Error) => e);
    assertEquals(
      error?.message.includes("waiting for more of the response body"),
      true,
      `got: ${error?.message}`,
    );
  } finally {
    await store.close();
  }
});
