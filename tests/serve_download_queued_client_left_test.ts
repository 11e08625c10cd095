/**
 * A download waiting for its identity's share (`maxDownloadsPerIdentity`)
 * whose client closed its connection meanwhile still took the slot when one
 * freed: it opened the file in the store and "sent" it to the dead socket,
 * logged as a 200 with the whole file out, each such one ahead of the live
 * downloads queued behind it (with `downloadQueueTimeoutMs` 0, for as long
 * as slots took to free). Deno.serve aborts a bodiless request's signal
 * when its client closes the connection (measured on 2.9.6: a close, a
 * half-close, a fetch aborted), so a waiting download whose client left is
 * now dropped from the queue at once, the store untouched, and logged as a
 * 503 saying so.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

/** The service's download gauges from `/metrics`. */
async function downloads(url: string): Promise<{ active: number; queued: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
  return { active: gauge("vc_serve_downloads_active"), queued: gauge("vc_serve_downloads_queued") };
}

/** Waits (bounded) until `test` holds of the download gauges. */
async function until(
  url: string,
  test: (g: { active: number; queued: number }) => boolean,
): Promise<{ active: number; queued: number }> {
  let g = await downloads(url);
  for (let i = 0; i < 500 && !test(g); i++) {
    await new Promise((r) => setTimeout(r, 10));
    g = await downloads(url);
  }
  return g;
}

Deno.test("serve: a queued download whose client left is dropped, the store untouched", async () => {
  await using t = await startService({ maxDownloadsPerIdentity: 1, downloadQueueTimeoutMs: 0 });
  const A = t.tokens.alice;
  const bigId = (await newCacheId(t.url, A, { left: 1 })).doc.cache_id as string;
  const smallId = (await newCacheId(t.url, A, { left: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, A, bigId, new Uint8Array(32 << 20), "big.bin")).status, 200);
  assertEquals((await upload(t.url, A, smallId, "small")).status, 200);
  // Alice's one slot, held while its body is unread.
  const held = await fetch(`${t.url}/v1/cache/${bigId}`, { headers: { authorization: A } });
  try {
    assertEquals(held.status, 200);
    // Three clients ask for the small file, queue, and leave.
    const port = Number(new URL(t.url).port);
    const request = `GET /v1/cache/${smallId} HTTP/1.1\r\nhost: x\r\nauthorization: ${A}\r\n\r\n`;
    const gone: Deno.TcpConn[] = [];
    for (let i = 0; i < 3; i++) {
      const conn = await Deno.connect({ port });
      gone.push(conn);
      await conn.write(new TextEncoder().encode(request));
    }
    assertEquals((await until(t.url, (g) => g.queued === 3)).queued, 3);
    for (const conn of gone) conn.close();
    // Dropped from the queue while the slot is still held.
    assertEquals(await until(t.url, (g) => g.queued === 0), { active: 1, queued: 0 });
    const dropped = t.logs.filter((l) => l.includes(smallId) && l.includes('"GET"'))
      .map((l) => JSON.parse(l));
    assertEquals(dropped.length, 3);
    for (const line of dropped) {
      assertEquals(line.status, 503);
      assertStringIncludes(line.error, "the client left while its download waited for a slot");
    }
    // A live one queued now is served once the slot frees.
    const waiting = fetch(`${t.url}/v1/cache/${smallId}`, { headers: { authorization: A } });
    assertEquals((await until(t.url, (g) => g.queued === 1)).queued, 1);
    await held.body?.cancel();
    const res = await waiting;
    assertEquals([res.status, await res.text()], [200, "small"]);
  } finally {
    await held.body?.cancel().catch(() => {});
  }
});
