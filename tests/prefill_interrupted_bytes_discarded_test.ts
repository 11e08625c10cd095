/**
 * A prefill stopped while a download was in flight counted the bytes that
 * download had received in its summary (`1 fetched … 93.2 MB` for one item
 * of 25 MB, the others' bytes thrown away with their temp files), where a
 * finished run's bytes are those of the items fetched. Bytes of a download
 * stopped and not kept for a next run to resume are not counted now.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { prefill, PrefillInterruptedError } from "../src/prefill/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { rawServer, readHead } from "./raw_server.ts";
import { testS3Options } from "./versioned_helpers.ts";

Deno.test("prefill stopped mid-download: the bytes of a download not kept are not counted", async () => {
  const size = 8_000_000;
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  // Sends the head and the first 2,000,000 bytes of k.bin (a download read as it comes), then nothing more.
  await using server = rawServer(async (conn) => {
    await readHead(conn);
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n` +
      `ETag: "0123456789abcdef0123456789abcdef"\r\n` +
      `Last-Modified: Mon, 07 Dec 2026 10:00:00 GMT\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head));
    for (let i = 0; i < 20; i++) await conn.write(new Uint8Array(100_000));
    await held;
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-int-bytes-" });
  const cache = new AssetCache({
    cacheDir: dir,
    configPath: false,
    env: {},
    store: testS3Options(server),
    warn: () => {},
  });
  try {
    const stop = new AbortController();
    let received = 0;
    const done = prefill({
      cache,
      uris: ["s3://b/k.bin"],
      signal: stop.signal,
      onProgress: (p) => {
        received = Math.max(received, p.bytes);
        if (p.bytes > 0) stop.abort(new Error("stop"));
      },
    });
    const error = await done.then(() => undefined, (e: unknown) => e);
    assert(error instanceof PrefillInterruptedError, String(error));
    assert(received > 0, "bytes came before the stop");
    assertEquals(error.summary.keptPartials ?? [], []);
    assertEquals([error.summary.fetched, error.summary.bytes], [0, 0]);
  } finally {
    release();
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});
