/**
 * `CacheClient.download` and `put` with an `onProgress` that throws: the
 * download failed as "cannot write DEST: <what it threw>" (as if the disk
 * had), and one whose promise rejects (an `async` callback) ended the
 * process with an unhandled rejection. Now either rejects with a
 * `CallbackError` naming `onProgress`, its `cause` what was thrown; the
 * destination is not written and no temp file is left beside it, and an
 * upload stores nothing (the service keeps what it had).
 */
import { join } from "node:path";
import { CallbackError } from "../src/errors.ts";
import { CacheClient, serveCache } from "../src/server/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";

const SIZE = 3 * 1024 * 1024;

async function callbackFailure(p: Promise<unknown>, thrown: Error): Promise<void> {
  const result = await p.then((ok) => ({ ok }), (error: unknown) => ({ error }));
  assert("error" in result, `resolved: ${JSON.stringify(result)}`);
  const error = result.error;
  assert(error instanceof CallbackError, `rejected with ${error}`);
  assertEquals(error.callback, "onProgress");
  assert(error.cause === thrown, `cause: ${error.cause}`);
}

for (const how of ["throws", "rejects"] as const) {
  Deno.test(`CacheClient: an onProgress that ${how} rejects with a CallbackError, nothing written`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-cc-progress-throws-" });
    try {
      await using service = await serveCache({
        store: new FsStore(join(dir, "store")),
        port: 0,
        log: () => {},
        sweepIntervalMs: 0,
        auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
      });
      const client = new CacheClient({ url: service.url, token: "alice" });
      const { cacheId } = await client.id({ k: 1 });
      const file = join(dir, "in.bin");
      await Deno.writeFile(file, new Uint8Array(SIZE).fill(7));
      await client.put(cacheId, { path: file });
      const boom = new Error(`progress ${how}`);
      const onProgress = how === "throws"
        ? () => {
          throw boom;
        }
        : () => Promise.reject(boom);

      await Deno.mkdir(join(dir, "down"));
      await callbackFailure(
        client.download(cacheId, join(dir, "down", "got.bin"), { onProgress }),
        boom,
      );
      assertEquals([...Deno.readDirSync(join(dir, "down"))].map((e) => e.name), []);

      await Deno.writeFile(file, new Uint8Array(SIZE).fill(8));
      for (const body of [{ path: file }, new Uint8Array(SIZE).fill(9)]) {
        await callbackFailure(client.put(cacheId, body, { onProgress }), boom);
      }
      // The service keeps what it had.
      assertEquals((await client.getBytes(cacheId))?.[0], 7);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
