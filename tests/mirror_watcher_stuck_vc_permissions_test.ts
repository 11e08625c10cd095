/**
 * `fsWatcherStuck()` tells a watcher stuck at a FIFO by reading
 * `/proc/self/task`, which Deno lets only `--allow-all` read. The `vc`
 * binary and `deno task vc` run with vc's fixed permissions (no
 * `--allow-all`), so there it cannot look and answers false: the README
 * says the thread is seen only by a program run with `--allow-all`, and that
 * under vc's own permissions a pass finding a FIFO made since the watcher
 * started tells instead (tests/mirror_watch_fifo_cli_stop_test.ts). This
 * pins that premise: were Deno to let `--allow-read` read it, the README's
 * words would be stale.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";

Deno.test({
  name: "mirror --watch: vc's own permissions cannot read /proc/self/task (stuck watcher unseen)",
  ignore: Deno.build.os !== "linux", // /proc/self/task is Linux's
  async fn() {
    const code = `try { Deno.readDirSync("/proc/self/task"); console.log("read"); } ` +
      `catch (e) { console.log(e instanceof Deno.errors.NotCapable ? "refused" : String(e)); }`;
    // `deno run`, as the task and the binary: `deno eval` has every permission.
    const dir = await Deno.makeTempDir({ prefix: "watcher_stuck_permissions_" });
    try {
      const script = join(dir, "probe.ts");
      await Deno.writeTextFile(script, code);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-check", ...PERMISSION_FLAGS, script],
        stdout: "piped",
        stderr: "inherit",
        env: { NO_COLOR: "1" },
      }).output();
      assertEquals(new TextDecoder().decode(out.stdout).trim(), "refused");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
