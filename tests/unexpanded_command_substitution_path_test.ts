/**
 * A GitHub Actions `env:` block (or a Docker / systemd environment file)
 * runs no shell: `VC_CACHE_DIR: $(pwd)/.cache/vc` reaches vc as written, as
 * does a shell default, `${XDG_CACHE_HOME:-$HOME/.cache}/vc`. vc refused a
 * leading `$HOME` or `${HOME}` already, but took these for relative paths:
 * a directory named `$(pwd)` (or `${XDG_CACHE_HOME:-$HOME`) in the current
 * one, a new, empty cache in every job, which the CI cache step never saved
 * where the next job looked. Now refused as those are, naming the setting.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { resolveSettings } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";
import { expandHome } from "../src/home_dir.ts";

const env = (name: string) => ({ HOME: "/home/ann" } as Record<string, string>)[name];

Deno.test("VC_CACHE_DIR starting with a command substitution or a shell default is refused", () => {
  const cases: [string, string, string][] = [
    ["$(pwd)/.cache/vc", "$(pwd)", "a command substitution no shell ran"],
    ["`pwd`/.cache/vc", "`pwd`", "a command substitution no shell ran"],
    ["$(git rev-parse --show-toplevel)/c", "$(git rev-parse --show-toplevel)", "no shell ran"],
    ["${XDG_CACHE_HOME:-/home/ann/.cache}/vc", "${XDG_CACHE_HOME:-/home/ann/.cache}", "a variable"],
    ["${RUNNER_TEMP-/tmp}/vc", "${RUNNER_TEMP-/tmp}", "a variable no shell expanded"],
  ];
  for (const [value, reference, what] of cases) {
    const e = assertThrows(
      () => resolveSettings({ env: { HOME: "/home/ann", VC_CACHE_DIR: value }, configPath: false }),
      InvalidInputError,
    );
    assertStringIncludes(
      e.message,
      `VC_CACHE_DIR: ${JSON.stringify(value)} starts with ${reference}`,
    );
    assertStringIncludes(e.message, what);
    assertStringIncludes(e.message, `./${value} for a path of that name`);
  }
});

Deno.test("a $( or backquote elsewhere in a path, or after ./, is taken as written", () => {
  for (const value of ["./$(pwd)/c", "/ci/$(x)/c", "/ci/`x`/c", "$(", "`", "$(pwd"]) {
    assertEquals(expandHome(value, env, "VC_CACHE_DIR", { os: "linux" }), value);
  }
});
