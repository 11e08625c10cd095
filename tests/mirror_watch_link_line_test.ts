/**
 * `vc mirror --watch`: an `ln -s` in the tree made a batch that skipped the
 * link and printed nothing (a batch that changed nothing has no line),
 * while the full pass's line counts the links it skipped. The batch's line
 * now says it too (`1 symlink skipped`), as the pass's does.
 */
import { join } from "node:path";
import { assertMatch } from "./assert.ts";
import { mirrorWatchLog } from "./cli_process.ts";

Deno.test({
  name: "vc mirror --watch: a link made in the tree is said skipped in its batch's line",
  ignore: Deno.build.os === "windows", // no SIGTERM there, and links need a privilege
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_watch_link_" }));
    try {
      await Deno.mkdir(join(dir, "data"));
      await Deno.writeTextFile(join(dir, "data", "a.txt"), "a");
      const text = await mirrorWatchLog(dir, ["data", `file://${dir}/bucket`], async (run) => {
        await Deno.symlink("a.txt", join(dir, "data", "link"));
        await run.until(() => /^events: .*symlink/m.test(run.stderr()));
      });
      assertMatch(text, /^events: mirror: 0 uploaded .*1 symlink skipped/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
