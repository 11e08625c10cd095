/**
 * `resolveSettings({ cwd })`: the bucket option and the environment's
 * relative paths (`VC_CACHE_DIR`, `VC_BUCKET`) were taken from `cwd`, but a
 * relative `cacheDir` option and a relative `projectDir` from the process's
 * own working directory: `{ cwd: "/repo", projectDir: "." }` read the
 * project file of wherever the process ran, not `/repo`'s, and
 * `cacheDir: "cache"` named another directory than `VC_CACHE_DIR=cache`.
 * Every relative path of the options is now taken from `cwd`.
 */
import { assertEquals } from "./assert.ts";
import { resolveSettings } from "../src/config.ts";
import { join, toFileUrl } from "../src/path.ts";

Deno.test("resolveSettings: relative cacheDir and projectDir options are taken from the cwd option", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(join(dir, "repo"));
    await Deno.writeTextFile(join(dir, "repo", "vc.json"), '{"bucket": "./assets"}');
    const cwd = join(dir, "repo");
    const env = { HOME: join(dir, "home") };
    const fromOption = resolveSettings({
      cwd,
      projectDir: ".",
      cacheDir: "cache",
      configPath: false,
      env,
    });
    const fromEnv = resolveSettings({
      cwd,
      projectDir: ".",
      configPath: false,
      env: { ...env, VC_CACHE_DIR: "cache" },
    });
    assertEquals(fromOption.cacheDir, join(cwd, "cache"));
    assertEquals(fromOption.cacheDir, fromEnv.cacheDir);
    assertEquals(fromOption.projectPath, join(cwd, "vc.json"));
    assertEquals(fromOption.bucket, toFileUrl(join(cwd, "assets")).href);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
