/**
 * The README's GitHub Actions workflow for prefill keeps the cache between
 * runs with `actions/cache`. Its `path:` must be the directory `vc prefill`
 * fills on every runner: it used to be `~/.cache/vc` with no `VC_CACHE_DIR`,
 * which is vc's default only on Linux without `XDG_CACHE_HOME` (macOS uses
 * `~/Library/Caches/vc`, Windows `%LOCALAPPDATA%\vc\Cache`), so such a job
 * cached an empty directory and every run downloaded everything again.
 */
import { assertEquals } from "./assert.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { childEnv, vcCommand } from "./cli_process.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The value of `key:` in a YAML block (first occurrence), unquoted. */
function yamlValue(block: string, key: string): string | undefined {
  const m = block.match(new RegExp(`^\\s*${key}:\\s*(.+?)\\s*(?:#.*)?$`, "m"));
  return m?.[1]?.replace(/^(["'])(.*)\1$/, "$2");
}

Deno.test("README: the actions/cache workflow caches the directory vc prefill fills", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((b) => b.includes("actions/cache"));
  assertEquals(workflows.length > 0, true, "the README has the workflow");
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-readme-ci-cache-" }));
  try {
    const home = join(dir, "home");
    for (const workflow of workflows) {
      const path = yamlValue(workflow, "path");
      const cacheDir = yamlValue(workflow, "VC_CACHE_DIR");
      assertEquals(
        cacheDir,
        path,
        `the workflow pins VC_CACHE_DIR to the cached path:\n${workflow}`,
      );
      // What vc makes of it on a runner whose XDG_CACHE_HOME points elsewhere
      // is what actions/cache makes of `path:` (`~` is the home directory).
      const env = childEnv(dir, { VC_CACHE_DIR: cacheDir!, XDG_CACHE_HOME: join(dir, "xdg") });
      const run = await vcCommand(dir, env, ["cache", "dir"]).output();
      assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
      assertEquals(new TextDecoder().decode(run.stdout).trim(), path!.replace(/^~(?=\/)/, home));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
