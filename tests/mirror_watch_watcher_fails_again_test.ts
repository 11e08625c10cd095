/**
 * `watchMirror()` when its file watcher ends again and again: Deno's watcher
 * ends at every event of a file whose name is not valid UTF-8, so a log of
 * such a name appended every second ended each new watcher at once. Each
 * time the watch said so and made a full pass of the whole tree (a LIST of
 * the target prefix, a stat of every file): a full pass and three log lines
 * per write. Now the first stop brings a pass at once, as before, and each
 * further one within 5 min waits longer for its pass (1 s, then twice as long
 * each time up to 5 min, as a retry does) and is said once.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { fakeBackend, tempDir, until, watchWithTestEvents, writeTree } from "./mirror_helpers.ts";

/** Watchers that end with an error whenever the test says so. */
function failingWatchers(): {
  watchFs: () => AsyncIterable<Deno.FsEvent> & { close(): void };
  fail(): void;
  started: () => number;
} {
  let started = 0;
  let failNow = () => {};
  return {
    watchFs: () => {
      started++;
      let closed = false;
      let wake = () => {};
      let failing = false;
      failNow = () => {
        failing = true;
        wake();
      };
      return {
        close() {
          closed = true;
          wake();
        },
        // No event ever comes: it waits until it is closed or made to fail.
        [Symbol.asyncIterator](): AsyncIterator<Deno.FsEvent> {
          return {
            next: async () => {
              while (!closed) {
                if (failing) throw new Error("path contains invalid UTF-8 characters");
                await new Promise<void>((r) => (wake = r));
              }
              return { done: true, value: undefined };
            },
          };
        },
      };
    },
    fail: () => failNow(),
    started: () => started,
  };
}

Deno.test("mirror --watch: a watcher that stops again and again does not bring a pass each time", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const watchers = failingWatchers();
  await using t = watchWithTestEvents(src, b.store, w.dir, { watchFs: watchers.watchFs });
  const passes = () => t.batches.filter((x) => x.kind !== "events").length;
  await until("the first pass", () => passes() === 1 && t.counts.idle > 0);
  // The first stop: a new watcher, and a full pass at once.
  watchers.fail();
  await until("the pass after the first stop", () => passes() === 2 && watchers.started() === 2);
  // Five more stops, each as soon as the watcher is back: no pass at once.
  for (let i = 3; i <= 7; i++) {
    const idle = t.counts.idle;
    watchers.fail();
    await until(`watcher ${i}`, () => watchers.started() === i && t.counts.idle > idle);
  }
  assertEquals(passes(), 2, "no full pass for the stops after the first");
  assertEquals(t.errors.filter((e) => e.includes("file watcher")).length, 1, t.errors.join("\n"));
  assert(t.errors[0]!.includes("invalid UTF-8"), t.errors.join("\n"));
  // Its pass comes, later: the changes the stops let by are mirrored.
  await t.clock.advance(1_000);
  await until("the pass after the further stops", () => passes() === 3);
});
