/**
 * `CacheClient.put` of a file sends a Content-Length. Sent through `fetch`
 * the file went chunked, which `Deno.serve` reads slowly once its reader
 * pauses for the store: a 1 GiB `vc cache-client put` took 7 minutes of the
 * service's CPU (6 s with a length). A file that shrinks while it is sent
 * fails the upload, and the service keeps its previous file.
 */
import { join } from "node:path";
import { assertEquals, assertRejects } from "./assert.ts";
import { CacheClient, serveCache } from "../src/server/mod.ts";
import { FsStore } from "../src/store/fs.ts";

Deno.test("cache-client put of a file: sent with a Content-Length; a shrinking file stores nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_put_" });
  try {
    const lengths: (string | null)[] = [];
    await using service = await serveCache({
      store: new FsStore(join(dir, "store")),
      port: 0,
      log: () => {},
      sweepIntervalMs: 0,
      auth: {
        authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }),
      },
    });
    // A front that notes each upload's Content-Length and passes it on.
    await using front = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
      onError: () => new Response(null, { status: 502 }),
    }, (req) => {
      const url = new URL(req.url);
      if (url.pathname.startsWith("/v1/cache/")) lengths.push(req.headers.get("content-length"));
      return fetch(`${service.url}${url.pathname}`, {
        method: req.method,
        headers: req.headers,
        body: req.body,
      });
    });
    const client = new CacheClient({ url: `http://127.0.0.1:${front.addr.port}`, token: "alice" });
    const { cacheId } = await client.id({ k: 1 });
    const file = join(dir, "out.bin");
    await Deno.writeFile(file, new Uint8Array(3 * 1024 * 1024).fill(7));
    const seen: number[] = [];
    await client.put(cacheId, { path: file }, { onProgress: (p) => seen.push(p.bytes) });
    assertEquals(lengths.length, 1);
    assertEquals(Number(lengths[0]) > 3 * 1024 * 1024, true, `content-length ${lengths[0]}`);
    assertEquals(seen.at(-1), 3 * 1024 * 1024);
    assertEquals((await client.getBytes(cacheId))?.length, 3 * 1024 * 1024);

    await Deno.writeFile(file, new Uint8Array(2 * 1024 * 1024).fill(8));
    await assertRejects(() =>
      client.put(cacheId, { path: file }, {
        onProgress: () => Deno.truncateSync(file, 1024 * 1024),
      })
    );
    assertEquals((await client.getBytes(cacheId))?.[0], 7);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
