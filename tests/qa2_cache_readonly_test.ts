/**
 * Issue 11 layout on a read-only cache dir (a read-only mount: root, as CI
 * runs, ignores file modes): warm hits still work, and maintenance that
 * must write says the cache dir is not writable instead of "internal error".
 */
import { assert, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

function run(cmd: string, ...args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

// Mounting needs root (and a kernel that lets this container mount tmpfs).
const probe = Deno.makeTempDirSync({ prefix: "vc-qa2-mount-probe-" });
const canMount = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe);
if (canMount) run("umount", probe);
Deno.removeSync(probe);

Deno.test({
  name: "read-only cache dir: warm get works; prune and rm say it is not writable " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await using ws = await CliWorkspace.create();
    const mnt = ws.path("mnt");
    await Deno.mkdir(mnt);
    assert(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt), "mount");
    try {
      const env = { VC_CACHE_DIR: `${mnt}/cache` };
      await ws.write("bucket/d/x.csv", "x");
      const uri = `${ws.bucket}/d/x.csv`;
      assert((await ws.run(["cache", "get", uri], env)).code === 0);
      assert(run("mount", "-o", "remount,ro", mnt), "remount ro");
      const warm = await ws.run(["cache", "get", uri], env);
      assert(warm.code === 0, warm.stderr);
      for (const args of [["cache", "prune", "--max-size", "0"], ["cache", "rm", uri]]) {
        const r = await ws.run(args, env);
        assert(r.code === 1, `${args.join(" ")}: ${r.stdout}`);
        assertStringIncludes(r.stderr, "is not writable");
        assert(!r.stderr.includes("internal error"), r.stderr);
      }
      const ls = await ws.run(["cache", "ls"], env);
      assertStringIncludes(ls.stdout, "d/x.csv");
    } finally {
      run("umount", mnt);
    }
  },
});
