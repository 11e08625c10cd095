/**
 * A watched directory its owner made unreadable to the user vc runs as
 * (`chmod 700 sub` by root, or another user, under a `--watch` run as
 * yourself). The watcher then tells nothing of what changes in it (a file
 * made or removed there comes only as the directory's own "modify"), and
 * the watch took that "modify" as no change: nothing was said, and a file
 * added or removed there meanwhile stayed unmirrored after the directory
 * was readable again, until the next full pass (every 10 minutes). Now
 * such a "modify" walks the directory: its line names it ("no access"),
 * nothing is deleted for it, and it is tried again until it is readable,
 * when what changed in it is mirrored.
 *
 * Runs `vc` as user `nobody` with `setpriv`: ignored unless root.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertStringIncludes } from "./assert.ts";
import { canRunAsNobody, nobodyPrefix } from "./as_nobody.ts";
import { mirrorWatchLog, withWatchDataDir } from "./cli_process.ts";
import { existsSync as exists } from "./path_exists.ts";

Deno.test({
  name: "mirror --watch: a directory made unreadable is named, and what changed in it is " +
    "mirrored once it is readable again (ignored unless root: runs vc as nobody)",
  ignore: Deno.build.os !== "linux" || !canRunAsNobody,
  async fn() {
    await withWatchDataDir("vc-watch-dir-unreadable-", async (dir, data) => {
      const sub = join(data, "sub");
      const store = join(dir, "store");
      await Deno.mkdir(sub);
      await Deno.mkdir(store);
      await Deno.writeTextFile(join(sub, "old.txt"), "old\n");
      await new Deno.Command("chmod", { args: ["-R", "a+rwX", dir] }).output();
      const runAs = await nobodyPrefix(dir);
      const target = pathToFileURL(store).href;
      const args = [data, target, "--delete", "--reconcile-interval", "1h"];
      const log = await mirrorWatchLog(
        dir,
        args,
        async (run) => {
          // Root takes the directory away from nobody and changes it.
          await Deno.chmod(sub, 0o700);
          await Deno.writeTextFile(join(sub, "new.txt"), "new\n");
          await Deno.chmod(join(sub, "new.txt"), 0o644);
          await Deno.remove(join(sub, "old.txt"));
          await run.until(() => run.stderr().includes(`${sub}: no access`));
          await Deno.chmod(sub, 0o755);
          await run.until(() =>
            exists(join(store, "sub", "new.txt")) && !exists(join(store, "sub", "old.txt"))
          );
        },
        {},
        runAs,
      );
      assertStringIncludes(log, `${sub}: no access`);
      assert(exists(join(store, "sub", "new.txt")), log);
      assert(!exists(join(store, "sub", "old.txt")), log);
    });
  },
});
