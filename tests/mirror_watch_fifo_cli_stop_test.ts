/**
 * `vc mirror --watch` (vc's own permissions, as the binary and `deno task vc`
 * run it) and a FIFO made in the watched tree. Deno's watcher stalls at it
 * (its thread opens the FIFO and waits for a writer), and closing or
 * replacing that watcher blocks the process for good. `watcher_stuck.ts`
 * sees the stalled thread only under `--allow-all` (`/proc/self/task`), so
 * under the CLI nothing was said, and when the watched root was then swapped
 * (`mv data data.old && mkdir data`) the watch closed the stuck watcher to
 * watch the new directory: no pass any more, and SIGTERM did not end it
 * (only SIGKILL). Now a full pass that finds a FIFO made since the watcher
 * started takes the watcher as stuck: said once, and the stalled watcher
 * never closed (a new one takes its place on a thread of its own:
 * `mirror_watch_fifo_replaced_watcher_test.ts`).
 */
import { join } from "node:path";
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { mirrorWatchLog, withWatchDataDir } from "./cli_process.ts";
import { mkfifo } from "./fifo.ts";

Deno.test({
  name:
    "vc mirror --watch: a FIFO made in the tree is said once, and SIGTERM after a root swap ends the watch",
  ignore: Deno.build.os !== "linux", // Deno's inotify watcher is the one a FIFO stalls
  async fn() {
    await withWatchDataDir("vc_mirror_watch_fifo_", async (dir, data) => {
      await Deno.writeTextFile(join(data, "a.txt"), "a");
      const text = await mirrorWatchLog(
        dir,
        ["data", `file://${dir}/bucket`, "--reconcile-interval", "1s"],
        async (run) => {
          mkfifo(join(data, "pipe"));
          await run.until(() => run.stderr().includes("stopped at a FIFO"), 100);
          // The root swapped: the watch would watch the new directory.
          await Deno.rename(data, join(dir, "data.old"));
          await Deno.mkdir(data);
          await Deno.writeTextFile(join(data, "b.txt"), "b");
          await run.until(() => /^(events|reconcile): .*1 uploaded/m.test(run.stderr()), 100);
        },
      );
      assertStringIncludes(text, "stopped at a FIFO made in the tree");
      assertEquals(text.split("stopped at a FIFO").length - 1, 1, text);
      // The new directory's file still reached the store, by the passes.
      assertEquals(await Deno.readTextFile(join(dir, "bucket", "b.txt")), "b");
    });
  },
});

Deno.test({
  name: "vc mirror --watch: a FIFO there before the start is not taken as stopping the watcher",
  ignore: Deno.build.os !== "linux", // as above
  async fn() {
    await withWatchDataDir("vc_mirror_watch_fifo_", async (dir, data) => {
      mkfifo(join(data, "pipe"));
      // Its change time (whole seconds) well before the watcher starts.
      await new Promise((r) => setTimeout(r, 2_100));
      const text = await mirrorWatchLog(
        dir,
        ["data", `file://${dir}/bucket`, "--reconcile-interval", "1s"],
        async (run) => {
          await run.until(() => /^reconcile: .*special file skipped/m.test(run.stderr()), 100);
          await Deno.writeTextFile(join(data, "c.txt"), "c");
          await run.until(() => /^events: .*1 uploaded/m.test(run.stderr()), 100);
        },
      );
      // Its events still come: the watcher works, and nothing says it stopped.
      assertMatch(text, /^events: .*1 uploaded/m);
      assertEquals(text.includes("stopped at a FIFO"), false, text);
    });
  },
});
