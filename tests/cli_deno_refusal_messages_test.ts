/**
 * Messages of the real `vc` process (release permissions) for inputs Deno
 * itself refuses: never advice the binary's user cannot follow.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";

Deno.test({
  name: "vc add of a file under /proc names it and says why, without --allow-all advice",
  ignore: Deno.build.os !== "linux", // /proc is Linux's
  async fn() {
    await withWorkspace(async (_dir, vc) => {
      const r = await vc(["add", "/x.txt", "/proc/self/status"]);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, "/proc/self/status");
      assertStringIncludes(r.stderr, "vc does not open files under /dev, /proc or /sys");
      assert(!r.stderr.includes("--allow-all"), r.stderr);
      assert(!r.stderr.includes("internal error"), r.stderr);
    });
  },
});

Deno.test({
  name: "a project under /dev/shm: the wrapped refusal says why, without --allow-all advice",
  ignore: Deno.build.os !== "linux" || !isDir("/dev/shm"),
  async fn() {
    const project = Deno.makeTempDirSync({ dir: "/dev/shm", prefix: "vc-deno-refusal-" });
    try {
      await withWorkspace(async (dir, vc) => {
        Deno.writeTextFileSync(`${project}/c.txt`, "c");
        const r = await vc(
          ["add", "/a.txt", `${project}/c.txt`, "--manifest", `${project}/m.json`],
          {
            VC_BUCKET: `${dir}/bucket`,
          },
        );
        assertEquals(r.code, 1, r.stderr);
        assertStringIncludes(r.stderr, project);
        assertStringIncludes(r.stderr, "(/dev/shm included)");
        assert(!r.stderr.includes("--allow-all"), r.stderr);
      });
    } finally {
      Deno.removeSync(project, { recursive: true });
    }
  },
});

Deno.test({
  name: "a cache dir under /dev/shm is refused saying why, not as another user's journal",
  ignore: Deno.build.os !== "linux" || !isDir("/dev/shm"),
  async fn() {
    // Made by the test (with all permissions), so vc finds it there.
    const cacheDir = Deno.makeTempDirSync({ dir: "/dev/shm", prefix: "vc-deno-refusal-cache-" });
    try {
      await withWorkspace(async (dir, vc) => {
        Deno.writeTextFileSync(`${dir}/a.txt`, "a");
        const uri = `file://${dir}/a.txt`;
        Deno.writeTextFileSync(`${dir}/list.txt`, `${uri}\n`);
        for (
          const args of [["cache", "get", uri], ["prefill", "--list", `${dir}/list.txt`]]
        ) {
          const r = await vc(args, { VC_CACHE_DIR: cacheDir });
          assertEquals(r.code, 1, r.stderr);
          assertStringIncludes(r.stderr, cacheDir);
          assertStringIncludes(r.stderr, "(/dev/shm included)");
          // Before: "cannot read the records in … another user's file in a shared
          // cache dir?", and a prefill passed on Deno's --allow-all advice.
          assert(!r.stderr.includes("another user"), r.stderr);
          assert(!r.stderr.includes("--allow-all"), r.stderr);
        }
      });
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  },
});

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

Deno.test({
  name: "standard output on a full disk is said as such, not as an internal error",
  ignore: Deno.build.os !== "linux", // /dev/full is Linux's
  async fn() {
    const cli = new URL("../cli.ts", import.meta.url).pathname;
    const dir = await Deno.makeTempDir();
    try {
      for (
        const args of [["--version"], ["help", "cache"], ["cache", "dir", "--cache-dir", dir]]
      ) {
        // stdout is /dev/full: every write fails with ENOSPC.
        const out = await new Deno.Command("sh", {
          args: [
            "-c",
            'exec "$@" > /dev/full',
            "sh",
            Deno.execPath(),
            "run",
            ...PERMISSION_FLAGS,
            cli,
            ...args,
          ],
          stdout: "null",
          stderr: "piped",
          env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
        }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 1, `${args.join(" ")}: ${stderr}`);
        assertStringIncludes(
          stderr,
          "vc: cannot write to standard output: No space left on device",
        );
        assert(!stderr.includes("internal error"), stderr);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
