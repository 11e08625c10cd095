/**
 * `vc cache dir --help` gave the cache dir's order as "--cache-dir, else
 * VC_CACHE_DIR, else the config file's cacheDir, else the platform default",
 * leaving out the project file (`vc.json`, a `"vc"` block in `deno.json`)
 * that the command does read, as the README's precedence and `vc config`
 * say: a newcomer whose `vc cache dir` printed the project's directory was
 * told by the help that it could not.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("vc cache dir: its help gives the order the command follows, project file included", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cache_dir_help_" }));
  try {
    await Deno.mkdir(join(dir, "home"));
    await Deno.writeTextFile(join(dir, "vc.json"), '{"cacheDir": "./team-cache"}');
    const run = async (args: string[], env: Record<string, string> = {}) => {
      const io = memoryIo({ env: { HOME: join(dir, "home"), ...env }, cwd: dir });
      const code = await runCli(args, io);
      return { code, stdout: io.stdout(), stderr: io.stderr() };
    };
    // What the command does: the project file's cacheDir, under VC_CACHE_DIR.
    const fromProject = await run(["cache", "dir"]);
    assertEquals([fromProject.code, fromProject.stdout.trim()], [0, join(dir, "team-cache")]);
    const fromEnv = await run(["cache", "dir"], { VC_CACHE_DIR: join(dir, "env-cache") });
    assertEquals(fromEnv.stdout.trim(), join(dir, "env-cache"));

    // What its help says.
    const help = await run(["cache", "dir", "--help", "--json"]);
    assertEquals(help.code, 0, help.stderr);
    const description = (JSON.parse(help.stdout) as { description: string }).description
      .replace(/\s+/g, " ");
    const order = ["--cache-dir", "VC_CACHE_DIR", "vc.json", "config file", "platform default"]
      .map((word) => description.indexOf(word));
    assert(order.every((at) => at >= 0), description);
    assertEquals(order, [...order].sort((a, b) => a - b), description);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
