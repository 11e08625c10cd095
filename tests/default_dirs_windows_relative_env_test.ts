// On Windows the default cache and config directories come from
// `LOCALAPPDATA` and `APPDATA`, taken as they were: a relative value (set by
// hand, or by a CI file's `env:`), or one whose `%USERPROFILE%` no shell
// expanded (PowerShell's `$env:LOCALAPPDATA = '%USERPROFILE%\…'`, a YAML
// value), named a directory below the working directory: a new, empty cache
// (and a missing config file) in every directory vc ran from, without a word.
// Linux ignores a relative `XDG_CACHE_HOME` (the XDG spec says to); these are
// now ignored the same way, for the directory under `USERPROFILE` they stand for.
import assert from "node:assert/strict";
import { defaultCacheDir, defaultConfigDir, defaultConfigFile } from "../src/config.ts";

const profile = "C:\\Users\\ann";

Deno.test("Windows: a LOCALAPPDATA that is no absolute path is ignored for the default cache dir", () => {
  for (const local of ["AppData\\Local", "%USERPROFILE%\\AppData\\Local", "C:AppData", "\\Local"]) {
    assert.equal(
      defaultCacheDir({ os: "windows", env: { LOCALAPPDATA: local, USERPROFILE: profile } }),
      "C:\\Users\\ann\\AppData\\Local\\vc\\Cache",
      local,
    );
  }
  for (const local of ["D:\\Local", "\\\\srv\\home\\ann\\Local", "d:/Local"]) {
    assert.equal(
      defaultCacheDir({ os: "windows", env: { LOCALAPPDATA: local, USERPROFILE: profile } }),
      `${local.replaceAll("/", "\\")}\\vc\\Cache`,
    );
  }
});

Deno.test("Windows: an APPDATA that is no absolute path is ignored for the default config dir", () => {
  for (const appData of ["AppData\\Roaming", "%USERPROFILE%\\AppData\\Roaming"]) {
    const env = { APPDATA: appData, USERPROFILE: profile };
    assert.equal(defaultConfigDir({ os: "windows", env }), "C:\\Users\\ann\\AppData\\Roaming");
    assert.equal(
      defaultConfigFile({ os: "windows", env }),
      "C:\\Users\\ann\\AppData\\Roaming\\vc\\config.json",
    );
  }
});

Deno.test("Windows: with no home either, the error says the relative LOCALAPPDATA is ignored", () => {
  assert.throws(
    () =>
      defaultCacheDir({ os: "windows", env: { LOCALAPPDATA: "%USERPROFILE%\\AppData\\Local" } }),
    /USERPROFILE is not set .*LOCALAPPDATA="%USERPROFILE%\\\\AppData\\\\Local" is ignored: not an absolute path/,
  );
});
