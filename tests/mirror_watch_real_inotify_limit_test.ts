/**
 * `vc mirror --watch` of a tree with more directories than the system's
 * limit of inotify watches, the limit real (not a fake watcher's error, as
 * in mirror_watch_limit_test.ts): lowered for the child alone, in a user
 * namespace of its own (`/proc/sys/user/max_inotify_watches`), so no other
 * process on the machine feels it. What Deno says there must be what the
 * watch recognizes as the watch limit (its line then says how to raise
 * it), said once while watching is tried again, with the full passes
 * mirroring meanwhile, and SIGTERM still ends it cleanly.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { canLimitInotifyWatches, childEnv, vcCommand } from "./cli_process.ts";
import { until } from "./mirror_helpers.ts";
import { exists } from "./path_exists.ts";

/** Fewer watches than the tree's directories (one a directory, the root's included). */
const WATCHES = 4;
const DIRS = 12;

Deno.test({
  name:
    "vc mirror --watch: past the system's real inotify watch limit it says so once, with how to raise it, and the passes mirror",
  // Needs Linux 5.11+ with `unshare` and user namespaces this user may make.
  ignore: !canLimitInotifyWatches(),
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mirror_inotify_limit_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      await Deno.mkdir(join(dir, "bucket"));
      for (let i = 0; i < DIRS; i++) {
        await Deno.mkdir(join(dir, "src", `d${i}`), { recursive: true });
        await Deno.writeTextFile(join(dir, "src", `d${i}`, "f.txt"), `${i}`);
      }
      const child = vcCommand(
        dir,
        childEnv(dir),
        [
          "mirror",
          "src",
          `file://${join(dir, "bucket")}`,
          "--watch",
          "--json",
          "--reconcile-interval",
          "1s",
        ],
        120_000,
        { inotifyWatches: WATCHES },
      ).spawn();
      let stderr = "";
      let stdout = "";
      const reads = Promise.all([
        (async () => {
          for await (const s of child.stderr.pipeThrough(new TextDecoderStream())) stderr += s;
        })(),
        (async () => {
          for await (const s of child.stdout.pipeThrough(new TextDecoderStream())) stdout += s;
        })(),
      ]);
      let status: Deno.CommandStatus | undefined;
      try {
        await until(
          "the first pass and the refused watcher",
          () => stdout.includes('"kind":"initial"') && stderr.includes("cannot watch"),
          { tries: 1500, everyMs: 40 },
        );
        assertStringIncludes(stderr, "OS file watch limit reached");
        assertStringIncludes(stderr, "fs.inotify.max_user_watches");
        // Nothing watches: a full pass mirrors what is written now.
        await Deno.writeTextFile(join(dir, "src", "d1", "late.txt"), "late");
        await until(
          "a full pass to mirror a file written unwatched",
          () => exists(join(dir, "bucket", "d1", "late.txt")),
          { tries: 1500, everyMs: 40 },
        );
        const passes = () => stdout.split("\n").filter((l) => l.includes('"kind":"reconcile"'));
        const seen = passes().length;
        // Watching is tried again meanwhile (1 s, 2 s, …): refused each time, not said again.
        await until("more full passes", () => passes().length >= seen + 3, {
          tries: 1500,
          everyMs: 40,
        });
        child.kill("SIGTERM");
        status = await child.status;
      } finally {
        if (status === undefined) {
          child.kill("SIGKILL");
          await child.status;
        }
        await reads;
      }
      assertEquals(status.code, 0, stderr);
      assertEquals(stderr.split("cannot watch").length - 1, 1, stderr);
      assert(!stderr.includes("internal error"), stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
