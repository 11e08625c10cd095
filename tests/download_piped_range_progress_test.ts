// A parallel download pipes each ranged GET's body into the file without
// JavaScript, and told its progress only when a range was done: on a slow
// link (8 connections sharing 1 MB/s, 8 MiB ranges) the bar stood still at
// `0 B/s` for a minute at a time, then jumped by a quarter. The bytes of a
// range still arriving are now told as they land in the file.
import { md5Hex } from "../src/hash.ts";
import { type DownloadProgress, downloadToFile } from "../src/store/download.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { within } from "./raw_server.ts";
import { testS3Store } from "./versioned_helpers.ts";

const RANGE = 256 * 1024;
const SIZE = 3 * RANGE;
const DATA = Uint8Array.from({ length: SIZE }, (_, i) => (i * 7 + (i >> 11)) & 0xff);
const ETAG = `"${md5Hex(DATA)}"`;

/**
 * A store over `DATA` whose ranged bodies send half their bytes, then wait
 * for `release`.
 */
function heldRangesServer(release: Promise<void>): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (req.method !== "GET") return new Response(null, { status: 405 });
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.get("range") ?? "");
    if (range === null) {
      return new Response(DATA, { headers: { etag: ETAG, "content-length": String(SIZE) } });
    }
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]) + 1, SIZE);
    const half = start + Math.floor((end - start) / 2);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(DATA.slice(start, half));
        await release;
        controller.enqueue(DATA.slice(half, end));
        controller.close();
      },
    });
    return new Response(body, {
      status: 206,
      headers: {
        etag: ETAG,
        "content-length": String(end - start),
        "content-range": `bytes ${start}-${end - 1}/${SIZE}`,
      },
    });
  });
}

Deno.test("download: the bytes of a ranged GET still arriving are told as progress before the range ends", async () => {
  // Ranged bodies send half their bytes, then wait for this.
  const release = Promise.withResolvers<void>();
  await using server = heldRangesServer(release.promise);
  await using store = testS3Store({ url: `http://127.0.0.1:${server.addr.port}` }, "b", {
    maxAttempts: 1,
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-piped-progress-" });
  const reports: DownloadProgress[] = [];
  // Range 0 comes whole from the first GET; past it, only held ranges' bytes.
  const pastFirstRange = Promise.withResolvers<void>();
  try {
    const dest = `${dir}/k.bin`;
    const download = downloadToFile(store, "k.bin", dest, {
      parallelThreshold: RANGE,
      partSize: RANGE,
      concurrency: 3,
      onProgress: (p) => {
        reports.push(p);
        if (p.bytes > RANGE) pastFirstRange.resolve();
      },
    });
    try {
      // Bounded: without the fix nothing past range 0 is told while the ranges are held.
      await within(30_000, pastFirstRange.promise);
    } finally {
      release.resolve();
    }
    const got = await download;
    assertEquals(got.size, SIZE);
    assertEquals(md5Hex(await Deno.readFile(dest)), md5Hex(DATA));
    const last = reports.at(-1);
    assertEquals(last?.bytes, SIZE);
    // Never more than the object, never going back.
    for (let i = 1; i < reports.length; i++) {
      assert(reports[i]!.bytes >= reports[i - 1]!.bytes, JSON.stringify(reports));
      assert(reports[i]!.bytes <= SIZE);
    }
  } finally {
    release.resolve();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: a progress listener that throws while a piped range arrives fails the download, not the process", async () => {
  const release = Promise.withResolvers<void>();
  await using server = heldRangesServer(release.promise);
  await using store = testS3Store({ url: `http://127.0.0.1:${server.addr.port}` }, "b", {
    maxAttempts: 1,
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-piped-progress-" });
  try {
    const download = downloadToFile(store, "k.bin", `${dir}/k.bin`, {
      parallelThreshold: RANGE,
      partSize: RANGE,
      concurrency: 3,
      // Past range 0: told only while the held ranges arrive (by the timer).
      onProgress: (p) => {
        if (p.bytes > RANGE) throw new Error("the listener failed");
      },
    });
    // Thrown in the timer, it was uncaught: the process (here, the test run) died.
    const e = await within(30_000, assertRejects(() => download));
    assertEquals((e as Error).message, "the listener failed");
  } finally {
    release.resolve();
    await Deno.remove(dir, { recursive: true });
  }
});
