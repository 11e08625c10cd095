/**
 * `vc mirror --watch`: an `ln -s` in the tree made a batch that skipped the
 * link and printed nothing (a batch that changed nothing has no line),
 * while the full pass's line counts the links it skipped. The batch's line
 * now says it too (`1 symlink skipped`), as the pass's does.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertMatch } from "./assert.ts";

Deno.test({
  name: "vc mirror --watch: a link made in the tree is said skipped in its batch's line",
  ignore: Deno.build.os === "windows", // no SIGTERM there, and links need a privilege
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_watch_link_" }));
    try {
      await Deno.mkdir(join(dir, "data"));
      await Deno.writeTextFile(join(dir, "data", "a.txt"), "a");
      const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSION_FLAGS, cli, "mirror", "data", `file://${dir}/bucket`]
          .concat(["--watch", "--debounce", "100ms", "--state", "s.db"]),
        cwd: dir,
        env: { HOME: dir, VC_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1" },
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const chunks: string[] = [];
      const stderr = () => chunks.join("");
      const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
        new WritableStream({ write: (s) => void chunks.push(s) }),
      );
      const until = async (ok: () => boolean) => {
        for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
      };
      try {
        await until(() => stderr().includes("initial:"));
        await Deno.symlink("a.txt", join(dir, "data", "link"));
        await until(() => /^events: .*symlink/m.test(stderr()));
      } finally {
        child.kill("SIGTERM");
        await child.status;
        await reading;
      }
      assertMatch(stderr(), /^events: mirror: 0 uploaded .*1 symlink skipped/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
