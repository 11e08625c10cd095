/**
 * A cache service (or a proxy) that trickles a download, a byte every few
 * tens of milliseconds, never a whole request timeout of silence: each byte
 * re-armed the client's timeout, so `vc cache-client get` of a 100 KB file
 * at a byte a second showed an ETA of 27 hours and never gave up. A body
 * now has to bring 64 KiB (or its end) within each request timeout, as the
 * store's downloads must; one that keeps that pace still arrives whole, and
 * an existing destination file is left as it was.
 */
import { CacheClient } from "../src/server/client.ts";
import { OfflineError } from "../src/errors.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { rawServer } from "./raw_server.ts";

const ID = "0123456789abcdef".repeat(8);

/** `promise`, or a failure when it has not settled within 15 s (a client that waits on). */
function within<T>(promise: Promise<T>): () => Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("still downloading after 15 s")), 15_000);
  });
  return () => Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** A 200 of `size` bytes sent `piece` bytes every `everyMs`, until `stop.aborted`. */
function drippingServer(size: number, piece: number, everyMs: number, stop: AbortSignal) {
  return rawServer(async (conn) => {
    await conn.read(new Uint8Array(8192));
    await conn.write(
      new TextEncoder().encode(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n" +
          `content-length: ${size}\r\n\r\n`,
      ),
    );
    for (let sent = 0; sent < size && !stop.aborted; sent += piece) {
      await conn.write(new Uint8Array(Math.min(piece, size - sent)).fill(120));
      await new Promise((r) => setTimeout(r, everyMs));
    }
    if (!stop.aborted) await conn.read(new Uint8Array(1)).catch(() => null);
  });
}

Deno.test("cache client: a download that trickles is an OfflineError after the timeout, nothing clobbered", async () => {
  const stop = new AbortController();
  await using server = drippingServer(100_000, 1, 20, stop.signal);
  const dir = await Deno.makeTempDir();
  const client = new CacheClient({ url: server.url, token: "t", timeoutMs: 500 });
  const abort = new AbortController();
  try {
    const dest = `${dir}/out.bin`;
    await Deno.writeTextFile(dest, "precious");
    await assertRejects(
      within(client.download(ID, dest, { signal: abort.signal })),
      OfflineError,
      "too slowly (under 64 KiB)",
    );
    assertEquals(await Deno.readTextFile(dest), "precious");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["out.bin"]);
  } finally {
    abort.abort();
    stop.abort();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache client: a slow download that keeps the pace arrives whole", async () => {
  // 200 KiB in 32 KiB pieces every 150 ms: 64 KiB each 300 ms, timeout 500 ms.
  await using server = drippingServer(200 * 1024, 32 * 1024, 150, new AbortController().signal);
  const client = new CacheClient({ url: server.url, token: "t", timeoutMs: 500 });
  const bytes = await client.getBytes(ID);
  assertEquals(bytes?.length, 200 * 1024);
});
