/**
 * `vc add PATH FILE` (and `vc update`, `vc repo add`) with the two swapped:
 * `vc add ./bar.csv /foo/bar.csv`, the order `cp` and `aws s3 cp` take
 * (source first). Before, a newcomer got `PATH: invalid versioned path
 * "./bar.csv": it contains a . segment`, or, with a PATH that is also a valid
 * name (`vc add ~/Desktop/bar.csv /foo/bar.csv`), `file to publish as
 * /…/Desktop/bar.csv: /foo/bar.csv does not exist`: true, but neither says that
 * the arguments came in the wrong order. Said only when it is clear: FILE is
 * written as an asset's path is (a leading `/`) and no such file exists, while
 * PATH names a local regular file.
 *
 * @module
 */
import { resolve } from "../path.ts";
import { UsageError } from "./errors.ts";
import { shellWord } from "../shell_word.ts";

/**
 * Throws a `UsageError` saying PATH and FILE are swapped, with the command
 * line in the right order, when FILE (`/`-rooted) does not exist and PATH is
 * a local regular file; otherwise does nothing (any other stat error: the
 * command's own checks report it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseSwappedPathAndFile } from "./swapped_arguments.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/bar.csv`, "a\n");
 * await assert.rejects(
 *   () => refuseSwappedPathAndFile("add", dir, "./bar.csv", "/no/such/dir/bar.csv"),
 *   /PATH, the name it is published under, comes first/,
 * );
 * // The right order, or a FILE that exists: nothing to say.
 * await refuseSwappedPathAndFile("add", dir, "/foo/bar.csv", "./bar.csv");
 * await refuseSwappedPathAndFile("add", dir, "./bar.csv", `${dir}/bar.csv`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function refuseSwappedPathAndFile(
  command: string,
  cwd: string,
  path: string,
  file: string,
): Promise<void> {
  if (!file.startsWith("/")) return;
  const missing = await Deno.lstat(resolve(cwd, file)).then(
    () => false,
    (error) => error instanceof Deno.errors.NotFound,
  );
  if (!missing) return;
  const pathIsFile = await Deno.stat(resolve(cwd, path)).then((s) => s.isFile, () => false);
  if (!pathIsFile) return;
  throw new UsageError(
    `${command}: FILE ${JSON.stringify(file)} does not exist, and PATH ${
      JSON.stringify(path)
    } is a local file: PATH, the name it is published under, comes first, then the FILE`,
    { hint: `swap them: vc ${command} ${shellWord(file)} ${shellWord(path)}`, command },
  );
}
