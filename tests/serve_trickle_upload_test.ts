/**
 * An upload body that trickles in (a byte at a time, never silent for the
 * idle timeout) is given up with 408 once an idle timeout of waiting brought
 * less than MIN_BYTES_PER_IDLE, storing nothing; before, it held its upload
 * slot for as long as the client kept trickling, and with `maxUploads` such
 * clients every other upload waited forever.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { keys, newCacheId, startService, upload } from "./server_helpers.ts";

const enc = new TextEncoder();
const IDLE_MS = 300;

Deno.test("serve: a trickling upload is 408 and frees its slot for others", async () => {
  await using t = await startService({ bodyIdleTimeoutMs: IDLE_MS, maxUploads: 1 });
  const A = t.tokens.alice;
  const slowId = (await newCacheId(t.url, A, { trickle: 1 })).doc.cache_id as string;
  const otherId = (await newCacheId(t.url, A, { trickle: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, A, slowId, "old")).status, 200);
  const before = await keys(t.store, "data/");
  const body = `--bnd\r\ncontent-disposition: form-data; name="file"; filename="t.txt"\r\n\r\n` +
    "x".repeat(2000) + "\r\n--bnd--\r\n";
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const started = Date.now();
  let text = "";
  try {
    await conn.write(enc.encode(
      `POST /v1/cache/${slowId} HTTP/1.1\r\nhost: x\r\nauthorization: ${A}\r\n` +
        `content-type: multipart/form-data; boundary=bnd\r\ncontent-length: ${body.length}\r\n\r\n`,
    ));
    // One byte every 20 ms: never silent for the idle timeout, ~15 bytes per timeout.
    const reading = (async () => {
      const buf = new Uint8Array(4096);
      const n = await conn.read(buf);
      if (n !== null) text = new TextDecoder().decode(buf.subarray(0, n));
    })();
    // The other upload waits for the trickler's slot.
    const other = upload(t.url, A, otherId, "other");
    for (let i = 0; i < body.length && text === "" && Date.now() - started < 5_000; i++) {
      await conn.write(enc.encode(body[i]!)).catch(() => {});
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.race([reading, new Promise((r) => setTimeout(r, 1_000))]);
    assertEquals(text.split(" ")[1], "408", text);
    assertStringIncludes(text, "too slowly");
    assert(Date.now() - started < 4_000, "given up within a few idle timeouts");
    assertEquals((await other).status, 200);
  } finally {
    conn.close();
  }
  const got = await fetch(`${t.url}/v1/cache/${slowId}`, { headers: { authorization: A } });
  assertEquals(await got.text(), "old");
  const after = await keys(t.store, "data/");
  assertEquals(after.filter((k) => !before.includes(k)).length, 1, "only the other upload stored");
});
