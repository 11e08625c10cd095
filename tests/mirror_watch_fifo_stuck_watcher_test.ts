/**
 * `watchMirror()` whose system watcher got stuck at a FIFO made in the
 * watched tree: Deno's watcher opens each file it reports, and a FIFO's open
 * waits for a writer. From then on no event came (said nowhere: the watch
 * looked idle and fine), and when the watch then closed it to watch anew (a
 * root swapped for another directory, `mv data data.old && mkdir data`, or a
 * root gone and back), closing it or making another `Deno.watchFs` blocked
 * the whole process for good: `vc mirror --watch` made no pass any more and
 * was still running 6 s after SIGTERM (only SIGKILL ended it).
 *
 * Now the watch asks whether its watcher is stuck (Linux: the watcher's
 * thread waits in the kernel's FIFO open, `watcher_stuck.ts`); it says so
 * once, never closes or replaces a stuck one, and still mirrors the swapped
 * root's tree. A real FIFO would leave a thread of Deno's blocked in the test
 * process, so the watcher is a test one that says it is stuck by its own
 * `stuck()` and counts what would block.
 */
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

Deno.test("mirror --watch: a watcher stuck at a FIFO is said once, never closed or replaced, and a swapped root is still mirrored", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const current = await linkedReleases(w.dir);
  const fifo = stuckTestWatchers();
  try {
    await using watch = watchWithTestEvents(current, b.store, w.dir, { watchFs: fifo.watchFs });
    const { counts, errors } = watch;
    await until("the first pass", () => counts.idle > 0);
    assertEquals(errors, []);
    // A FIFO made in the tree: the watcher is stuck from now on.
    fifo.stuck = true;
    await advanceToIdle(watch, 1_000);
    assertEquals(errors.length, 1, errors.join("\n"));
    assertStringIncludes(errors[0]!, "stopped at a FIFO made in the tree");
    assertStringIncludes(errors[0]!, "full passes only");
    // The root switched to another directory: it would be watched anew.
    await Deno.remove(current);
    await Deno.symlink("v2", current);
    await advanceUntilStored(watch, b.store, "b.txt", { ms: 1_000, steps: 10 });
    assertEquals(await storeContents(b.store), { "b.txt": "b" });
    assertEquals(fifo.watchers, 1);
    assertEquals(errors.length, 1, errors.join("\n"));
  } finally {
    fifo.release();
  }
  // Stopped (the watch disposed above) without closing the stuck watcher either.
  assertEquals(fifo.blocking, []);
});
