/**
 * `CacheClient.download` and `put` with an `onProgress` that throws: the
 * download failed as "cannot write DEST: <what it threw>" (as if the disk
 * had), and one whose promise rejects (an `async` callback) ended the
 * process with an unhandled rejection; a download of a small file (one
 * chunk) whose callback's promise rejected resolved `true`, the failure
 * dropped. Now either rejects with a `CallbackError` naming `onProgress`
 * (in its message too, with what was thrown, an `Error` or not), its
 * `cause` what was thrown; the destination is not written and no temp file
 * is left beside it, and an upload stores nothing (the service keeps what
 * it had).
 */
import { join } from "node:path";
import { CallbackError } from "../src/errors.ts";
import { CacheClient, serveCache } from "../src/server/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";

async function callbackFailure(p: Promise<unknown>, thrown: unknown): Promise<void> {
  const result = await p.then((ok) => ({ ok }), (error: unknown) => ({ error }));
  assert("error" in result, `resolved: ${JSON.stringify(result)}`);
  const error = result.error;
  assert(error instanceof CallbackError, `rejected with ${error}`);
  assertEquals(error.callback, "onProgress");
  assert(error.cause === thrown, `cause: ${error.cause}`);
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  assert(error.message.includes(`the onProgress callback threw: ${text}`), error.message);
}

for (const how of ["throws", "rejects", "throws a non-Error"] as const) {
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
      // A string, for the callback that throws what is no Error.
      const boom = how === "throws a non-Error" ? "progress broke" : new Error("progress broke");
      const onProgress = how === "rejects" ? () => Promise.reject(boom) : () => {
        throw boom;
      };
      await Deno.mkdir(join(dir, "down"));
      // A small file comes in one chunk: its callback's promise rejects once
      // the last bytes came.
      for (const size of [10, 3 * 1024 * 1024]) {
        const { cacheId } = await client.id({ size });
        const kept = new Uint8Array(size).fill(7);
        const file = join(dir, "in.bin");
        await Deno.writeFile(file, kept);
        await client.put(cacheId, { path: file });

        const dest = join(dir, "down", "got.bin");
        await callbackFailure(client.download(cacheId, dest, { onProgress }), boom);
        assertEquals([...Deno.readDirSync(join(dir, "down"))].map((e) => e.name), []);

        await Deno.writeFile(file, new Uint8Array(size).fill(8));
        for (const body of [{ path: file }, new Uint8Array(size).fill(9)]) {
          await callbackFailure(client.put(cacheId, body, { onProgress }), boom);
        }
        // The service keeps what it had, and a download without the callback gets it.
        assertEquals(await client.getBytes(cacheId), kept);
        assert(await client.download(cacheId, dest));
        assertEquals(await Deno.readFile(dest), kept);
        await Deno.remove(dest);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
