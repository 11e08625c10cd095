/**
 * Command-line values that name a local file or directory (`vc add`'s FILE,
 * `vc get`'s and `vc sync`'s DEST, `--manifest`, `--lock`, `--cache-dir`).
 *
 * baiji-pod's `vc` took S3 URIs in several of these places (`vc sync
 * s3://b/dir`, `vc get /x.csv s3://b/x.csv`). Resolved as a path, such a URI
 * is a relative one with its `//` collapsed: vc would write
 * `./s3:/b/x.csv`, report success, and a migrating user would believe the
 * copy went to S3. So a URI there is refused, naming it.
 *
 * @module
 */
import { environmentPathProblem } from "../config.ts";
import { expandHome } from "../home_dir.ts";
import { isUriNotPath, resolve } from "../path.ts";
import { UsageError } from "./errors.ts";
import { nulInPathMessage } from "../options_check.ts";
import { windowsPathProblem } from "../uri.ts";

/**
 * `value` resolved against `cwd`; throws `UsageError` naming `what` and the
 * value when it is a URI (`s3://b/x`, `file:///x`) rather than a path, or
 * has a line break at an end (a space there may be meant, a line break not).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localPathArg } from "./local_path.ts";
 * assert.equal(localPathArg("/work", "data/x.csv", "FILE"), "/work/data/x.csv");
 * assert.throws(() => localPathArg("/work", "s3://b/x.csv", "FILE"), /FILE .*s3:\/\/b\/x\.csv/);
 * assert.throws(() => localPathArg("/work", "-", "--lock"), /--lock -: vc reads no standard input/);
 * assert.equal(localPathArg("/work", "./-", "--lock"), "/work/-");
 * assert.throws(() => localPathArg("/work", "c\r", "--cache-dir"), /did you mean "c"/);
 * ```
 */
export function localPathArg(cwd: string, value: string, what: string): string {
  // Empty (an unset variable in a script) would resolve to the working directory.
  if (value.trim() === "") throw new UsageError(`${what} is empty: give a local path`);
  // `--lock -` wrote a lock file named "-" into the working directory, and
  // `--manifest -` looked for one: "-" is standard input or output where a
  // command takes one (`vc get PATH -`), so a file of that name is asked for
  // explicitly.
  if (value === "-") {
    throw new UsageError(
      `${what} -: vc reads no standard input and writes no standard output here`,
      { hint: "give a path (./- for one named -)" },
    );
  }
  if (value.includes("\0")) throw new UsageError(nulInPathMessage(what, value));
  // A line break at an end is never typed (a space may be): `--cache-dir
  // "$DIR"` with DIR read from a CRLF file, a YAML block's `\n`, made a
  // directory `cache\r` beside the one meant, as VC_CACHE_DIR did.
  if (/^[\r\n]|[\r\n]$/.test(value)) {
    throw new UsageError(environmentPathProblem(value, what) ?? `${what} ends with a line break`);
  }
  if (isUriNotPath(value)) {
    throw new UsageError(
      `${what} must be a local path, got the URI ${JSON.stringify(value)}`,
      { hint: "vc reads and writes local files here; copy to or from the store with another tool" },
    );
  }
  const windowsPath = windowsPathProblem(value);
  if (windowsPath !== undefined) throw new UsageError(`${what} ${windowsPath}`);
  return resolve(cwd, value);
}

/**
 * A local path setting (`--manifest`, `VC_LOCK`, `--token-file`, ...) resolved
 * as {@linkcode localPathArg} does, after a leading `~` is taken as the home
 * directory: no shell expands the `~` of `--manifest=~/m.json` or of a quoted
 * `VC_MANIFEST="~/m.json"` (a CI file's `env:`), and taken as it is, it named
 * `./~/m.json`, a directory vc made in the current one. `variable`: the
 * environment variable that gave `value`, whose whitespace at an end (a YAML
 * block's line break, a pasted space) is refused, as it named a file `x.json\n`.
 * Throws `UsageError` naming `what` (the caller makes a variable's an
 * `InvalidInputError` with `environmentValue`). The home is `os`'s
 * (`home_dir.ts`: on Windows `USERPROFILE` first, as the default directories).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localPathSetting } from "./local_path.ts";
 * const env = (name: string) => name === "HOME" ? "/home/ann" : undefined;
 * assert.equal(localPathSetting("/work", "~/t.json", env, "--token-file"), "/home/ann/t.json");
 * assert.throws(() => localPathSetting("/work", "t.json\n", env, "VC_X", "VC_X"), /VC_X "t\.json\\n"/);
 * assert.throws(() => localPathSetting("/work", "s3://b/t.json", env, "--token-file"), /URI/);
 * ```
 */
export function localPathSetting(
  cwd: string,
  value: string,
  env: (name: string) => string | undefined,
  what: string,
  variable?: string,
  os: typeof Deno.build.os = Deno.build.os,
): string {
  const stray = variable === undefined ? undefined : environmentPathProblem(value, variable);
  if (stray !== undefined) throw new UsageError(stray);
  // A home that is not set is named with `what` (the flag or variable), as
  // `VC_CACHE_DIR: cannot expand …` is.
  const path = expandHome(value, env, what, { os, error: (m) => new UsageError(m) });
  return localPathArg(cwd, path, what);
}

/**
 * The file a command uploads (`vc add` / `vc update` / `vc repo add` FILE),
 * resolved as {@linkcode localPathArg} does; `"-"` is refused naming the
 * command and saying what to do instead. Read as a path, `-` was a file named "-" that did not exist
 * ("… - does not exist"), which never said that standard input is not read
 * here (an upload needs its size and MD5 before it starts) nor what to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uploadFileArg } from "./local_path.ts";
 * assert.equal(uploadFileArg("/work", "./-", "add"), "/work/-");
 * assert.throws(() => uploadFileArg("/work", "-", "add"), /add does not read standard input/);
 * ```
 */
export function uploadFileArg(cwd: string, value: string, command: string): string {
  if (value === "-") {
    throw new UsageError(`FILE -: ${command} does not read standard input`, {
      hint: `save it to a file first and give that file (./- for a file named -)`,
      command,
    });
  }
  return localPathArg(cwd, value, "FILE");
}

/**
 * A value that names one object by its URI or a local path (`vc repo
 * backup DEST_URI`, `vc repo restore SNAPSHOT`): a URI as it is, a path as
 * {@linkcode localPathSetting} resolves it. Taken as it was, `-` (which is
 * standard output in `vc get PATH -`) wrote the backup to a file named "-",
 * so that `vc repo backup - | aws s3 cp - …` uploaded that name, and
 * `~/b.jsonl.gz` (quoted, or from a variable, where no shell expands it)
 * made a directory `./~`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { objectUriArg } from "./local_path.ts";
 * const env = (name: string) => name === "HOME" ? "/home/ann" : undefined;
 * assert.equal(objectUriArg("/work", "s3://b/k.gz", env, "DEST_URI"), "s3://b/k.gz");
 * assert.equal(objectUriArg("/work", "~/k.gz", env, "DEST_URI"), "/home/ann/k.gz");
 * assert.throws(() => objectUriArg("/work", "-", env, "DEST_URI"), /standard output/);
 * ```
 */
export function objectUriArg(
  cwd: string,
  value: string,
  env: (name: string) => string | undefined,
  what: string,
): string {
  if (value.trim() === "") {
    throw new UsageError(`${what} is empty: give an s3://bucket/key or file:// URI, or a path`);
  }
  return isUriNotPath(value) ? value : localPathSetting(cwd, value, env, what);
}
