/**
 * A server that keeps a body trickling (a few bytes at a time, never a full
 * request timeout of silence) must not hold a download for days: each few
 * bytes used to re-arm the idle timeout. A body now has to deliver 64 KiB
 * (or its end) within each request timeout, both where S3Store guards a
 * streamed body and where a parallel download pipes a ranged GET into its
 * file; a slow body that keeps that pace still arrives whole.
 *
 * The S3Store tests count their timeouts on a ManualClock paced by what the
 * client has received (./paced_body.ts), not on real time.
 */
import { OfflineError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { downloadToFile } from "../src/store/download.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { rawServer, readHead, storeAt, within } from "./raw_server.ts";
import { type PacedBodies, pacedBodies } from "./paced_body.ts";
import { ManualClock } from "../src/testing/mod.ts";

const enc = new TextEncoder();

/** Sends `bytes` in pieces of `piece` every `everyMs` until done or the peer goes away. */
async function drip(conn: Deno.Conn, bytes: Uint8Array, piece: number, everyMs: number) {
  for (let i = 0; i < bytes.length; i += piece) {
    await conn.write(bytes.subarray(i, i + piece));
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * One object served with Range support; each answer's bytes go out through
 * `send` (its head through `paced`, when the body is paced).
 */
function objectServer(
  data: Uint8Array,
  send: (conn: Deno.Conn, bytes: Uint8Array, ranged: boolean) => Promise<void>,
  paced?: PacedBodies,
) {
  const etag = `"${md5Hex(data)}"`;
  return rawServer(async (conn) => {
    try {
      const head = await readHead(conn);
      const range = /\r\nrange: bytes=(\d+)-(\d*)/i.exec(head);
      let start = 0;
      let end = data.length - 1;
      if (range) {
        start = Number(range[1]);
        if (range[2]) end = Math.min(end, Number(range[2]));
      }
      const bytes = data.subarray(start, end + 1);
      const status = range
        ? `206 Partial Content\r\nContent-Range: bytes ${start}-${end}/${data.length}`
        : "200 OK";
      const text = `HTTP/1.1 ${status}\r\nContent-Length: ${bytes.length}\r\nETag: ${etag}\r\n` +
        `Connection: close\r\n\r\n`;
      if (paced !== undefined) await paced.head(conn, text);
      else await conn.write(enc.encode(text));
      if (!head.startsWith("HEAD")) await send(conn, bytes, range !== null);
    } finally {
      try {
        conn.close();
      } catch {
        // Closed by the client.
      }
    }
  });
}

/** Sends `bytes` in pieces of `piece`, the clock moving `everyMs` on once the client has each. */
async function pacedDrip(
  paced: PacedBodies,
  conn: Deno.Conn,
  bytes: Uint8Array,
  piece: number,
  everyMs: number,
) {
  for (let i = 0; i < bytes.length; i += piece) {
    if (!await paced.send(conn, bytes.subarray(i, i + piece), everyMs)) return;
  }
}

// The request timeouts of these stores count on a ManualClock that moves only
// once the client has every byte sent so far (./paced_body.ts): the pace the
// client sees is the test's, however loaded the machine.
for (const http1 of [true, false]) {
  Deno.test(`S3Store${http1 ? "" : " over fetch"}: a body trickling a few bytes at a time times out instead of taking days`, async () => {
    const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 0xff);
    const clock = new ManualClock();
    using paced = pacedBodies(clock, http1);
    // 20 bytes every 20 ms: never 400 ms of silence, 3 MiB in ~2 days.
    await using server = objectServer(
      data,
      (conn, bytes) => pacedDrip(paced, conn, bytes, 20, 20),
      paced,
    );
    const s = storeAt(server.url, 400, { http1, clock });
    try {
      const { body } = await s.get("k");
      const error = await assertRejects(
        () => within(20_000, new Response(body).arrayBuffer()),
        OfflineError,
      );
      assertStringIncludes(error.message, server.url);
      assertStringIncludes(error.message, "timed out");
    } finally {
      await s.close();
    }
  });

  Deno.test(`S3Store${http1 ? "" : " over fetch"}: a slow body that keeps 64 KiB per request timeout arrives whole`, async () => {
    const data = new Uint8Array(1024 * 1024 + 77).map((_, i) => (i * 3) & 0xff);
    const clock = new ManualClock();
    const start = clock.now();
    using paced = pacedBodies(clock, http1);
    // 64 KiB every 640 ms in 8 KiB pieces against a 1 s timeout: ~10 s in all.
    await using server = objectServer(
      data,
      (conn, bytes) => pacedDrip(paced, conn, bytes, 8 * 1024, 80),
      paced,
    );
    const s = storeAt(server.url, 1_000, { http1, clock });
    try {
      const { body } = await s.get("k");
      const got = new Uint8Array(await within(20_000, new Response(body).arrayBuffer()));
      assertEquals(got.length, data.length);
      assertEquals(md5Hex(got), md5Hex(data));
      assertEquals(clock.now() - start >= 10_000, true, "slower in all than the timeout");
    } finally {
      await s.close();
    }
  });
}

Deno.test("download: a parallel download whose ranged GETs trickle fails within a few timeouts, no file left", async () => {
  const data = new Uint8Array(6 * 1024 * 1024).map((_, i) => (i * 11) & 0xff);
  // The first GET (range 0 of the parallel download) arrives at full speed;
  // every ranged GET after it trickles, so only the pipe's own guard sees it.
  await using server = objectServer(data, async (conn, bytes, ranged) => {
    if (!ranged) {
      await conn.write(bytes.subarray(0, 2 * 1024 * 1024));
      await drip(conn, bytes.subarray(2 * 1024 * 1024), 20, 20);
    } else await drip(conn, bytes, 20, 20);
  });
  const s = storeAt(server.url, 400);
  const dir = await Deno.makeTempDir();
  const timer = AbortSignal.timeout(30_000);
  try {
    const error = await downloadToFile(s, "k.bin", `${dir}/k.bin`, {
      parallelThreshold: 2 * 1024 * 1024,
      partSize: 2 * 1024 * 1024,
      signal: timer,
    }).then(() => undefined, (e) => e);
    assertEquals(timer.aborted, false, "still trickling after 30 s");
    assertEquals(error instanceof Error, true, "a trickle is a failure");
    assertEquals([...Deno.readDirSync(dir)].length, 0, "no file left");
  } finally {
    await s.close();
    await Deno.remove(dir, { recursive: true });
  }
});
