/**
 * The home directory, decided in one place for `~` expansion (settings,
 * flags, variables) and the default directories: on Windows `USERPROFILE`,
 * then `HOME` (which Git Bash and MSYS set, to a path of their own), elsewhere
 * `HOME`. `~` once took `HOME` first on Windows while the cache directory
 * took `USERPROFILE`, so `~/cache` and the default cache were under two
 * homes, and a missing home was reported as "HOME is not set" there.
 *
 * @module
 */
import { join } from "./path.ts";
import { InvalidInputError } from "./errors.ts";

/** Reads one environment variable; `undefined` when unset. */
type EnvReader = (name: string) => string | undefined;

/**
 * The variable that names the home directory on `os`: `USERPROFILE` on
 * Windows, `HOME` elsewhere; named when neither is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { homeVariable } from "./home_dir.ts";
 * assert.equal(homeVariable("windows"), "USERPROFILE");
 * assert.equal(homeVariable("linux"), "HOME");
 * ```
 */
export function homeVariable(os: typeof Deno.build.os = Deno.build.os): "USERPROFILE" | "HOME" {
  return os === "windows" ? "USERPROFILE" : "HOME";
}

/**
 * The home directory on `os`, or undefined when it is not set. A blank
 * value is unset: `HOME=" "` made paths under `./ /`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { homeDirectory } from "./home_dir.ts";
 * const env = (n: string) => ({ HOME: "/c/Users/ann", USERPROFILE: "C:\\Users\\ann" })[n];
 * assert.equal(homeDirectory(env, "windows"), "C:\\Users\\ann");
 * assert.equal(homeDirectory(env, "linux"), "/c/Users/ann");
 * assert.equal(homeDirectory(() => " ", "linux"), undefined);
 * ```
 */
export function homeDirectory(
  env: EnvReader,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  const names = os === "windows" ? ["USERPROFILE", "HOME"] : ["HOME"];
  return names.map(env).find((v) => v !== undefined && v.trim() !== "");
}

/** Options of {@linkcode expandHome}. */
export interface ExpandHomeOptions {
  /** Operating system instead of `Deno.build.os`. */
  os?: typeof Deno.build.os;
  /** Makes the error for a home that is not set (default `InvalidInputError`). */
  error?: (message: string) => Error;
}

/**
 * `path` with a leading `~` (`~`, `~/x`, `~\x`) as the home directory
 * ({@linkcode homeDirectory}); other paths as they are. When the home is not
 * set, throws naming `what` (the setting, flag or variable that gave the
 * path; none when undefined) and the variable to set on that OS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandHome } from "./home_dir.ts";
 * const env = (n: string) => (n === "HOME" ? "/home/ann" : undefined);
 * assert.equal(expandHome("~/m.json", env, "--manifest", { os: "linux" }), "/home/ann/m.json");
 * assert.equal(expandHome("./~", env, "--manifest"), "./~");
 * assert.throws(() => expandHome("~/m.json", () => undefined, "--manifest", { os: "windows" }),
 *   /--manifest: cannot expand ~\/m\.json: USERPROFILE is not set/);
 * ```
 */
export function expandHome(
  path: string,
  env: EnvReader,
  what: string | undefined,
  options: ExpandHomeOptions = {},
): string {
  const unexpanded = unexpandedVariable(path);
  if (unexpanded !== undefined) {
    throw (options.error ?? ((m) => new InvalidInputError(m)))(
      unexpandedMessage(path, unexpanded, what),
    );
  }
  if (path !== "~" && !path.startsWith("~/") && !path.startsWith("~\\")) return path;
  const home = homeDirectory(env, options.os);
  if (home === undefined) {
    const message = `${what === undefined ? "" : `${what}: `}cannot expand ${path}: ${
      homeVariable(options.os)
    } is not set`;
    throw (options.error ?? ((m) => new InvalidInputError(m)))(message);
  }
  return join(home, path.slice(1));
}

// A variable's reference at the start of a path, as a shell would write it
// (`$HOME`, `${HOME}`; PowerShell's `$env:LOCALAPPDATA`; cmd.exe's
// `%LOCALAPPDATA%`), followed by a separator or nothing: the reference and
// the variable's name.
// A shell default (`${XDG_CACHE_HOME:-~/.cache}`) is a variable too; a
// command substitution (`$(pwd)`, `` `pwd` ``) has no name.
const UNEXPANDED =
  /^(?:\$env:([A-Za-z_]\w*)|\$\{([A-Za-z_]\w*)(?::?[-=?+][^}]*)?\}|\$([A-Za-z_]\w*)|%([A-Za-z_][\w()]*)%|(\$\([^()]*\)|`[^`]*`))(?=[\\/]|$)/;

/**
 * The variable reference `path` starts with, that no shell expanded, or
 * undefined: a GitHub Actions `env:` block, a Docker or systemd environment
 * file and a settings file expand none, PowerShell does not expand cmd.exe's
 * `%LOCALAPPDATA%`, nor a POSIX shell PowerShell's `$env:LOCALAPPDATA`.
 * Taken as a path, it named a directory `$HOME` or `%LOCALAPPDATA%` in the
 * current one (a new, empty cache in every directory vc ran from). So does a
 * shell default (`${XDG_CACHE_HOME:-~/.cache}`) and a command substitution
 * (`$(pwd)`, `` `pwd` ``), whose `name` is empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unexpandedVariable } from "./home_dir.ts";
 * assert.deepEqual(unexpandedVariable("$HOME/.cache/vc"), { reference: "$HOME", name: "HOME" });
 * assert.equal(unexpandedVariable("%LOCALAPPDATA%\\vc")?.name, "LOCALAPPDATA");
 * assert.equal(unexpandedVariable("./$HOME"), undefined);
 * assert.equal(unexpandedVariable("/ci/$RUN"), undefined);
 * assert.deepEqual(unexpandedVariable("$(pwd)/c"), { reference: "$(pwd)", name: "" });
 * ```
 */
export function unexpandedVariable(path: string): { reference: string; name: string } | undefined {
  const m = UNEXPANDED.exec(path);
  if (m === null) return undefined;
  // A command substitution's name is empty: there is no variable to name.
  return { reference: m[0], name: m[1] ?? m[2] ?? m[3] ?? m[4] ?? "" };
}

function unexpandedMessage(
  path: string,
  { reference, name }: { reference: string; name: string },
  what: string | undefined,
): string {
  const rest = path.slice(reference.length);
  const home = /^(HOME|USERPROFILE)$/i.test(name) ? ` (~${rest === "" ? "" : rest})` : "";
  const kind = name === ""
    ? "a command substitution no shell ran (vc runs none"
    : "a variable no shell expanded (vc expands none";
  return `${what === undefined ? "" : `${what}: `}${JSON.stringify(path)} starts with ` +
    `${reference}, ${kind}, only a leading ~): write the ` +
    `path out${home}, or ./${path} for a path of that name`;
}
