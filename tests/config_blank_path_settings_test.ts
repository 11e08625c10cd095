/**
 * A settings file's `cacheDir` or `manifest` that is blank (`"  "`) is
 * refused naming the file and key, as an empty one and a blank
 * `VC_CACHE_DIR` are: it was taken as a path, a directory named by spaces
 * in the settings file's directory (`vc cache dir` printed `…/  `, and the
 * cache was made there).
 */
import { join } from "node:path";
import { assertStringIncludes, assertThrows } from "./assert.ts";
import { loadConfigFile } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("settings file: a blank cacheDir or manifest is refused, naming the file and key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_blank_path_setting_" });
  try {
    for (const key of ["cacheDir", "manifest"]) {
      for (const value of ["  ", "\t"]) {
        const file = join(dir, "config.json");
        await Deno.writeTextFile(file, JSON.stringify({ [key]: value }));
        const error = assertThrows(() => loadConfigFile(file), InvalidInputError);
        assertStringIncludes(error.message, `${file}: "${key}" must be a path, not empty or blank`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
