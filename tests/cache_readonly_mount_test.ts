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
const probe = Deno.makeTempDirSync({ prefix: "vc-cache-readonly-mount-probe-" });
const canMount = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe);
if (canMount) run("umount", probe);
Deno.removeSync(probe);

/**
 * Runs `fn` with a workspace and a cache dir on a tmpfs of its own; `fill`
 * runs first, then the tmpfs is remounted read-only for `fn`.
 */
async function withReadOnlyCache(
  fill: (ws: CliWorkspace, env: Record<string, string>) => Promise<void>,
  fn: (ws: CliWorkspace, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  await using ws = await CliWorkspace.create();
  const mnt = ws.path("mnt");
  await Deno.mkdir(mnt);
  assert(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt), "mount");
  try {
    const env = { VC_CACHE_DIR: `${mnt}/cache` };
    await fill(ws, env);
    assert(run("mount", "-o", "remount,ro", mnt), "remount ro");
    await fn(ws, env);
  } finally {
    run("umount", mnt);
  }
}

Deno.test({
  name: "read-only cache dir: warm get works; prune and rm say it is not writable " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    let uri = "";
    await withReadOnlyCache(async (ws, env) => {
      await ws.write("bucket/d/x.csv", "x");
      uri = `${ws.bucket}/d/x.csv`;
      assert((await ws.run(["cache", "get", uri], env)).code === 0);
    }, async (ws, env) => {
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
    });
  },
});

Deno.test({
  name: "read-only cache dir: verify checks every copy and reports a corrupt one as not removed " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    let bad = "";
    await withReadOnlyCache(async (ws, env) => {
      await ws.write("bucket/d/good.csv", "good");
      await ws.write("bucket/d/bad.csv", "bad!");
      assert((await ws.run(["cache", "get", `${ws.bucket}/d/good.csv`], env)).code === 0);
      bad = (await ws.run(["cache", "get", `${ws.bucket}/d/bad.csv`], env)).stdout.trim();
      await Deno.writeTextFile(bad, "rot!"); // same size: only hashing finds it
    }, async (ws, env) => {
      const r = await ws.run(["cache", "verify"], env);
      assert(r.code === 1, r.stderr);
      assertStringIncludes(r.stdout, "1 ok, 1 corrupt");
      assertStringIncludes(r.stdout, `corrupt (not removed): ${ws.bucket}/d/bad.csv`);
      assertStringIncludes(r.stdout, "is not writable");
      assert(!r.stderr.includes("internal error"), r.stderr);
      const json = await ws.run(["cache", "verify", "--json"], env);
      const doc = JSON.parse(json.stdout) as {
        ok: number;
        corrupt: { uri: string; notRemoved?: string }[];
        notWritable?: string;
      };
      assert(doc.ok === 1 && doc.corrupt.length === 1, json.stdout);
      assertStringIncludes(doc.corrupt[0]!.notRemoved ?? "", "Read-only file system");
      assertStringIncludes(doc.notWritable ?? "", "Read-only file system");
      // Nothing was removed: the copy is still there, as it was.
      assert((await Deno.readTextFile(bad)) === "rot!");
    });
  },
});
