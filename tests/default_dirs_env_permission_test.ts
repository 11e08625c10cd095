/**
 * A script run without `--allow-env` gets the default cache or config
 * directory refused with the real cause: HOME cannot be read. `readDenoEnv`
 * takes a denied permission for "unset", so the message said "HOME is not
 * set" to a user whose HOME was set, and named variables they could not have
 * set either (VC_CACHE_DIR needs the same permission).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";

const CONFIG = new URL("../src/config.ts", import.meta.url).href;

Deno.test("default dirs: without env permission the error says HOME cannot be read, not that it is unset", async () => {
  const script = `
    import { defaultCacheDir, defaultConfigDir } from ${JSON.stringify(CONFIG)};
    for (const f of [defaultCacheDir, defaultConfigDir]) {
      try { console.log(f()); } catch (e) { console.log(e.constructor.name + ": " + e.message); }
    }`;
  const dir = await Deno.makeTempDir({ prefix: "vc-env-permission-" });
  let out: Deno.CommandOutput;
  try {
    await Deno.writeTextFile(`${dir}/script.ts`, script);
    // `deno eval` would grant every permission: run a file with none.
    out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-config", `${dir}/script.ts`],
      env: { HOME: "/home/ann", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  assertEquals(lines.length, 2);
  assertStringIncludes(
    lines[0]!,
    "InvalidInputError: cannot determine the default cache directory",
  );
  assertStringIncludes(lines[0]!, "cannot be read without env permission");
  assertStringIncludes(lines[0]!, "the cacheDir option");
  // The flag that lets it be read, with the variables that place the
  // directory beside HOME (default_cache_dir_env_advice_test.ts).
  assertStringIncludes(lines[0]!, "run with --allow-env=VC_CACHE_DIR,");
  assertStringIncludes(lines[0]!, "HOME, or pass the cacheDir option");
  assertStringIncludes(lines[1]!, "cannot be read without env permission");
  assertStringIncludes(lines[1]!, "the configPath option");
});
