/**
 * `watchMirror()` when the system's event queue overflowed (inotify's
 * IN_Q_OVERFLOW, which Deno gives as an event with `flag: "rescan"`): the
 * events dropped are found by a full pass made at once, not an interval
 * later. The overflow cannot be caused on purpose without changing a
 * machine-wide limit, so the events come from a test watcher.
 */
import { join } from "node:path";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { watchMirror, type WatchReport } from "../src/mirror/watch.ts";
import { assertEquals } from "./assert.ts";
import { fakeBackend, storeContents, tempDir, testWatcher, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror --watch: events the system dropped (queue overflow, a rescan) bring a full pass at once", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  // Files written "before" the clock's now: none is taken for one being written.
  const clock = new ManualClock(Date.now() + 10_000);
  const events = testWatcher();
  const stop = new AbortController();
  const kinds: string[] = [];
  let idle = 0;
  const watching: Promise<WatchReport> = watchMirror({
    sources: [src],
    target: b.store,
    statePath: join(w.dir, "s.db"),
    delete: true,
    clock,
    debounceMs: 1000,
    reconcileIntervalMs: 3_600_000,
    signal: stop.signal,
    watchFs: events.watchFs,
    onBatch: (_report, kind) => kinds.push(kind),
    onIdle: () => idle++,
  });
  const until = async (what: string, cond: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 400; i++) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  try {
    await until("the first pass", () => kinds.length === 1 && idle > 0);
    // Written while the queue overflowed: no event says so.
    await writeTree(src, { "b.txt": "b", "sub/c.txt": "c" });
    await Deno.remove(join(src, "a.txt"));
    events.send({ kind: "other", paths: [], flag: "rescan" });
    await until("a full pass", () => kinds.length === 2);
    assertEquals(kinds, ["initial", "reconcile"]);
    assertEquals(await storeContents(b.store), { "b.txt": "b", "sub/c.txt": "c" });
  } finally {
    stop.abort();
    await watching;
  }
});
