/**
 * `vc mirror --watch` leaves Deno's watcher open when it stops (closing one
 * stalled at a FIFO would block: see mirror_watch_fifo_cli_stop_test.ts),
 * and the watch waits for the watcher's events to end. They did not end
 * until the next event, so an idle watch stopped by Ctrl-C, with nothing in
 * flight, said "letting the transfers in flight finish" and then waited a
 * whole second (the watch's limit on that wait) before its closing line.
 * Now its events end at the stop, the watcher still left open.
 */
import { leftOpenOnStop } from "../src/cli/mirror_command.ts";
import { assertEquals } from "./assert.ts";

/** `promise`, or `"still waiting"` if it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | "still waiting"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<"still waiting">((r) => timer = setTimeout(() => r("still waiting"), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

for (const by of ["stop", "cancel"] as const) {
  Deno.test(`vc mirror --watch: the watcher left open ends its events at the ${by}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_watch_stop_" });
    const watcher = Deno.watchFs([dir], { recursive: true });
    try {
      const stop = new AbortController();
      const cancel = new AbortController();
      const events = leftOpenOnStop(watcher, stop.signal, cancel.signal)[Symbol.asyncIterator]();
      const next = events.next();
      (by === "stop" ? stop : cancel).abort();
      // Bounded only so a regression fails rather than hangs: no event comes.
      assertEquals(await within(next, 30_000), { done: true, value: undefined });
      assertEquals(await events.next(), { done: true, value: undefined });
    } finally {
      watcher.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
