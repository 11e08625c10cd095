/**
 * The cache service's sweep (and `vc serve expire`) keeps a multipart upload
 * started more than a day ago that took a part since: a client still sending
 * it over a slow link (`vc serve` lets an upload run for days). It was kept
 * unsaid: the sweep's result (its `"event":"sweep"` log line, `vc serve
 * expire`'s report) names it, beside the uploads it aborted.
 */
import { Entries } from "../src/server/entries.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore, PendingUpload } from "../src/store/types.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { assertEquals } from "./assert.ts";
import { overriding } from "./overriding.ts";

const DAY = 86_400_000;

Deno.test("serve sweep: an old upload still taking parts is kept and named as live", async () => {
  const clock = new ManualClock(Date.now() - 3 * DAY);
  const memory = new MemoryStore({ clock });
  // Something of the service's, three days old: uploads are dated against it.
  await memory.put("data/abc/11111111-1111-4111-8111-111111111111", new Uint8Array([1]));
  clock.advance(3 * DAY);
  const started = new Date(clock.now() - 2 * DAY);
  const uploads: PendingUpload[] = [
    { key: "data/abc/live", uploadId: "1", initiated: started },
    { key: "data/abc/dead", uploadId: "2", initiated: started },
  ];
  const aborted: string[] = [];
  const store = overriding<ObjectStore>(memory, {
    pendingUploads: async function* (prefix: string) {
      await Promise.resolve();
      yield* uploads.filter((u) => u.key.startsWith(prefix));
    },
    abortUpload: (u: PendingUpload) => (aborted.push(u.key), Promise.resolve()),
    // The live one's newest part came a minute ago.
    lastPartAt: (u: PendingUpload) =>
      Promise.resolve(u.key === "data/abc/live" ? new Date(clock.now() - 60_000) : undefined),
  });
  const result = await new Entries(store, { clock }).sweep();
  assertEquals(aborted, ["data/abc/dead"]);
  assertEquals(result.uploadsAborted, 1);
  assertEquals(result.uploadsLive, ["data/abc/live (upload 1)"]);
});
