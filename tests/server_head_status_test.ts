/**
 * `HEAD /v1/cache/<id>` answers the status a GET would: an entry whose data
 * object was deleted behind the service's back is 404 (not 200 with the
 * metadata's headers), and one whose data object now has another size, or
 * (a small file) other bytes, is 503, as the GET is.
 */
import { CacheClient } from "../src/server/client.ts";
import { assertEquals } from "./assert.ts";
import { keys, startService } from "./server_helpers.ts";

function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 37 + 11) & 0xff;
  return out;
}

for (const size of [1000, 200_000]) {
  Deno.test(`serve: HEAD of a ${size}-byte file answers what GET answers when the store lost or changed its data`, async () => {
    await using t = await startService();
    const client = new CacheClient({ url: t.url, token: t.tokens.alice });
    const id = (await client.id({ size })).cacheId;
    await client.put(id, pattern(size), { filename: "x.bin" });
    const dataKey = (await keys(t.store)).find((k) => k.startsWith("data/") && k.includes(id))!;
    const status = async (method: string) => {
      const r = await fetch(`${t.url}/v1/cache/${id}`, {
        method,
        headers: { authorization: t.tokens.alice },
      });
      await r.body?.cancel();
      return r.status;
    };
    assertEquals([await status("GET"), await status("HEAD")], [200, 200]);
    await t.store.put(dataKey, new Uint8Array(size + 5)); // rewritten at another size
    assertEquals([await status("GET"), await status("HEAD")], [503, 503]);
    await t.store.put(dataKey, new Uint8Array(size)); // same size, other bytes
    // A small file is checked whole before it is served; a large one is relayed.
    const sameSize = size <= 64 * 1024 ? 503 : 200;
    assertEquals([await status("GET"), await status("HEAD")], [sameSize, sameSize]);
    await t.store.delete([dataKey]); // a lifecycle rule, a cleanup
    assertEquals([await status("GET"), await status("HEAD")], [404, 404]);
    // Uploading again repairs it, for both.
    await client.put(id, pattern(size), { filename: "x.bin" });
    assertEquals([await status("GET"), await status("HEAD")], [200, 200]);
  });
}
