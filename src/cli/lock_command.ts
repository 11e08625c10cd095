/**
 * `vc lock [--check]`: fill in the integrity lock file for the manifest, or
 * check that the bucket still holds exactly the locked content.
 *
 * @module
 */
import { counted } from "../counted.ts";
import { errorKind } from "../errors.ts";
import { printable } from "../printable.ts";
import { checkLock, fillLockSettled } from "../versioned/lock_ops.ts";
import type { Command } from "./command.ts";
import { errorMessage, EXIT_FAILURE, EXIT_INTERRUPTED, isAbort, withFlagNames } from "./errors.ts";
import { lockKey } from "../versioned/lock_file.ts";
import { fileFolderClashes } from "../versioned/manifest.ts";
import { notRegularFileKind } from "../regular_file.ts";
import { cappedList, writeFailureLines } from "./failure_lines.ts";
import { manifestPathsShown } from "./manifest_twins.ts";
import { table } from "./output.ts";
import { VERSIONED_OPTIONS } from "./settings.ts";
import { openVersioned } from "./versioned_session.ts";

/**
 * `vc lock`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lock } from "./lock_command.ts";
 * assert(lock.name === "lock" && lock.options.check?.type === "boolean");
 * ```
 */
export const lock: Command = {
  name: "lock",
  positionals: [],
  required: 0,
  usage: "[--check]",
  description:
    "Adds a lock entry (size and SHA-256) for every manifest version that has none, downloading\nwhat is not cached; every entry is attempted, those that cannot be locked are listed (exit 1).\nWith --check, downloads every locked version and reports those whose\ncontent in the bucket differs (exit 1). The lock file is versioned_assets.lock.json beside\nthe manifest (or --lock FILE / VC_LOCK); commit it with the manifest.",
  options: {
    check: {
      type: "boolean",
      description: "verify the bucket against the lock file instead of filling it",
    },
    ...VERSIONED_OPTIONS,
  },
  examples: ["vc lock", "vc lock --check", "vc lock --check --json"],
  async run(ctx) {
    await using s = openVersioned(ctx, "lock");
    const signal = ctx.io.signal ? { signal: ctx.io.signal } : {};
    using bar = ctx.out.progress(ctx.flags.boolean("check") ? "lock --check" : "lock");
    if (ctx.flags.boolean("check")) {
      const results = await checkLock(s.vc, {
        onProgress: bar.onItems,
        ...signal,
      });
      bar.done();
      // Nothing checked is no pass to read silently, as in `vc verify`.
      if (results.length === 0) {
        ctx.out.info(`vc: manifest ${s.vc.manifest} has no entries: nothing to check`);
      }
      const shown = manifestPathsShown(ctx.out, s.vc.manifest, results.map((r) => r.path));
      // --json: a failed entry with its error's message and name, as `vc lock` reports them;
      // a problem as the command line says it (the flags, where the library names options).
      const reported = results.map(({ error, ...r }) =>
        r.status === "failed"
          ? { ...r, error: errorMessage(error), errorName: errorKind(error) }
          : r.problem === undefined
          ? r
          : { ...r, problem: withFlagNames(r.problem) }
      );
      await ctx.out.data(
        reported,
        table(
          reported.map((
            r,
          ) => [r.status, shown(r.path), r.version, r.problem ?? ("error" in r ? r.error : "")]),
        ),
      );
      // A pin without its lock entry (a merge resolved by taking one side's
      // lock file) is checked by nothing: said, not left to one line among
      // thousands of `ok`s; frozen mode refuses it below instead.
      const unlocked = results.filter((r) => r.status === "unlocked");
      if (unlocked.length > 0 && !s.vc.frozen) {
        const many = unlocked.length > 1;
        ctx.out.warn(
          `${unlocked.length} of ${counted(results.length, "manifest entry", "manifest entries")} ${
            many ? "are" : "is"
          } not locked in ${printable(s.vc.lockFile ?? "the lock file")}, so nothing checks ${
            many ? "their" : "its"
          } content: ${
            cappedList(unlocked.map((r) => printable(`${shown(r.path)}@${r.version}`)))
          }; \`vc lock\` locks ${many ? "them" : "it"} as the bucket holds ${
            many ? "them" : "it"
          } now (if a merge dropped the lock file's entry, take it back from the other side instead)`,
        );
      }
      // A pair that would be a file and a folder of one name (a hand edit, a
      // merge) is no content mismatch, but each entry of it passed: said.
      const pins = Object.fromEntries(results.map((r) => [r.path, r.version]));
      for (const clash of fileFolderClashes(pins)) {
        ctx.out.warn(withFlagNames(`${printable(shown(clash.path))}: ${printable(clash.problem)}`));
      }
      // Frozen mode refuses unlocked entries and overrides, so here they fail too.
      const refused = (r: { status: string }) =>
        s.vc.frozen && (r.status === "unlocked" || r.status === "override");
      const bad = results.filter((r) =>
        r.status === "mismatch" || r.status === "missing" || r.status === "failed" || refused(r)
      );
      if (bad.length === 0) return 0;
      // The retries not shown are counted before it; its last line but for
      // the ways out of a mismatch below.
      ctx.out.failure(
        `${bad.length} of ${counted(results.length, "manifest entry", "manifest entries")} ${
          bad.some(refused) ? (bad.length === 1 ? "is not locked or " : "are not locked or ") : ""
        }${bad.length === 1 ? "differs" : "differ"} from ${
          printable(s.vc.lockFile ?? "the lock file")
        }${bad.some((r) => r.status === "failed") ? " or could not be checked" : ""}`,
      );
      // `vc lock`, the obvious next try, keeps the entries it has: say the ways out.
      if (bad.some((r) => r.status === "mismatch" || r.status === "missing")) {
        ctx.io.writeStderr(
          "vc: to resolve a mismatch or missing object: put the locked content back in the " +
            "bucket (a `vc verify` where it is cached names the copy to keep) or publish the " +
            "right content as a new version (`vc update /PATH FILE`); if the lock file is what " +
            "changed (edited by hand, merged badly), take the lock file back from version " +
            `control; to trust what the bucket holds now, delete its entry from ${
              printable(s.vc.lockFile ?? "the lock file")
            } and run \`vc lock\`\n`,
        );
      }
      return EXIT_FAILURE;
    }
    // How many manifest entries the lock file pins: said when Ctrl-C stops
    // the fill (the entries read before the stop are written all the same).
    const lockedNow = async () => {
      const [entries, locks] = await Promise.all([s.vc.ls(), s.vc.lockEntries()]);
      const locked = entries.filter((e) => locks?.[lockKey(e.path, e.version)] !== undefined);
      return { total: entries.length, locked: locked.length };
    };
    // Only regular files are read ahead: a FIFO is the fill's to refuse
    // unread (a read of one blocks for good).
    const before = s.vc.lockFile !== undefined && notRegularFileKind(s.vc.manifest) === undefined &&
        notRegularFileKind(s.vc.lockFile) === undefined
      ? await lockedNow().catch(() => undefined)
      : undefined;
    let results: Awaited<ReturnType<typeof fillLockSettled>>;
    try {
      results = await fillLockSettled(s.vc, {
        onProgress: bar.onItems,
        onWarning: (w) => ctx.out.warn(withFlagNames(w.message), w.kind),
        ...signal,
      });
    } catch (error) {
      if (!isAbort(error)) throw error;
      bar.done();
      const after = await lockedNow().catch(() => undefined);
      if (before === undefined || after === undefined) throw error;
      const added = Math.max(0, after.locked - before.locked);
      await ctx.out.interrupted(
        { lockFile: s.vc.lockFile, added, ...after },
        `lock interrupted: ${after.locked} of ${
          counted(after.total, "manifest entry", "manifest entries")
        } locked in ${
          printable(s.vc.lockFile ?? "the lock file")
        } (${added} added before it stopped); vc lock run again adds the rest`,
      );
      return EXIT_INTERRUPTED;
    }
    bar.done();
    const added = results.filter((r) => r.status === "added").length;
    const already = results.filter((r) => r.status === "locked").length;
    // Nothing locked is no pass to read silently, as in `vc lock --check`.
    if (results.length === 0) {
      ctx.out.info(`vc: manifest ${s.vc.manifest} has no entries: nothing to lock`);
    }
    const shown = manifestPathsShown(ctx.out, s.vc.manifest, results.map((r) => r.path));
    const failed = results.flatMap((r) =>
      r.status === "failed"
        ? [{ ...r, error: errorMessage(r.error), errorName: errorKind(r.error) }]
        : []
    );
    // --json: each failed entry with its error's message and name, as `vc sync` reports them.
    const entries = results.map((r) => failed.find((f) => f.path === r.path) ?? r);
    // The failures reach stderr also when stdout cannot be written.
    try {
      await ctx.out.status(
        { lockFile: s.vc.lockFile, entries },
        [
          // An entry locked before this run is no action of it ("locked"
          // above "0 added" read as one): it says `already locked`.
          ...table(results.map((r) => [
            r.status === "locked" ? "already locked" : r.status,
            shown(r.path),
            r.version,
          ])),
          ...(results.length === 0 ? [] : added === 0 && failed.length === 0
            ? [
              // Only overrides (no version to lock): not "0 already locked".
              already === 0
                ? `nothing to add to ${s.vc.lockFile}: overrides are not locked`
                : `nothing to add: ${
                  counted(already, "manifest entry", "manifest entries")
                } already locked in ${s.vc.lockFile}`,
            ]
            : [
              `${added} added to ${s.vc.lockFile}${
                already > 0 ? ` (${already} already locked)` : ""
              }`,
            ]),
        ],
      );
    } finally {
      if (failed.length > 0) {
        writeFailureLines(
          ctx.io,
          failed.map((r) =>
            // The lock key (`/path@version`; manifest paths are read normalized).
            `vc: lock failed: ${printable(`${shown(r.path)}@${r.version}`)}: ${r.error}`
          ),
        );
        // Its last line: the retries not shown are counted before it.
        ctx.out.failure(
          `${failed.length} of ${
            counted(results.length, "manifest entry", "manifest entries")
          } could not be locked; ${added} added to ${printable(s.vc.lockFile ?? "the lock file")}`,
        );
      }
    }
    if (failed.length > 0) return EXIT_FAILURE;
    return 0;
  },
};
