/**
 * A chunked request body whose chunk size is not hex (a broken client, a
 * smuggling attempt) is refused by Deno's HTTP parser: the connection is
 * closed, unanswered. No request reached the handler, so the service
 * logged nothing: an operator saw clients fail with no line to go by. Now
 * a line says so, with the client's address and none of the body.
 */
import { assert, assertEquals } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const enc = new TextEncoder();

/** Writes `request` at once (or in two writes, split at `split`), reads until closed. */
async function send(url: string, request: string, split?: number): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const giveUp = setTimeout(() => conn.close(), 10_000);
  try {
    if (split === undefined) await conn.write(enc.encode(request));
    else {
      await conn.write(enc.encode(request.slice(0, split)));
      await new Promise((r) => setTimeout(r, 100));
      await conn.write(enc.encode(request.slice(split))).catch(() => {});
    }
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    for (let i = 0; i < 100; i++) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    return text;
  } finally {
    clearTimeout(giveUp);
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

/** Waits (bounded) for a log line that `match` takes. */
async function logLine(logs: string[], match: (l: string) => boolean): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const line = logs.find(match);
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

Deno.test("serve: a chunk size that is not hex is logged with the client's address, not the body", async () => {
  await using t = await startService();
  const head = `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
    "content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
  for (const split of [undefined, head.length]) {
    t.logs.length = 0;
    const text = await send(t.url, `${head}zz\r\nSECRET-BODY\r\n0\r\n\r\n`, split);
    assert(!text.startsWith("HTTP/1.1 2"), text);
    const line = await logLine(t.logs, (l) => JSON.parse(l).status === 400);
    assert(line !== undefined, `no line for the malformed chunk: ${t.logs.join("\n")}`);
    const record = JSON.parse(line);
    assertEquals(record.remote, "127.0.0.1");
    assert(/malformed|invalid/i.test(record.error), line);
    assert(!line.includes("SECRET"), line);
  }
});
