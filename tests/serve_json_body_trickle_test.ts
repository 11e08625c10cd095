/**
 * A cache_id JSON body must arrive whole within the body idle timeout: one
 * that trickles in (a byte every third of the timeout) is given up with 408,
 * and the answer says so, not that nothing came (bytes did come).
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const IDLE_MS = 300;

for (
  const [label, framing] of [
    ["with a Content-Length", "content-length: 100\r\n\r\n"],
    ["chunked", "transfer-encoding: chunked\r\n\r\n"],
  ] as const
) {
  Deno.test(`serve: a cache_id body ${label} that trickles in is 408, not "nothing came"`, async () => {
    await using t = await startService({ bodyIdleTimeoutMs: IDLE_MS });
    const { hostname, port } = new URL(t.url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      await conn.write(enc.encode(
        `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
          `content-type: application/json\r\n${framing}`,
      ));
      const chunked = framing.startsWith("transfer");
      let text = "";
      const buf = new Uint8Array(16 * 1024);
      const until = Date.now() + 5_000;
      // One byte each IDLE_MS / 3 until the answer comes (bounded in time);
      // one read pending at a time, so no answer bytes are lost.
      let reading: Promise<number | null> | undefined;
      while (Date.now() < until && !/\r\n\r\n[\s\S]*\}/.test(text)) {
        await conn.write(enc.encode(chunked ? "1\r\n \r\n" : " ")).catch(() => {});
        reading ??= conn.read(buf).catch(() => null);
        const n = await Promise.race([
          reading,
          new Promise<"wait">((r) => setTimeout(() => r("wait"), IDLE_MS / 3)),
        ]);
        if (n === "wait") continue;
        reading = undefined;
        if (n === null) break;
        text += dec.decode(buf.subarray(0, n));
      }
      assertEquals(Number(text.split(" ")[1]), 408, text);
      const body = text.slice(text.indexOf("\r\n\r\n") + 4);
      assertStringIncludes(body, "did not arrive whole within 0.3 s");
      assert(!body.includes("nothing came"), body);
    } finally {
      conn.close();
    }
  });
}
