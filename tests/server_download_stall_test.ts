/**
 * A client that opens a download and then reads nothing (a raw TCP socket
 * that takes the head and stops) must not hold the response, the store's
 * stream and the connection forever, nor a graceful shutdown: past
 * `bodyIdleTimeoutMs` plus the file's length at `downloadMinRate` the
 * download is cut, its connection closed and the cut logged.
 */
import { assert, assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";

const SIZE = 32 << 20; // more than loopback's socket buffers take in

async function stalledDownload(shutdownFirst: boolean, s3 = false): Promise<void> {
  // Over S3 the store's body is fetch's own, relayed without JavaScript.
  await using fake = s3 ? await startFakeS3({ buckets: ["cache"] }) : undefined;
  await using t = await startService({
    bodyIdleTimeoutMs: 300,
    downloadMinRate: 64 << 20,
    ...(fake === undefined ? {} : { store: serviceS3Store(fake.url, "svc") }),
  });
  const { alice } = t.tokens;
  const params = { n: shutdownFirst ? 1 : 2 };
  const { doc } = await newCacheId(t.url, alice, params);
  const id = doc.cache_id as string;
  {
    // Uploaded through another instance on the same store, with the default
    // bounds: on a loaded machine the 300 ms idle bound could cut the 32 MiB
    // upload itself (408), which is not what this test is about.
    await using loader = await startService({
      store: fake === undefined ? new FsStore(`${t.dir}/store`) : serviceS3Store(fake.url, "svc"),
    });
    // The same identity (alice) and parameters: the same cache ID.
    const mine = await newCacheId(loader.url, loader.tokens.alice, params);
    assertEquals(mine.doc.cache_id, id);
    const put = await upload(loader.url, loader.tokens.alice, id, new Uint8Array(SIZE), "big.bin");
    assertEquals(put.status, 200);
  }
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  // Bounds the test whatever happens; a connection it closes was not cut.
  let watchdogFired = false;
  const watchdog = setTimeout(() => {
    watchdogFired = true;
    conn.close();
  }, 20_000);
  try {
    await conn.write(new TextEncoder().encode(
      `GET /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${alice}\r\n\r\n`,
    ));
    const head = new Uint8Array(4096);
    const n = await conn.read(head);
    assert(n !== null && new TextDecoder().decode(head.subarray(0, n)).startsWith("HTTP/1.1 200"));
    // A SIGTERM drain must not wait for this client.
    const stopped = shutdownFirst ? t.service.shutdown() : undefined;
    await new Promise((r) => setTimeout(r, 2_000)); // reads nothing meanwhile
    // Then reads what is buffered: the connection ends well before the file.
    // From S3 too: Deno.serve would relay fetch's body past the store's
    // abort (the whole file came, the client's connection held for good).
    let got = n;
    const buf = new Uint8Array(1 << 20);
    try {
      while (true) {
        const m = await conn.read(buf);
        if (m === null) break;
        got += m;
      }
    } catch {
      // Reset by the server: cut as well.
    }
    assert(got < SIZE, `the whole file came (${got} bytes): not cut`);
    await stopped;
    assert(!watchdogFired, "not cut: the test's watchdog closed the connection");
    const record = JSON.parse(
      t.logs.findLast((l) => l.includes('"method":"GET"') && l.includes("download cut"))!,
    );
    assertEquals(record.aborted, true);
    assertEquals(record.bytes_out_unconfirmed, undefined);
  } finally {
    clearTimeout(watchdog);
    try {
      conn.close();
    } catch {
      // Closed by the watchdog.
    }
  }
}

Deno.test("serve: a download whose client stops reading is cut after its bound", async () => {
  await stalledDownload(false);
});

Deno.test("serve: a shutdown cuts a download whose client stops reading", async () => {
  await stalledDownload(true);
});

Deno.test("serve: a download from S3 whose client stops reading is cut after its bound", async () => {
  await stalledDownload(false, true);
});

Deno.test("serve: a shutdown cuts a download from S3 whose client stops reading", async () => {
  await stalledDownload(true, true);
});
