/**
 * `VC_CACHE_DIR=" "` (a stray space in a CI variable) became a cache
 * directory named " " under the current directory, without a word, where
 * `--cache-dir " "` and the `cacheDir` option are refused. Empty stays
 * "unset", as for every VC_* variable.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { resolveSettings } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("resolveSettings: a blank VC_CACHE_DIR is refused, an empty one is unset", () => {
  const env = (dir: string) => ({ VC_CACHE_DIR: dir, HOME: "/home/ann", XDG_CACHE_HOME: "" });
  assertThrows(
    () => resolveSettings({ configPath: false, cwd: "/work", env: env(" ") }),
    InvalidInputError,
    "VC_CACHE_DIR is blank",
  );
  assertThrows(
    () => resolveSettings({ configPath: false, cwd: "/work", env: env("\t") }),
    InvalidInputError,
    "VC_CACHE_DIR",
  );
  const s = resolveSettings({ configPath: false, cwd: "/work", env: env("") });
  assertEquals(s.sources.cacheDir, "default");
  assertEquals(s.cacheDir, "/home/ann/.cache/vc");
});
