/**
 * A download moves its entry's expiry forward (a metadata write) once a day.
 * On a store that takes no writes just then (a full disk, a read-only
 * mount, S3 throttling past its retries) that write failed the download
 * with 503, although the file was there to read: every file not downloaded
 * in the last day became unreachable. The file is now served, the expiry
 * left as it was for a later download to move, and the request's log line
 * says why under `warning`.
 */
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { StoreError } from "../src/errors.ts";
import { assert, assertEquals } from "./assert.ts";
import { DAY, newCacheId, startService, upload } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

/** `inner`, with every put rejected while `disk.full` is set (ENOSPC, as FsStore says it). */
function fullDisk(inner: ObjectStore, disk: { full: boolean }): ObjectStore {
  return overriding(inner, {
    put: (key, ...rest) =>
      disk.full
        ? Promise.reject(
          new StoreError(
            `put ${key} in file:///srv failed: No space left on device (os error 28)`,
          ),
        )
        : inner.put(key, ...rest),
  });
}

Deno.test("serve: a download whose expiry refresh the store refuses is served, and the log says so", async () => {
  const disk = { full: false };
  await using t = await startService({ store: fullDisk(new MemoryStore(), disk) });
  const id = (await newCacheId(t.url, t.tokens.alice, { a: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, t.tokens.alice, id, "hello")).status, 200);
  t.clock.advance(3 * DAY); // its expiry is due to move
  disk.full = true;
  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals([res.status, await res.text()], [200, "hello"]); // was 503
  await new Promise((r) => setTimeout(r, 50));
  const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.method === "GET");
  assert(line !== undefined, t.logs.join("\n"));
  assert(
    String(line.warning).startsWith("the entry's expiry was not moved:") &&
      String(line.warning).includes("No space left on device"),
    JSON.stringify(line),
  );
});
