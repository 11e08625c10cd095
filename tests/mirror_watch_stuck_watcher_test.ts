/**
 * `watchMirror()` stops even when the system's watcher never ends its
 * iteration after `close()`: Deno's watcher opens each file it reports, and a
 * FIFO made in the watched tree blocks it until a writer comes, so its
 * iteration never finished and a stopped watch (SIGTERM to
 * `vc mirror --watch`) waited for it for good. A real FIFO would leave a
 * thread of Deno's blocked in the test process, so the watcher is a test one
 * that behaves as Deno's then does.
 */
import { join } from "node:path";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { watchMirror } from "../src/mirror/watch.ts";
import { assertEquals } from "./assert.ts";
import { fakeBackend, storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror --watch: a watcher whose iteration never ends after close does not keep the watch from stopping", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  let closed = 0;
  let release = () => {};
  // Ends only when the test releases it, long after the stop.
  const stuck = new Promise<void>((r) => release = r);
  const watcher = {
    close() {
      closed++;
    },
    // deno-lint-ignore require-yield -- a watcher that yields no event and never ends
    async *[Symbol.asyncIterator](): AsyncGenerator<Deno.FsEvent> {
      await stuck;
    },
  };
  const stop = new AbortController();
  let idle = false;
  const watching = watchMirror({
    sources: [src],
    target: b.store,
    statePath: join(w.dir, "s.db"),
    // Files written "before" the clock's now: none is taken for one being written.
    clock: new ManualClock(Date.now() + 10_000),
    debounceMs: 1000,
    reconcileIntervalMs: 3_600_000,
    signal: stop.signal,
    watchFs: () => watcher,
    onIdle: () => idle = true,
  });
  try {
    for (let i = 0; i < 250 && !idle; i++) await new Promise((r) => setTimeout(r, 20));
    assertEquals(idle, true, "the first pass ended");
    stop.abort();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      watching.then(() => "stopped"),
      new Promise<string>((r) => timer = setTimeout(() => r("still waiting"), 10_000)),
    ]);
    clearTimeout(timer);
    assertEquals(outcome, "stopped");
    assertEquals(closed, 1);
    assertEquals(await storeContents(b.store), { "a.txt": "a" });
  } finally {
    release();
    await watching.catch(() => {});
  }
});
