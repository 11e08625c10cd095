/**
 * A `CacheClient` request whose service restarts under it (`systemctl
 * restart`, a crash and its restart) is retried until the new process
 * listens: its connection is cut, then refused while the service starts.
 * The refusals were retried with the blip backoff (at most 1.5 s over all 5
 * attempts), while `vc serve` takes seconds to start, so `vc cache-client
 * put` gave up after 0.85 s with "cannot reach the cache service" though
 * the README promised a restart was retried. Over one store, as several
 * instances share it: the ID comes from one instance, the upload lands on
 * the one that (re)starts on the first's port.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { CacheClient, serveCache } from "../src/server/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { rawServer } from "./raw_server.ts";

const auth = { authenticate: (t: string) => Promise.resolve({ tokenId: `t:${t}`, name: t }) };

Deno.test("CacheClient: an upload cut by a restart is sent again once the service listens again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_qa393_" });
  try {
    const store = new FsStore(join(dir, "store"));
    await using first = await serveCache({
      store,
      port: 0,
      log: () => {},
      sweepIntervalMs: 0,
      auth,
    });
    const { cacheId } = await new CacheClient({ url: first.url, token: "alice" }).id({ k: 1 });

    // The instance the upload goes to: it reads the request's head, then
    // dies (its connection cut, its port closed).
    const cut = Promise.withResolvers<void>();
    const dying = rawServer(async (conn) => {
      const buffer = new Uint8Array(64 * 1024);
      await conn.read(buffer);
      conn.close();
      cut.resolve();
    });
    const client = new CacheClient({ url: dying.url, token: "alice" });
    const started = performance.now();
    const upload = client.put(cacheId, new TextEncoder().encode("the output"));
    upload.catch(() => {});
    await cut.promise;
    await dying[Symbol.asyncDispose]();
    // Longer than all the blip retries together (100 + 200 + 400 + 800 ms).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await using restarted = await serveCache({
      store,
      port: dying.port,
      log: () => {},
      sweepIntervalMs: 0,
      auth,
    });
    await upload;
    assert(performance.now() - started < 10_000, "the retries took too long");
    const bytes = await new CacheClient({ url: restarted.url, token: "alice" }).getBytes(cacheId);
    assertEquals(new TextDecoder().decode(bytes), "the output");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
