/**
 * `vc merge-driver BASE OURS THEIRS [PATH]`: git's merge driver for the
 * manifest and the lock file (`.gitattributes`: `versioned_assets*.json merge=vc`;
 * `git config merge.vc.driver "vc merge-driver %O %A %B %P"`), merging them
 * entry by entry ({@linkcode mergeVersionedFile}) instead of line by line.
 * PATH (git's `%P`) is the file being merged, named in what the driver says:
 * the three others are git's temporary files (`.merge_file_XXXXXX`).
 *
 * @module
 */
import type { Command } from "./command.ts";
import { EXIT_FAILURE } from "./errors.ts";
import { InvalidInputError } from "../errors.ts";
import { conflictMarkers, mergeVersionedFile } from "../versioned/merge.ts";
import { rebaseInProgress } from "./git_rebase_state.ts";
import { decodeUtf8 } from "../utf8.ts";
import { concatBytes } from "../bytes.ts";

// Whether `bytes` hold a CRLF line break.
function hasCrLf(bytes: Uint8Array): boolean {
  for (let i = 1; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && bytes[i - 1] === 0x0d) return true;
  }
  return false;
}

/**
 * `vc merge-driver`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeDriver } from "./merge_driver_command.ts";
 * assert(mergeDriver.name === "merge-driver" && mergeDriver.required === 3);
 * ```
 */
export const mergeDriver: Command = {
  name: "merge-driver",
  positionals: ["BASE", "OURS", "THEIRS", "PATH"],
  required: 3,
  usage: "BASE OURS THEIRS [PATH]",
  description:
    'A git merge driver for the manifest and the lock file: merges them entry by entry and\nwrites the result to OURS. Entries added on both sides are kept, the change of one side taken;\nwhat it cannot decide (a path both sides moved, an override, a path removed on one side,\na lock entry of other content) is left between conflict markers around it (exit 1).\nPATH (%P) names the file being merged in what it says. Set it up once per clone:\ngit config merge.vc.driver "vc merge-driver %O %A %B %P",\nand in .gitattributes: versioned_assets*.json merge=vc',
  options: {},
  examples: [
    "vc merge-driver base.json versioned_assets.json theirs.json",
    'git config merge.vc.driver "vc merge-driver %O %A %B %P"',
    "echo 'versioned_assets*.json merge=vc' >> .gitattributes",
  ],
  async run(ctx) {
    const [base, ours, theirs, path] = ctx.args as [string, string, string, string?];
    // The file git merges, where git gave it (%P): OURS is a temporary file.
    const name = path ?? ours;
    // Bytes first: a side that is not UTF-8 (a Latin-1 editor's) decoded
    // leniently would have its paths turned into U+FFFD and written back so.
    const [b, o, t] = await Promise.all([base, ours, theirs].map((f) => Deno.readFile(f)));
    const text = (bytes: Uint8Array, side: string) => decodeUtf8(bytes, `${name} (${side})`, true);
    // git runs the driver from the top of the work tree: in a rebase, ours
    // is the upstream and theirs the user's commit, which the markers say.
    const rebase = await rebaseInProgress();
    const options = rebase === undefined ? {} : { rebase };
    let m;
    try {
      m = mergeVersionedFile(
        text(b!, "base"),
        text(o!, "ours"),
        text(t!, "theirs"),
        name,
        options,
      );
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      // A side vc cannot read (edited by hand): exit 1 alone would leave OURS
      // as it was, no markers, so the other side's change could be committed
      // away unseen. Both sides whole, byte for byte, go between markers
      // instead (vc runs no git: it has no --allow-run), which every vc
      // command refuses to read.
      const eol = hasCrLf(o!) ? "\r\n" : "\n";
      const enc = (s: string) => new TextEncoder().encode(s);
      const markers = conflictMarkers(rebase);
      const ending = (bytes: Uint8Array) =>
        bytes.length === 0 || bytes[bytes.length - 1] === 0x0a ? [] : [enc(eol)];
      const parts = [
        enc(`${markers.open}${eol}`),
        o!,
        ...ending(o!),
        enc(`=======${eol}`),
        t!,
        ...ending(t!),
        enc(`${markers.close}${eol}`),
      ];
      await Deno.writeFile(ours, concatBytes(parts));
      // The reason it exits 1, as an error: said with --quiet too (a
      // warning was dropped there, so it exited 1 saying nothing), and with
      // --json as the error document (stdout was empty).
      throw new InvalidInputError(
        `merge-driver: cannot merge entry by entry, both sides left whole between conflict markers: ${e.message}`,
        { cause: e },
      );
    }
    await Deno.writeTextFile(ours, m.text);
    const of = path === undefined ? "" : ` ${path}:`;
    const lines = m.conflicts.map((c) => `vc merge-driver:${of} conflict: ${c}`);
    await ctx.out.report({ kind: m.kind, conflicts: m.conflicts }, lines, m.conflicts.length > 0);
    return m.conflicts.length > 0 ? EXIT_FAILURE : 0;
  },
};
