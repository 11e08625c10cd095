/**
 * `watchMirror()` whose Deno watcher (`denoWatcher`) says it is stuck at a
 * FIFO: it is neither closed nor made again on the main thread (either
 * would block), and a new one is made on a thread of its own (a Web Worker),
 * whose real events are mirrored; said once. Also when the stall is found
 * as a watched root was swapped for another directory: the new watcher
 * watches the directory there now (one, not a second made over it).
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  advanceToIdle,
  advanceUntilStored,
  fakeBackend,
  linkedReleases,
  storeContents,
  stuckTestWatchers,
  tempDir,
  until,
  watchWithTestEvents,
} from "./mirror_helpers.ts";

Deno.test("mirror --watch: a stuck Deno watcher is replaced by one on its own thread, whose events are mirrored", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const current = await linkedReleases(w.dir);
  const fifo = stuckTestWatchers({ denoWatcher: true });
  try {
    await using watch = watchWithTestEvents(current, b.store, w.dir, { watchFs: fifo.watchFs });
    const { counts, errors } = watch;
    await until("the first pass", () => counts.idle > 0);
    // Stuck, and the root swapped at once: the stall is found first.
    fifo.stuck = true;
    await Deno.remove(current);
    await Deno.symlink("v2", current);
    for (let i = 0; i < 10 && errors.length === 0; i++) await advanceToIdle(watch, 1_000);
    assertEquals(errors.length, 1, errors.join("\n"));
    assertStringIncludes(errors[0]!, "a new watcher watches, on a thread of its own");
    // Once the new watcher watches, it asks for a full pass (a rescan).
    await until("the new watcher's rescan", () => counts.seen > 0);
    // A file written in the directory there now comes by the new watcher's event.
    const seen = counts.seen;
    await Deno.writeTextFile(join(w.dir, "v2", "c.txt"), "c");
    await until("its event", () => counts.seen > seen);
    await advanceUntilStored(watch, b.store, "c.txt", { ms: 1_000, steps: 10 });
    assertEquals(await storeContents(b.store), { "b.txt": "b", "c.txt": "c" });
    assertEquals(fifo.watchers, 1);
    assertEquals(errors.length, 1, errors.join("\n"));
  } finally {
    fifo.release();
  }
  assertEquals(fifo.blocking, []);
});
