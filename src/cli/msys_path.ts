/**
 * A manifest or repository path (`/foo/bar.csv`) that a Windows shell
 * rewrote before vc saw it. Git Bash, and every MSYS2 or Cygwin shell, turn
 * an argument starting with `/` into a Windows path for a native program:
 * `vc add /foo/bar.csv bar.csv` reaches vc as
 * `C:/Program Files/Git/foo/bar.csv`, which, taken as written, is the
 * manifest path `/C:/Program Files/Git/foo/bar.csv`: pinned, and published
 * under that key into a bucket whose versions stay. No path of a manifest or
 * a repository starts with a drive, so such an argument is refused, saying
 * how to type the path there.
 *
 * @module
 */
import { UsageError } from "./errors.ts";

// Where the usual shells keep their root: what follows is the path typed.
const SHELL_ROOT =
  /^[A-Za-z]:[\\/](?:Program Files(?: \(x86\))?[\\/]Git|msys64|msys32|cygwin64|cygwin)[\\/]+(?<rest>.+)$/i;

/**
 * Throws `UsageError` when `value`, given as `what` (`PATH`, `--path`), is a
 * Windows path with a drive (`C:/…`, `C:\…`): no path of a manifest or
 * repository is one, and it is what a Windows shell makes of `/foo/bar.csv`.
 * With `slashRequired` (a path told from an id by its `/`), the advice to
 * drop the `/` is left out.
 * The message names the path meant where the shell's root is a known one
 * (`C:/Program Files/Git/foo/bar.csv` is `/foo/bar.csv`). A path written
 * with its `/` first (`/C:/x.csv`) is left to the caller's own rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseShellConvertedPath } from "./msys_path.ts";
 * assert.throws(
 *   () => refuseShellConvertedPath("C:/Program Files/Git/foo/bar.csv", "PATH"),
 *   /did you mean "\/foo\/bar\.csv"/,
 * );
 * refuseShellConvertedPath("/foo/bar.csv", "PATH");
 * refuseShellConvertedPath("foo/bar.csv", "PATH");
 * refuseShellConvertedPath("/C:/x.csv", "PATH");
 * ```
 */
export function refuseShellConvertedPath(
  value: string,
  what: string,
  options: { slashRequired?: boolean } = {},
): void {
  if (!/^[A-Za-z]:[\\/]/.test(value)) return;
  const rest = SHELL_ROOT.exec(value)?.groups?.rest;
  const meant = rest === undefined ? undefined : `/${rest.replaceAll("\\", "/")}`;
  // Where a path is told from an id by its `/` (`vc repo tag`), it cannot go.
  const without = options.slashRequired === true
    ? ""
    : `give it without the leading / (${
      meant === undefined ? "foo/bar.csv" : meant.slice(1)
    } names the same path) or `;
  throw new UsageError(
    `${what} ${JSON.stringify(value)} is a Windows path, not a path such as /foo/bar.csv` +
      `${meant === undefined ? ";" : `: did you mean ${JSON.stringify(meant)}?`} Git Bash and ` +
      "other MSYS or Cygwin shells turn an argument starting with / into a Windows path; there, " +
      `${without}set MSYS_NO_PATHCONV=1 for the command`,
  );
}
