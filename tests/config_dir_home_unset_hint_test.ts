/**
 * With the home directory unset, the default config directory's error said
 * only "set VC_CONFIG", though the platform's own variable for it
 * (`XDG_CONFIG_HOME` on Linux, `APPDATA` on Windows) works as well. It now
 * names both, as the cache directory's error names `XDG_CACHE_HOME`, and a
 * relative one is said to be ignored.
 */
import assert from "node:assert/strict";
import { defaultConfigDir } from "../src/config.ts";

Deno.test("HOME unset: the config dir's error names VC_CONFIG and the platform's variable", () => {
  assert.throws(
    () => defaultConfigDir({ os: "linux", env: {} }),
    /HOME is not set \(set VC_CONFIG or XDG_CONFIG_HOME\)$/,
  );
  assert.throws(
    () => defaultConfigDir({ os: "windows", env: {} }),
    /USERPROFILE is not set \(set VC_CONFIG or APPDATA\)$/,
  );
  // macOS has no such variable: VC_CONFIG alone.
  assert.throws(
    () => defaultConfigDir({ os: "darwin", env: {} }),
    /HOME is not set \(set VC_CONFIG\)$/,
  );
  // One set to a relative path is ignored, and the error says so.
  assert.throws(
    () => defaultConfigDir({ os: "linux", env: { XDG_CONFIG_HOME: "conf" } }),
    /set VC_CONFIG or XDG_CONFIG_HOME; XDG_CONFIG_HOME="conf" is ignored: not an absolute path\)$/,
  );
});
