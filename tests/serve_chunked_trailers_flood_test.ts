/**
 * A chunked body whose client sends its last (empty) chunk and then trailer
 * lines without end: Deno.serve (2.9.6) keeps the trailer section in memory
 * whole, with no limit, and hands vc nothing of it, so the service sees a
 * body gone silent while its memory grows by what the client sends. What
 * bounds it is `--body-idle-timeout`: the request is answered 408 and its
 * connection closed, for an upload and for a `cache_id` JSON body alike.
 */
import { assertEquals } from "./assert.ts";
import { readInBackground } from "./conn_reader.ts";
import { newCacheId, startService } from "./server_helpers.ts";

const enc = new TextEncoder();

/**
 * Sends `head` and `body` as one chunk and the last chunk, then trailer
 * lines, 16 KiB a round, until an answer comes (then it stops sending, as a
 * client reading it would: a reset would lose the answer); returns what came
 * back once the service closed the connection. No answer after 2000 rounds
 * (32 MiB, a bound on the test's length), or the connection still open 10 s
 * after it: the test fails.
 */
async function flood(url: string, head: string, body: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    const first = enc.encode(body);
    await conn.write(
      enc.encode(`${head}${first.length.toString(16)}\r\n${body}\r\n0\r\n`),
    );
    const answer = readInBackground(conn);
    const lines = enc.encode(`x-t: ${"a".repeat(1017)}\r\n`.repeat(16));
    let rounds = 0;
    for (; rounds < 2000 && !answer.closed() && answer.text() === ""; rounds++) {
      const failed = await (async () => {
        for (let at = 0; at < lines.length;) at += await conn.write(lines.subarray(at));
      })().then(() => false, () => true);
      if (failed) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    if (rounds === 2000) throw new Error("no answer after 32 MiB of trailers");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`connection still open: ${answer.text()}`)),
        10_000,
      );
    });
    try {
      await Promise.race([answer.ended, bound]);
    } finally {
      clearTimeout(timer);
    }
    return answer.text();
  } finally {
    conn.close();
  }
}

Deno.test("serve: an upload whose trailers never end gets 408 at the body idle timeout, closed", async () => {
  await using t = await startService({ bodyIdleTimeoutMs: 300, headerTimeoutMs: 600_000 });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { trailers: 1 });
  const id = doc.cache_id as string;
  const head = `POST /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
    "content-type: multipart/form-data; boundary=b\r\ntransfer-encoding: chunked\r\n\r\n";
  const part = '--b\r\ncontent-disposition: form-data; name="file"; filename="a.txt"\r\n\r\n';
  const text = await flood(t.url, head, part);
  assertEquals(Number(text.split(" ")[1]), 408, text);
  assertEquals(/\r\nconnection: close\r\n/i.test(text), true, text);
  const lines = t.logs.map((l) => JSON.parse(l)).filter((l) => l.route === "/v1/cache/{id}");
  assertEquals(lines.map((l) => [l.status, l.bytes_in]), [[408, part.length]]);
});

Deno.test("serve: a cache_id body whose trailers never end gets 408 at the body idle timeout, closed", async () => {
  await using t = await startService({ bodyIdleTimeoutMs: 300, headerTimeoutMs: 600_000 });
  const head = `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
    "content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
  const text = await flood(t.url, head, '{"a": 1}');
  assertEquals(Number(text.split(" ")[1]), 408, text);
  assertEquals(/\r\nconnection: close\r\n/i.test(text), true, text);
  const lines = t.logs.map((l) => JSON.parse(l)).filter((l) => l.route === "/v1/cache_id");
  assertEquals(lines.map((l) => l.status), [408]);
});
