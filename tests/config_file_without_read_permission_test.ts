/**
 * A script given `--allow-env` but no read permission for the user's config
 * file (`~/.config/vc/config.json`, read by default by every `AssetCache`)
 * is told which file to allow, or that `configPath: false` reads none: it
 * was Deno's bare "Requires read access ..., run again with the --allow-read
 * flag", with no word of the option that avoids the file.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { runLimitedScript } from "./limited_permission_script.ts";
import { withTempDir } from "./versioned_helpers.ts";

Deno.test("a config file the script may not read names the flag to add and configPath: false", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    const configHome = `${dir}-elsewhere`; // outside what the script may read
    const lines = await runLimitedScript(
      dir,
      {
        imports: ["AssetCache"],
        body: `
        const root = ${JSON.stringify(dir)};
        for (const options of [{}, { configPath: false }]) {
          await show((async () => {
            await using cache = new AssetCache({ cacheDir: root + "/cache", ...options });
            await cache.cache("file://" + root + "/a.txt");
          })());
        }`,
      },
      ["--allow-env"],
      { XDG_CONFIG_HOME: configHome, VC_CONFIG: "", NO_COLOR: "1" },
    );
    assertEquals(lines.length, 2, lines.join("\n"));
    const file = `${configHome}/vc/config.json`;
    assertStringIncludes(lines[0]!, `ConfigFileError: cannot read config file ${file}`);
    assertStringIncludes(lines[0]!, `run with --allow-read=${file}`);
    assertStringIncludes(lines[0]!, "configPath: false");
    assertEquals(lines[1], "ok");
  }, "vc-config-read-permission-");
});
