/**
 * A client trickling its upload at just over the floor (1 KiB per
 * `--body-idle-timeout`) was never cut, so such clients could hold every
 * upload slot for as long as they liked. Past its first `bodyIdleTimeoutMs`
 * of waiting, an upload must now come at `uploadMinRate` on average (as
 * Apache's `mod_reqtimeout` `MinRate`): a slower one is 408, stores nothing
 * and frees its slot, while one well above the rate, sent in bursts with
 * pauses (as `curl --limit-rate` sends), is stored.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const enc = new TextEncoder();
const IDLE_MS = 300;
const MIN_RATE = 20_000;

/**
 * Sends an upload of `size` file bytes over a raw connection, `chunk` bytes
 * per write with `pauseMs` between writes, until the service answers or the
 * body is sent; returns the answer's status line and body.
 */
async function paced(
  url: string,
  token: string,
  id: string,
  size: number,
  chunk: number,
  pauseMs: number,
): Promise<string> {
  const head = `--bnd\r\ncontent-disposition: form-data; name="file"; filename="t.bin"\r\n\r\n`;
  const tail = "\r\n--bnd--\r\n";
  const body = enc.encode(head + "x".repeat(size) + tail);
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode(
      `POST /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${token}\r\n` +
        `content-type: multipart/form-data; boundary=bnd\r\ncontent-length: ${body.length}\r\n` +
        `connection: close\r\n\r\n`,
    ));
    let answered = false;
    // The answer ends at its Content-Length (the service may keep the connection open).
    const reading = (async () => {
      let text = "";
      const buf = new Uint8Array(4096);
      for (;;) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) return text;
        answered = true;
        text += new TextDecoder().decode(buf.subarray(0, n));
        const headEnd = text.indexOf("\r\n\r\n");
        const length = /^content-length: *(\d+)/im.exec(text)?.[1];
        if (headEnd >= 0 && length !== undefined && text.length >= headEnd + 4 + Number(length)) {
          return text;
        }
      }
    })();
    for (let at = 0; at < body.length && !answered; at += chunk) {
      const ok = await conn.write(body.subarray(at, at + chunk)).then(() => true, () => false);
      if (!ok) break;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    return await reading;
  } finally {
    conn.close();
  }
}

Deno.test("serve: an upload under uploadMinRate on average is 408 and frees its slot", async () => {
  await using t = await startService({
    bodyIdleTimeoutMs: IDLE_MS,
    uploadMinRate: MIN_RATE,
    maxUploads: 1,
  });
  const A = t.tokens.alice;
  const slowId = (await newCacheId(t.url, A, { rate: 1 })).doc.cache_id as string;
  const otherId = (await newCacheId(t.url, A, { rate: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, A, slowId, "old")).status, 200);
  // 1.1 KiB every 100 ms: over the floor of 1 KiB per idle timeout, under
  // 20 kB/s; the whole 200 kB would take 18 s.
  const answer = await paced(t.url, A, slowId, 200_000, 1_100, 100);
  assertEquals(answer.split(" ")[1], "408", answer);
  assertStringIncludes(answer, "under the minimum of 20000 bytes/s");
  const got = await fetch(`${t.url}/v1/cache/${slowId}`, { headers: { authorization: A } });
  assertEquals(await got.text(), "old", "the cut upload stored nothing");
  // Its slot is free: the next upload is stored.
  assertEquals((await upload(t.url, A, otherId, "other")).status, 200);
});

Deno.test("serve: an upload in bursts well above uploadMinRate is stored", async () => {
  await using t = await startService({
    bodyIdleTimeoutMs: IDLE_MS,
    uploadMinRate: MIN_RATE,
    maxUploads: 1,
  });
  const A = t.tokens.alice;
  const id = (await newCacheId(t.url, A, { rate: 3 })).doc.cache_id as string;
  // 64 KiB bursts every 100 ms (~650 kB/s nominal, 30x the rate), 1 MB in all.
  const answer = await paced(t.url, A, id, 1_000_000, 64 * 1024, 100);
  assertEquals(answer.split(" ")[1], "200", answer);
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: A } });
  assertEquals((await got.bytes()).length, 1_000_000);
});
