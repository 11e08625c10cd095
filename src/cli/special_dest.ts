/**
 * A DEST that no file written there can replace (`vc get PATH DEST`,
 * `vc cache-client get ID DEST`, `vc repo get ID --to DEST`), refused
 * before anything is fetched.
 *
 * @module
 */
import { copyOutBlocked } from "../cache/cache_errors.ts";
import { InvalidInputError } from "../errors.ts";
import { fileKind } from "../regular_file.ts";
import { shellWord } from "../shell_word.ts";

/**
 * Refuses a DEST that is, or leads to, no file a copy can replace: a pipe,
 * socket or device (`/dev/stdout` into a pipe is a link to a `pipe:[…]`
 * that names no file, and the copy failed opening a temp file beside it),
 * or a path in /dev or /proc the vc binary may not look at; and a DEST
 * under a file (`out.csv/a.csv`: a file where one of its directories
 * belongs), which the copy met only once the content was downloaded
 * (`copyOutBlocked`'s error, as `vc sync` says it). `dash` is the
 * command that writes the content to standard output (`vc get PATH -`);
 * `what` names the argument in the message (`--to` of `vc repo get`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseSpecialDest } from "./special_dest.ts";
 * await assert.rejects(
 *   () => refuseSpecialDest("/dev/null", "vc get /a.csv -"),
 *   /`vc get \/a\.csv -` writes the content to standard output/,
 * );
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/out.csv`, "");
 *   await assert.rejects(
 *     () => refuseSpecialDest(`${dir}/out.csv/a.csv`, "vc get /a.csv -"),
 *     /a file is where one of its directories belongs/,
 *   );
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function refuseSpecialDest(
  dest: string,
  dash: string,
  what = "DEST",
): Promise<void> {
  let problem: string | undefined;
  try {
    const info = await Deno.stat(dest); // through links, as the kernel does
    // Followed, it is never a link: anything but a file or directory is special.
    const kind = info.isFile || info.isDirectory ? undefined : fileKind(info);
    if (kind !== undefined) {
      // Only for the message: a plain file or directory needs no second look.
      const link = (await Deno.lstat(dest).catch(() => undefined))?.isSymlink === true;
      problem = `is not a regular file but ${link ? "a link to " : ""}${kind}`;
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotADirectory) throw copyOutBlocked(dest, "file above");
    const where = /^\/(dev|proc)\//.exec(dest)?.[1];
    if (error instanceof Deno.errors.NotCapable && where !== undefined) {
      problem = `is in /${where}, where vc writes no file`;
    }
  }
  if (problem === undefined) return;
  const stdout = /^\/(dev\/stdout|dev\/fd\/1|proc\/self\/fd\/1)$/.test(dest);
  throw new InvalidInputError(
    `${what} ${dest} ${problem}: \`${dash}\` writes the content to standard output${
      stdout ? "" : ` (\`${dash} > ${shellWord(dest)}\` into a pipe or device)`
    }`,
  );
}
