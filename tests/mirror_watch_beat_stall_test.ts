/**
 * `WatchBeat.deaf()` (`watch_beat.ts`) after this process itself stalled
 * right after a beat was written: `vc mirror --watch` of a tree on a hung
 * NFS mount (the root's identity is a `stat` that waits for the server,
 * made just after each beat), or a long synchronous step. The beat's event
 * came meanwhile, but Deno hands it over only after the timers already due
 * (the watch's next look, at once): the watcher, which delivered, was taken
 * as stalled at a FIFO and replaced (a thread and a whole set of inotify
 * watches leaked each time; "stopped at a FIFO" said with no FIFO). Now a
 * beat overdue is confirmed only once the event loop has run since.
 */
import { assertEquals } from "./assert.ts";
import { BEAT_TIMEOUT_MS, WatchBeat } from "../src/mirror/watch_beat.ts";
import { until } from "./mirror_helpers.ts";

Deno.test("mirror --watch: a heartbeat overdue after a stall of the process is not taken for a deaf watcher", async () => {
  let now = 0;
  const beat = await WatchBeat.open([], () => now);
  if (beat === undefined) throw new Error("no heartbeat directory could be made");
  const watcher = Deno.watchFs([beat.dir]);
  let events = 0;
  const pump = (async () => {
    for await (const _ of watcher) {
      events++;
      beat.heard();
    }
  })();
  try {
    beat.tick();
    // The stall: the beat's time is up before the loop ran once.
    now = BEAT_TIMEOUT_MS + 1;
    await new Promise((r) => setTimeout(r, 0));
    assertEquals(beat.deaf(), false);
    await until("the beat's event", () => events > 0);
    assertEquals(beat.deaf(), false);
    // The event came: nothing is owed, however long after.
    await new Promise((r) => setTimeout(r, 1_500));
    assertEquals(beat.deaf(), false);
  } finally {
    watcher.close();
    await pump;
    await beat.close();
  }
});

Deno.test("mirror --watch: a heartbeat with no event at all is still taken for a deaf watcher, once confirmed", async () => {
  let now = 0;
  const beat = await WatchBeat.open([], () => now);
  if (beat === undefined) throw new Error("no heartbeat directory could be made");
  try {
    beat.tick(); // nothing watches its directory: no event comes
    now = BEAT_TIMEOUT_MS + 1;
    await until("the deaf watcher to be told", () => beat.deaf(), { tries: 200, everyMs: 50 });
    beat.heard();
    assertEquals(beat.deaf(), false);
  } finally {
    await beat.close();
  }
});
