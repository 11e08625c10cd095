/**
 * A local path setting that starts with a variable no shell expanded was
 * taken as a relative path: `VC_CACHE_DIR: $HOME/.cache/vc` in a GitHub
 * Actions `env:` block (which expands no shell variables), a config file's
 * `"cacheDir": "%LOCALAPPDATA%\\vc"` (a Windows variable only cmd.exe
 * expands), or `--cache-dir %LOCALAPPDATA%\vc` typed in PowerShell (which
 * writes it `$env:LOCALAPPDATA`) made a directory named `$HOME` or
 * `%LOCALAPPDATA%` in the current one: a new, empty cache in every
 * directory vc ran from, without a word. Now refused, naming the setting
 * and the variable; `./$x` still names such a directory on purpose.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { loadConfigFile, resolveSettings } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";
import { expandHome } from "../src/home_dir.ts";
import { localPathSetting } from "../src/cli/local_path.ts";
import { UsageError } from "../src/cli/errors.ts";

const env = (name: string) =>
  ({ HOME: "/home/ann", USERPROFILE: "C:\\Users\\ann" } as Record<string, string>)[name];

const UNEXPANDED: [string, string][] = [
  ["$HOME/.cache/vc", "$HOME"],
  ["${HOME}/.cache/vc", "${HOME}"],
  ["$XDG_CACHE_HOME", "$XDG_CACHE_HOME"],
  ["%LOCALAPPDATA%\\vc", "%LOCALAPPDATA%"],
  ["%ProgramFiles(x86)%/vc", "%ProgramFiles(x86)%"],
  ["$env:LOCALAPPDATA\\vc", "$env:LOCALAPPDATA"],
];

Deno.test("VC_CACHE_DIR starting with an unexpanded variable is refused, naming it", () => {
  for (const [value, variable] of UNEXPANDED) {
    const e = assertThrows(
      () =>
        resolveSettings({
          env: { ...{ HOME: "/home/ann" }, VC_CACHE_DIR: value },
          configPath: false,
        }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "VC_CACHE_DIR");
    assertStringIncludes(e.message, `starts with ${variable}, a variable no shell expanded`);
  }
  // The home's own variable: `~` says it, and vc expands that.
  const home = assertThrows(
    () => expandHome("$HOME/x", env, "VC_CACHE_DIR", { os: "linux" }),
    InvalidInputError,
  );
  assertStringIncludes(home.message, "~/x");
});

Deno.test("--cache-dir and the option cacheDir starting with an unexpanded variable are refused", () => {
  const e = assertThrows(
    () => localPathSetting("/work", "%LOCALAPPDATA%\\vc", env, "--cache-dir"),
    UsageError,
  );
  assertStringIncludes(e.message, "--cache-dir");
  assertStringIncludes(e.message, "%LOCALAPPDATA%");
  assertThrows(
    () => resolveSettings({ env: {}, configPath: false, cacheDir: "$HOME/c" }),
    InvalidInputError,
    "the option cacheDir",
  );
});

Deno.test("VC_CONFIG starting with an unexpanded variable is refused, naming VC_CONFIG", () => {
  const e = assertThrows(
    () => loadConfigFile(undefined, { env: { VC_CONFIG: "$HOME/vc.json", HOME: "/home/ann" } }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, 'VC_CONFIG: "$HOME/vc.json" starts with $HOME');
  assertStringIncludes(e.message, "(~/vc.json)");
});

Deno.test("paths that only hold a $ or % elsewhere, or say ./ first, are taken as written", () => {
  for (const value of ["./$HOME/c", "/ci/$RUN/c", "/srv/50%/c", "$", "%", "cache$", "a%b%"]) {
    assertEquals(expandHome(value, env, "VC_CACHE_DIR", { os: "linux" }), value);
  }
  assertEquals(expandHome("~/c", env, "VC_CACHE_DIR", { os: "linux" }), "/home/ann/c");
});
