// A server (or proxy) that ignores Range answers every ranged GET with the
// whole object. S3Store cuts the asked bytes out, so each range was right,
// but a parallel download of n ranges had each one bring everything before
// it too: a 512 MiB object moved ~17 GB and took 40 s instead of 2. Such a
// download now starts over as one stream at the first whole-object answer.
import { md5Hex } from "../src/hash.ts";
import { downloadToFile } from "../src/store/download.ts";
import type { S3Store } from "../src/store/s3.ts";
import { assert, assertEquals } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

const SIZE = 4 * 1024 * 1024;
const DATA = Uint8Array.from({ length: SIZE }, (_, i) => (i * 31 + (i >> 9)) & 0xff);
const ETAG = `"${md5Hex(DATA)}"`;

/** Serves DATA whole to every GET, whatever its Range; counts the body bytes sent. */
async function withRangeIgnoringServer(
  fn: (store: S3Store, sent: () => number, gets: () => number) => Promise<void>,
): Promise<void> {
  let sent = 0;
  let gets = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (req.method !== "GET") return new Response(null, { status: 405 });
    gets++;
    let offset = 0;
    // Counted as the client reads it: a cancelled body stops counting.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= SIZE) return controller.close();
        const chunk = DATA.slice(offset, offset + 16 * 1024);
        offset += chunk.length;
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
    return new Response(body, {
      headers: { etag: ETAG, "content-length": String(SIZE), "accept-ranges": "none" },
    });
  });
  await using store = testS3Store({ url: `http://127.0.0.1:${server.addr.port}` }, "b", {
    maxAttempts: 1,
  });
  await fn(store, () => sent, () => gets);
}

Deno.test("download: a server that ignores Range gets one stream, not every range's prefix again", async () => {
  await withRangeIgnoringServer(async (store, sent, gets) => {
    const dir = await Deno.makeTempDir({ prefix: "vc-range-ignored-" });
    try {
      const dest = `${dir}/k.bin`;
      // 64 ranges of 64 KiB: ranged, each would bring the object up to its end.
      const got = await downloadToFile(store, "k.bin", dest, {
        parallelThreshold: 64 * 1024,
        partSize: 64 * 1024,
        concurrency: 4,
      });
      assertEquals(got.size, SIZE);
      assertEquals(md5Hex(await Deno.readFile(dest)), md5Hex(DATA));
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["k.bin"]);
      // The first GET, the ranged GETs cancelled at their headers (what the
      // socket buffers took still counts), then one whole stream; ranges
      // brought ~32 objects' worth.
      assert(sent() <= 6 * SIZE, `${sent()} bytes sent for a ${SIZE}-byte object`);
      assert(gets() <= 1 + 4 + 1, `${gets()} GETs`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("download: a HEAD's info first (no plain GET), a server that ignores Range still gets one stream", async () => {
  await withRangeIgnoringServer(async (store, sent) => {
    const dir = await Deno.makeTempDir({ prefix: "vc-range-ignored-" });
    try {
      const dest = `${dir}/k.bin`;
      const expected = { key: "k.bin", size: SIZE, etag: ETAG, lastModified: new Date(0) };
      await downloadToFile(store, "k.bin", dest, {
        expected,
        parallelThreshold: 64 * 1024,
        partSize: 64 * 1024,
        concurrency: 4,
      });
      assertEquals(md5Hex(await Deno.readFile(dest)), md5Hex(DATA));
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["k.bin"]);
      assert(sent() <= 6 * SIZE, `${sent()} bytes sent for a ${SIZE}-byte object`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
