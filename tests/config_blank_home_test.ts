/**
 * A blank `HOME` (or `LOCALAPPDATA`, `APPDATA`, `USERPROFILE`,
 * `XDG_CACHE_HOME`) is unset, as an empty one is: `HOME=" "` made the
 * default cache directory `./ /.cache/vc`, a directory named by spaces in
 * the current one, and `~/m.json` the relative path ` /m.json`.
 */
import { defaultCacheDir, defaultConfigDir } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

Deno.test("config: a blank HOME is no home directory", () => {
  assertThrows(() => defaultCacheDir({ os: "linux", env: { HOME: "  " } }), InvalidInputError);
  assertThrows(() => defaultConfigDir({ os: "linux", env: { HOME: " " } }), InvalidInputError);
  assertEquals(
    defaultCacheDir({ os: "linux", env: { HOME: " ", XDG_CACHE_HOME: "/xdg" } }),
    "/xdg/vc",
  );
  assertEquals(
    defaultCacheDir({ os: "linux", env: { HOME: "/home/ann", XDG_CACHE_HOME: " " } }),
    "/home/ann/.cache/vc",
  );
});

Deno.test("config: a blank LOCALAPPDATA or APPDATA falls back to USERPROFILE on Windows", () => {
  const env = { LOCALAPPDATA: " ", APPDATA: "\t", USERPROFILE: "C:\\Users\\ann", HOME: " " };
  assertEquals(
    defaultCacheDir({ os: "windows", env }),
    "C:\\Users\\ann\\AppData\\Local\\vc\\Cache",
  );
  assertEquals(defaultConfigDir({ os: "windows", env }), "C:\\Users\\ann\\AppData\\Roaming");
  assertThrows(
    () => defaultCacheDir({ os: "windows", env: { USERPROFILE: " " } }),
    InvalidInputError,
  );
});

Deno.test("config: vc with a blank HOME names it instead of using a directory of spaces", async () => {
  await withWorkspace(async (_dir, vc) => {
    const run = await vc(["config"], { HOME: "  ", VC_CACHE_DIR: "", XDG_CONFIG_HOME: "" });
    assertEquals(run.code, 1, run.stdout);
    assertStringIncludes(run.stderr, "HOME is not set");
    const tilde = await vc(["config"], { HOME: "  ", VC_MANIFEST: "~/m.json" });
    assertEquals(tilde.code !== 0, true, tilde.stdout);
    assertStringIncludes(tilde.stderr, "cannot expand ~/m.json");
  });
});
