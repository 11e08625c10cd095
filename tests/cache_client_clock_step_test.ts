/**
 * The system clock stepped forward (NTP after a VM resumed, an admin's
 * `date -s`) while `vc cache-client get` downloads: the client measured the
 * time a body read waited with `Date.now()`, so the step counted as an hour
 * of silence, and a healthy download failed at its next chunk as "sent its
 * answer too slowly". (Stepped back, the body's timeout grew by the step.)
 * The wait is measured on the monotonic clock now.
 */
import { CacheClient } from "../src/server/client.ts";
import { assertEquals } from "./assert.ts";
import { rawServer } from "./raw_server.ts";

const ID = "0123456789abcdef".repeat(8);
const STEP_MS = 3_600_000;

Deno.test("cache client: a clock stepped forward during a download does not time it out", async () => {
  const realNow = Date.now;
  const pieces = 4, piece = 1024;
  await using server = rawServer(async (conn) => {
    await conn.read(new Uint8Array(8192));
    await conn.write(
      new TextEncoder().encode(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n" +
          `content-length: ${pieces * piece}\r\n\r\n`,
      ),
    );
    for (let i = 0; i < pieces; i++) {
      // The clock steps an hour forward while the client waits for the second piece.
      if (i === 1) Date.now = () => realNow() + STEP_MS;
      await conn.write(new Uint8Array(piece).fill(120));
      await new Promise((r) => setTimeout(r, 50));
    }
    await conn.read(new Uint8Array(1)).catch(() => null);
  });
  try {
    const client = new CacheClient({ url: server.url, token: "t", timeoutMs: 5_000 });
    const bytes = await client.getBytes(ID);
    assertEquals(bytes?.length, pieces * piece);
  } finally {
    Date.now = realNow;
  }
});
