/**
 * A request body sent in tiny chunks (1 byte each) costs Deno.serve one
 * read per chunk (~40 µs of the event loop each): a 200 KB upload in 1-byte
 * chunks held other clients' requests for seconds (a /healthz took 4.2 s).
 * Such a body is refused with 400 once it has come in many reads of a few
 * bytes on average, for an upload and a cache_id JSON body alike, while a
 * chunked body in chunks of a usual size is stored as before.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Sends `head` then `body` chunked in `size`-byte chunks; resolves to the answer's status and body. */
async function sendChunked(
  url: string,
  head: string,
  body: Uint8Array,
  size: number,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode(`${head}transfer-encoding: chunked\r\n\r\n`));
    let answer = "";
    const buf = new Uint8Array(16 * 1024);
    let reading: Promise<number | null> | undefined;
    const answered = () => /\r\n\r\n[\s\S]*\}/.test(answer);
    // Writes the chunks in batches, reading the answer when one came (the
    // service may answer before the body's end).
    for (let at = 0; at < body.length && !answered(); at += 4096) {
      const parts: string[] = [];
      const end = Math.min(body.length, at + 4096);
      for (let i = at; i < end; i += size) {
        const piece = body.subarray(i, Math.min(end, i + size));
        parts.push(`${piece.length.toString(16)}\r\n${dec.decode(piece)}\r\n`);
      }
      if (await conn.write(enc.encode(parts.join(""))).then(() => false, () => true)) break;
      reading ??= conn.read(buf).catch(() => null);
      const n = await Promise.race([reading, Promise.resolve("later" as const)]);
      if (n === "later") continue;
      reading = undefined;
      if (n === null) break;
      answer += dec.decode(buf.subarray(0, n));
    }
    await conn.write(enc.encode("0\r\n\r\n")).catch(() => {});
    for (let i = 0; i < 100 && !answered(); i++) {
      const n = await (reading ?? conn.read(buf).catch(() => null));
      reading = undefined;
      if (n === null) break;
      answer += dec.decode(buf.subarray(0, n));
    }
    return {
      status: Number(answer.split(" ")[1]),
      text: answer.slice(answer.indexOf("\r\n\r\n") + 4),
    };
  } finally {
    conn.close();
  }
}

function multipart(file: string): Uint8Array {
  return enc.encode(
    `--b\r\ncontent-disposition: form-data; name="file"; filename="a.txt"\r\n\r\n${file}\r\n--b--\r\n`,
  );
}

Deno.test("serve: an upload sent in 1-byte chunks is refused (400), one in usual chunks stored", async () => {
  await using t = await startService();
  const { cache_id: id } = await fetch(`${t.url}/v1/cache_id`, {
    method: "POST",
    headers: { authorization: t.tokens.alice, "content-type": "application/json" },
    body: '{"k": 1}',
  }).then((r) => r.json());
  const head = `POST /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
    "content-type: multipart/form-data; boundary=b\r\n";
  const tiny = await sendChunked(t.url, head, multipart("a".repeat(100_000)), 1);
  assertEquals(tiny.status, 400, tiny.text);
  assertStringIncludes(tiny.text, "chunks");
  // Nothing was stored.
  const miss = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(miss.status, 404);
  await miss.body?.cancel();
  const usual = await sendChunked(t.url, head, multipart("b".repeat(100_000)), 1000);
  assertEquals(usual.status, 200, usual.text);
  const hit = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(await hit.text(), "b".repeat(100_000));
});

Deno.test("serve: a cache_id JSON body sent in 1-byte chunks is refused (400)", async () => {
  await using t = await startService();
  const head = `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
    "content-type: application/json\r\n";
  const json = enc.encode(JSON.stringify({ pad: "x".repeat(50_000) }));
  const tiny = await sendChunked(t.url, head, json, 1);
  assertEquals(tiny.status, 400, tiny.text);
  assertStringIncludes(tiny.text, "chunks");
  const usual = await sendChunked(t.url, head, json, 1000);
  assertEquals(usual.status, 200, usual.text);
});
