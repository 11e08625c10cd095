/**
 * `VC_CACHE_DIR=" "` (a stray space in a CI variable) became a cache
 * directory named " " under the current directory, without a word, where
 * `--cache-dir " "` and the `cacheDir` option are refused. Empty stays
 * "unset", as for every VC_* variable.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { defaultCacheDir, resolveSettings } from "../src/config.ts";
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

Deno.test("defaultCacheDir: with HOME unset, a relative XDG_CACHE_HOME is named as ignored", () => {
  // The error said "set XDG_CACHE_HOME" to someone who had, to a relative
  // path, which is ignored: now it says why.
  assertThrows(
    () => defaultCacheDir({ os: "linux", env: { XDG_CACHE_HOME: "relc" } }),
    InvalidInputError,
    'XDG_CACHE_HOME="relc" is ignored: not an absolute path',
  );
  assertThrows(
    () => defaultCacheDir({ os: "linux", env: {} }),
    InvalidInputError,
    "HOME is not set (set VC_CACHE_DIR or XDG_CACHE_HOME, or pass the cacheDir option)",
  );
  assertEquals(defaultCacheDir({ os: "linux", env: { XDG_CACHE_HOME: "/x" } }), "/x/vc");
});
