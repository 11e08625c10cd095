/**
 * `vc mirror --watch` after Deno's watcher stalled at a FIFO made in the
 * watched tree (its thread opens each file it reports, and a FIFO's open
 * waits for a writer). The stalled watcher was kept (closing or replacing it
 * on the main thread blocks the process), so from then on no event came for
 * as long as the watch ran: with the FIFO removed, a file written was
 * mirrored only by the next full pass (10 min by default), and nothing said
 * the watcher could be working again. Now a new watcher is started on a
 * thread of its own (a Web Worker, whose watcher shares nothing with the
 * stalled one) and a full pass mirrors what the stalled one missed: events
 * are mirrored again within the debounce.
 *
 * A FIFO made and removed between two full passes was not seen at all under
 * vc's own permissions (a pass finds it only while it is there, and
 * `/proc/self/task` cannot be read): the watch stayed deaf and said nothing.
 * A heartbeat the watcher also watches (`watch_beat.ts`) tells it now.
 */
import { join } from "node:path";
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { mirrorWatchLog, withWatchDataDir } from "./cli_process.ts";
import { mkfifo } from "./fifo.ts";

Deno.test({
  name:
    "vc mirror --watch: after a FIFO stalls the watcher, a new one watches and events mirror again",
  ignore: Deno.build.os !== "linux", // Deno's inotify watcher is the one a FIFO stalls
  async fn() {
    await withWatchDataDir("vc_mirror_watch_fifo_replaced_", async (dir, data) => {
      const copied = (name: string) => {
        try {
          return Deno.statSync(join(dir, "bucket", name)).isFile;
        } catch {
          return false;
        }
      };
      await Deno.writeTextFile(join(data, "a.txt"), "a");
      const text = await mirrorWatchLog(
        dir,
        // The full passes (each 1 s) find the FIFO; the debounce is 100 ms.
        ["data", `file://${dir}/bucket`, "--reconcile-interval", "1s"],
        async (run) => {
          mkfifo(join(data, "pipe"));
          await run.until(() => run.stderr().includes("a new watcher watches"), 100);
          await Deno.remove(join(data, "pipe"));
          // A full pass each second races the event batch (100 ms): under
          // load a pass may mirror a new file first. So a new file is
          // written until one comes by its event (bounded: 5 files); a
          // watcher still stalled never mirrors any by an event.
          for (let i = 0; i < 5 && !/^events: .*1 uploaded/m.test(run.stderr()); i++) {
            const name = `b${i}.txt`;
            await Deno.writeTextFile(join(data, name), name);
            await run.until(
              () => /^events: .*1 uploaded/m.test(run.stderr()) || copied(name),
              100,
            );
          }
        },
      );
      assertStringIncludes(text, "stopped at a FIFO made in the tree");
      // Said once, and a new file came by its event, not by a full pass.
      assertEquals(text.split("stopped at a FIFO").length - 1, 1, text);
      assertMatch(text, /^events: .*1 uploaded/m);
      assertEquals(await Deno.readTextFile(join(dir, "bucket", "b0.txt")), "b0.txt");
    });
  },
});

Deno.test({
  name: "vc mirror --watch: a FIFO made and removed between passes is told by the heartbeat",
  ignore: Deno.build.os !== "linux", // as above
  async fn() {
    await withWatchDataDir("vc_mirror_watch_fifo_replaced_", async (dir, data) => {
      await Deno.writeTextFile(join(data, "a.txt"), "a");
      const text = await mirrorWatchLog(
        dir,
        // No full pass after the first: only the heartbeat can tell.
        ["data", `file://${dir}/bucket`, "--reconcile-interval", "1h"],
        async (run) => {
          mkfifo(join(data, "pipe"));
          // The watcher's thread reaches the FIFO's open (it waits there
          // with or without the FIFO's name).
          await new Promise((r) => setTimeout(r, 500));
          await Deno.remove(join(data, "pipe"));
          await run.until(() => run.stderr().includes("a new watcher watches"), 300);
          // The new watcher's full pass (the only one for an hour) first: a
          // file written before it ends would come by that pass, not by an
          // event.
          const said = () => run.stderr().indexOf("a new watcher watches");
          await run.until(() => /^reconcile: /m.test(run.stderr().slice(said())), 300);
          await Deno.writeTextFile(join(data, "b.txt"), "b");
          await run.until(() => /^events: .*1 uploaded/m.test(run.stderr()), 100);
        },
      );
      assertStringIncludes(text, "a new watcher watches");
      assertMatch(text, /^events: .*1 uploaded/m);
      assertEquals(await Deno.readTextFile(join(dir, "bucket", "b.txt")), "b");
    });
  },
});
