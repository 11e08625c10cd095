/**
 * The lines `vc repo check` prints: each finding with what it means and the
 * command that repairs it (a report that says only "missing" leaves the
 * user to find out what to run), then a summary.
 *
 * @module
 */
import { counted } from "../counted.ts";
import type { CheckProblem, CheckReport } from "../repo/check.ts";
import { shellWord } from "../shell_word.ts";
import { cappedList, MAX_FAILURES_SHOWN } from "./failure_lines.ts";

/**
 * The report's lines; `grace` is the grace period as the user gave it (or
 * its default), named in the advice on recent orphans. `repoFlag`: the
 * `--repo` value the check was given, if any, which each repair command
 * carries (quoted for the shell) so that it can be pasted: without it
 * (no `VC_REPO`) the pasted command found no repository.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLines } from "./check_lines.ts";
 * const report = {
 *   records: 1,
 *   problems: [{ id: 1, key: "content/a", problem: "missing" as const, detail: "no content object" }],
 *   orphans: [],
 *   recentOrphans: [],
 *   unchecked: [],
 *   removedTemps: [],
 *   pendingUploads: [],
 *   ok: false,
 * };
 * const lines = checkLines(report, "7d");
 * assert.ok(lines[0]?.includes("vc repo purge 1"));
 * const flagged = checkLines(report, "7d", "/srv/my repo");
 * assert.ok(flagged[0]?.includes("vc repo purge 1 --repo '/srv/my repo'"));
 * assert.equal(lines.at(-1), "1 record checked: 1 problem, 0 orphans");
 * ```
 */
export function checkLines(report: CheckReport, grace: string, repoFlag?: string): string[] {
  const repo = repoOption(repoFlag);
  const unchecked = report.unchecked.map((u) =>
    `record ${u.id} (${u.key}): not checked: ${u.error}`
  );
  const more = unchecked.length - MAX_FAILURES_SHOWN;
  return [
    ...report.problems.map((p) =>
      `record ${p.id} (${p.key}): ${p.problem}: ${p.detail}; ${repair(p, repo)}`
    ),
    ...report.orphans.map((o) =>
      o.purgedRecord !== undefined
        ? `orphan ${o.key} (${o.size} bytes, ${o.lastModified}): content of purged record ` +
          `${o.purgedRecord}, which its purge left (a gc stopped before its delete, or a delete ` +
          `the store refused); vc repo gc${repo} deletes it once older than its --grace`
        : `orphan ${o.key} (${o.size} bytes, ${o.lastModified}): no record references it; ` +
          `vc repo gc${repo} deletes it once older than its --grace (if it is needed, record it ` +
          `first: vc repo adopt ${shellWord(o.key)} PATH${repo})`
    ),
    ...unchecked.slice(0, MAX_FAILURES_SHOWN),
    ...(more > 0
      ? [`... and ${counted(more, "more record")} not checked (--json lists them all)`]
      : []),
    ...(report.unchecked.length === 0 ? [] : [
      `${counted(report.unchecked.length, "record")} not checked (the store failed on ` +
      `${
        report.unchecked.length === 1 ? "it" : "them"
      }): run vc repo check${repo} again once the store answers`,
    ]),
    ...(report.contentUnchecked === undefined ? [] : [
      `orphans not looked for: the store's content could not be listed: ${report.contentUnchecked}`,
    ]),
    ...(report.recentOrphans.length === 0 ? [] : [
      `${
        counted(report.recentOrphans.length, "object")
      } no record references yet, younger than --grace ${grace} ` +
      "(most likely an add in flight, not counted as orphans: --grace 0 counts them; vc repo gc " +
      `deletes them once older than its --grace if nothing records them): ${
        cappedList(report.recentOrphans.map((o) => o.key))
      }`,
    ]),
    ...((report.keptRestored ?? []).length === 0 ? [] : [
      `${
        counted(report.keptRestored!.length, "object")
      } no record references since a restore of an older snapshot (added after it was taken), ` +
      `kept by gc: record what you need with vc repo adopt KEY PATH${repo}, then vc repo gc${repo} ` +
      `--release-restored collects the rest: ${cappedList(report.keptRestored!.map((o) => o.key))}`,
    ]),
    ...report.removedTemps.map((t) => `removed ${t} (temp file of a killed writer)`),
    ...report.pendingUploads.map((u) =>
      `pending upload ${u.key} (${u.uploadId}, started ${u.initiated.toISOString()}): an add ` +
      "or backup in flight, or one killed mid-upload (gc aborts it once older than --grace)"
    ),
    ...(report.uploadsUnchecked === undefined
      ? []
      : [`pending uploads not checked: ${report.uploadsUnchecked}`]),
    `${counted(report.records, "record")} checked: ${counted(report.problems.length, "problem")}, ${
      counted(report.orphans.length, "orphan")
    }${report.unchecked.length === 0 ? "" : `, ${report.unchecked.length} not checked`}${
      report.recentOrphans.length === 0
        ? ""
        : `, ${report.recentOrphans.length} recent unreferenced`
    }`,
  ];
}

/** ` --repo URI` for the commands the lines name, when the check was given one. */
function repoOption(repoFlag: string | undefined): string {
  return repoFlag === undefined ? "" : ` --repo ${shellWord(repoFlag)}`;
}

/** The command that repairs a record's problem (`repo`: {@linkcode repoOption}). */
function repair(p: CheckProblem, repo: string): string {
  const drop = `vc repo expire ${p.id}${repo} (if published), then vc repo purge ${p.id}${repo}`;
  switch (p.problem) {
    case "missing":
      return `put its content back at ${p.key} (a copy, an S3 noncurrent version), or drop the ` +
        `record: ${drop}`;
    case "size mismatch":
    case "md5 mismatch":
      return `put the recorded content back at ${p.key}, or drop the record: ${drop} ` +
        `(which deletes what is at ${p.key})`;
    case "bad key":
      return `drop the record: ${drop} (the key itself is left in place: vc deletes no key ` +
        "outside the repository's content)";
  }
}
