/**
 * `vc lock --check` downloads each locked version into a scratch directory
 * in TMPDIR: one too small for it is named, with the cure (TMPDIR), instead
 * of a bare `No space left on device (os error 28)`, and nothing is left.
 *
 * Needs a small filesystem to fill: a tmpfs mount (root on Linux); ignored
 * elsewhere.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, vcCommand } from "./cli_process.ts";
import { canMount, mountTmpfs } from "./mounts.ts";

Deno.test({
  name:
    "vc lock --check: a full TMPDIR is named, with what to do (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_lock_check_full_" });
    const tmp = join(dir, "tmp");
    await Deno.mkdir(tmp);
    try {
      await Deno.mkdir(join(dir, "bucket"));
      await Deno.writeFile(join(dir, "bucket", "a.1.0.0.bin"), new Uint8Array(3 * 1024 * 1024));
      await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/a.bin": "1.0.0"}');
      const env = childEnv(dir, { TMPDIR: tmp, VC_BUCKET: `file://${join(dir, "bucket")}` });
      const lock = await vcCommand(dir, env, ["lock"]).output();
      assertEquals(lock.code, 0, new TextDecoder().decode(lock.stderr));
      await using _full = await mountTmpfs(tmp);
      const out = await vcCommand(dir, env, ["lock", "--check"]).output();
      const text = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 1, text);
      assertStringIncludes(
        text,
        `the download of file://${join(dir, "bucket")}/a.1.0.0.bin failed`,
      );
      assertStringIncludes(text, "no space left");
      assertStringIncludes(text, "TMPDIR");
      assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
