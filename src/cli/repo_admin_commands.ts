/**
 * `vc repo init|gc|backup|restore|check`: setting up and maintaining a
 * repository (the record commands are in `repo_commands.ts`).
 *
 * @module
 */
import { signalOption } from "../abort_hub.ts";
import type { Command, CommandContext } from "./command.ts";
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, flagValue, isAbort } from "./errors.ts";
import {
  catalogSetting,
  catalogVariable,
  openRepo,
  REPO_OPTIONS,
  repoUri,
} from "./repo_commands.ts";
import { cliOpenStore, storeLocationArg } from "./store_options.ts";
import { objectUriArg } from "./local_path.ts";
import { isUriNotPath } from "../path.ts";
import { parseUri } from "../uri.ts";
import { parseDuration } from "./units.ts";
import { counted } from "../counted.ts";
import { formatBytes } from "../progress.ts";
import { cappedList } from "./failure_lines.ts";
import { checkLines } from "./check_lines.ts";
import type { GcSoFar } from "../repo/gc.ts";

// An object's URI argument (`vc repo backup DEST_URI`) that is no store
// location (`http://x`, `s3://`) is a usage error naming the argument, as
// the same value in --repo is, said before the repository is opened; a path
// is resolved as objectUriArg resolves it.
function objectArgument(ctx: CommandContext, value: string, what: string): string {
  const uri = objectUriArg(ctx.io.cwd, value, (name) => ctx.io.env(name), what);
  if (isUriNotPath(uri)) flagValue(what, () => parseUri(uri));
  return uri;
}

const CATALOG_OPTION = {
  catalog: {
    type: "string" as const,
    valueName: "C",
    description: "sqlite:PATH or postgres://user@host:port/db (password: PGPASSWORD or ~/.pgpass)",
  },
};

/** `vc repo init URI [--catalog sqlite:PATH | postgres://…]`. */
export const init: Command = {
  name: "repo init",
  positionals: ["URI"],
  required: 0,
  usage: "[URI] [--catalog sqlite:PATH|postgres://…]",
  description:
    "Creates a repository in the store URI (or --repo / $VC_REPO): the catalog's schema and\nthe store's .vc-repo.json marker, which names the catalog (never a password).\nA file:// repository keeps a SQLite catalog beside its content by default; an s3://\nrepository needs --catalog (or $VC_REPO_CATALOG).",
  options: { ...REPO_OPTIONS, ...CATALOG_OPTION },
  examples: [
    "vc repo init file:///srv/repo",
    "vc repo init s3://bucket/repo --catalog postgres://vc@db.internal:5432/vc",
  ],
  async run(ctx) {
    const uri = ctx.args[0] === undefined
      ? repoUri(ctx, "repo init")
      : storeLocationArg(ctx.args[0], "URI");
    // VC_REPO_CATALOG names the catalog for init as for every later command:
    // read by those only, it would make init's default catalog one they refuse.
    const catalog = catalogSetting(ctx);
    const { Repository } = await import("../repo/repository.ts");
    const { catalogText } = await import("../repo/marker.ts");
    const openStore = cliOpenStore(ctx);
    // On a terminal, `init URI` and the time so far while a store or catalog is slow to answer.
    using bar = ctx.out.progress(`init ${uri}`);
    await using repo = await Repository.init(uri, {
      env: (n) => ctx.io.env(n),
      onConnectWait: (line) => ctx.out.waiting(line),
      ...(catalog ? { catalog } : {}),
      ...(openStore ? { openStore } : {}),
      // Ctrl-C stops it at once (a store or catalog that never answers).
      ...signalOption(ctx.io.signal),
    });
    bar.done();
    const text = catalogText(repo.marker.catalog);
    await ctx.out.status(
      { repo: uri, catalog: text, kind: repo.marker.catalog.kind },
      `initialised repository ${uri} (catalog ${text})`,
    );
  },
};

/** `vc repo gc [--dry-run] [--grace 7d] [--retention 30d]`. */
export const gc: Command = {
  name: "repo gc",
  positionals: [],
  required: 0,
  usage: "[--dry-run] [--grace 7d] [--retention 30d] [--release-restored] [--repo URI]",
  description:
    "Expires published records superseded by a newer published version (not while a live\nclaim holds one), purges unpublished records older than --grace and expired ones older\nthan --retention, and deletes content no record references once it is older than --grace. On S3 it also\naborts multipart uploads of content and of backups (an add or a backup killed\nmid-upload) started before --grace. Content a restore of an older snapshot found\nunreferenced (the only copy of what it dropped) is kept until --release-restored.",
  options: {
    ...REPO_OPTIONS,
    "dry-run": { type: "boolean", description: "report what would be removed, change nothing" },
    grace: { type: "string", valueName: "D", description: "grace period (default 7d)" },
    retention: {
      type: "string",
      valueName: "D",
      description: "retention of expired (default 30d)",
    },
    "release-restored": {
      type: "boolean",
      description: "also collect the content a restore of an older snapshot found unreferenced",
    },
  },
  examples: ["vc repo gc --dry-run", "vc repo gc --grace 2d --retention 90d"],
  async run(ctx) {
    const grace = ctx.flags.string("grace");
    const retention = ctx.flags.string("retention");
    const dryRun = ctx.flags.boolean("dry-run");
    const graceMs = grace === undefined ? undefined : parseDuration(grace, "--grace");
    // Both read before the repository is opened: a typo is said at once, not
    // after a catalog server that is down was waited for.
    const retentionMs = retention === undefined
      ? undefined
      : parseDuration(retention, "--retention");
    if (graceMs !== undefined && graceMs < SHORT_GRACE_MS) {
      // Allowed (a test, a repository nobody else writes to), but said.
      ctx.out.warn(
        `--grace ${grace} is shorter than an hour: unpublished records and content younger than ` +
          "that are not safe from this gc, so an add or a publish in flight on another machine " +
          "can lose its record or its content",
      );
    }
    await using repo = await openRepo(ctx, "repo gc");
    // Its counts on a bar (a terminal), and in a CI log a plain line every 30 s
    // of a long phase (deleting a million objects), also with --json.
    using bar = ctx.out.progress(dryRun ? "gc (dry run)" : "gc");
    // What it really did, for an interrupt to say (it may have purged and
    // deleted much before it: no longer just `repo gc interrupted`).
    let soFar: GcSoFar = { expired: 0, purged: 0, deleted: 0 };
    const report = await repo.gc({
      dryRun,
      ...(graceMs !== undefined ? { graceMs } : {}),
      ...(retentionMs !== undefined ? { retentionMs } : {}),
      ...(ctx.flags.boolean("release-restored") ? { releaseRestored: true } : {}),
      // The phase is said once, as an info line; the bar counts its records
      // and objects (it only repeated the phase, cut to `…nothing is changed)`
      // on a narrow terminal).
      onPhase: (phase) => ctx.out.info(phase),
      onProgress: ({ step, done, total, soFar: did }) => {
        soFar = did;
        bar.onStep({ current: step, done, ...(total === undefined ? {} : { total }) });
      },
      ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
    }).catch((error) => {
      if (!isAbort(error) && !(error instanceof Error && isAbort(error.cause))) throw error;
      return soFar;
    });
    if (!("dryRun" in report)) return await gcInterrupted(ctx, report, dryRun);
    bar.done();
    // A dry run says what it would do; a real one reports what it did, in the past tense as
    // every other command's report ("expire 1 superseded" read as an instruction).
    const did = (verb: string, done: string) => dryRun ? `would ${verb}` : done;
    const ids = (list: number[]) => list.length === 0 ? "" : `: ${cappedList(list.map(String))}`;
    // What it did (or would do): a confirmation, which --quiet drops.
    await ctx.out.status(report, [
      `${did("expire", "expired")} ${report.expired.length} superseded${ids(report.expired)}`,
      ...(report.keptClaimed.length === 0 ? [] : [
        `kept ${report.keptClaimed.length} superseded under a live claim (a later gc expires them)${
          ids(report.keptClaimed)
        }`,
      ]),
      ...(report.keptLocked.length === 0 ? [] : [
        `kept ${counted(report.keptLocked.length, "record")} due to be expired or purged: ` +
        "another session held it locked (a process stopped mid-write, its session idle in " +
        `transaction in pg_stat_activity), or it became due meanwhile; a later gc takes it${
          ids(report.keptLocked)
        }`,
      ]),
      `${did("purge", "purged")} ${report.purgedUnpublished.length} abandoned unpublished${
        ids(report.purgedUnpublished)
      }`,
      `${did("purge", "purged")} ${report.purgedExpired.length} expired${
        ids(report.purgedExpired)
      }`,
      `${did("delete", "deleted")} ${counted(report.deletedObjects.length, "content object")}${
        report.deletedObjects.length === 0 ? "" : ` (${formatBytes(report.freedBytes)})`
      }`,
      // Content the store did not hold (a restore into a store without it):
      // no delete to count, said apart.
      ...(report.absentObjects.length === 0 ? [] : [
        `${counted(report.absentObjects.length, "content object")} of the ${
          dryRun ? "records to purge" : "purged records"
        } ${
          [
            dryRun ? "is" : "was",
            dryRun ? "are" : "were",
          ][report.absentObjects.length === 1 ? 0 : 1]
        } not in the store: nothing to delete (${cappedList(report.absentObjects)})`,
      ]),
      // Content a restore of an older snapshot left unreferenced is only
      // deleted once past the grace period: said, or gc seemed not to see it.
      ...(report.keptRecentObjects === 0 ? [] : [
        `kept ${counted(report.keptRecentObjects, "unreferenced content object")} (${
          formatBytes(report.keptRecentBytes)
        }) younger than the grace period (${
          grace ?? "7d"
        }): an add in flight, or added since a restored snapshot was taken; a gc once it is ` +
        "older deletes it (vc repo check lists it)",
      ]),
      // The only copy of what a restore dropped: kept, and said each time.
      ...(report.keptRestored.length === 0 ? [] : [
        `kept ${counted(report.keptRestored.length, "content object")} (${
          formatBytes(report.keptRestoredBytes)
        }) that no record names since a restore of an older snapshot (added after it was ` +
        "taken): vc repo check lists them; record what you need with vc repo adopt KEY PATH, then " +
        "vc repo gc --release-restored collects the rest",
      ]),
      ...report.skippedObjects.map((s) => `skipped ${s.key}: ${s.problem}`),
      ...(report.removedTemps.length === 0 ? [] : [
        `removed ${counted(report.removedTemps.length, "temp file")} of killed writers: ${
          cappedList(report.removedTemps)
        }`,
      ]),
      ...(report.abortedUploads.length === 0 ? [] : [
        `${did("abort", "aborted")} ${counted(report.abortedUploads.length, "abandoned upload")}: ${
          cappedList(report.abortedUploads.map((u) => u.key))
        }`,
      ]),
      ...(report.undatedUploads.length === 0 ? [] : [
        `kept ${
          counted(report.undatedUploads.length, "pending upload")
        } the store dates before the ` +
        `repository existed (their age is unknown; abort them with the store's tools if abandoned): ${
          cappedList(report.undatedUploads.map((u) => `${u.key} (${u.uploadId})`))
        }`,
      ]),
      ...(report.liveUploads.length === 0 ? [] : [
        `kept ${
          counted(report.liveUploads.length, "pending upload")
        } started before the grace period that took a part since (a writer still sending it): ${
          cappedList(report.liveUploads.map((u) => `${u.key} (${u.uploadId})`))
        }`,
      ]),
      ...report.skippedUploads.map((u) => `could not abort ${u.key} (${u.uploadId}): ${u.problem}`),
      ...(report.uploadsUnchecked === undefined
        ? []
        : [`pending uploads not checked: ${report.uploadsUnchecked}`]),
    ]);
    return EXIT_OK;
  },
};

/**
 * `vc repo gc` stopped by Ctrl-C or SIGTERM: what it really did before (each
 * step commits on its own, so that stays done), as its last line (also with
 * --quiet) and, with --json, as the report on stdout (`interrupted: true`);
 * exit 130.
 */
async function gcInterrupted(
  ctx: CommandContext,
  soFar: GcSoFar,
  dryRun: boolean,
): Promise<number> {
  await ctx.out.interrupted(
    { dryRun, ...soFar },
    dryRun
      ? "repo gc interrupted (dry run: nothing was changed)"
      : `repo gc interrupted: expired ${soFar.expired} superseded, purged ${
        counted(soFar.purged, "record")
      }, deleted ${counted(soFar.deleted, "content object")} before it stopped; that stays ` +
        "done, and vc repo gc run again finishes the rest",
  );
  return EXIT_INTERRUPTED;
}

/** `vc repo backup [DEST_URI]`: prints the snapshot's URI. */
export const backup: Command = {
  name: "repo backup",
  positionals: ["DEST_URI"],
  required: 0,
  usage: "[DEST_URI] [--repo URI]",
  description:
    "Writes a consistent snapshot of the catalog (one transaction; gzip JSON Lines) to\nDEST_URI or to backups/ in the repository's store, and prints its URI.",
  options: REPO_OPTIONS,
  examples: ["vc repo backup", "vc repo backup s3://backups/vc/catalog.jsonl.gz"],
  async run(ctx) {
    const dest = ctx.args[0] === undefined
      ? undefined
      : objectArgument(ctx, ctx.args[0], "DEST_URI");
    await using repo = await openRepo(ctx, "repo backup");
    using bar = ctx.out.progress("backup");
    const result = await repo.backup(dest, {
      onProgress: bar.onStep,
      ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
    });
    bar.done();
    await ctx.out.data(result, result.uri);
  },
};

/** `vc repo restore SNAPSHOT [--catalog C] [--force]`. */
export const restore: Command = {
  name: "repo restore",
  positionals: ["SNAPSHOT"],
  required: 1,
  usage: "SNAPSHOT [--catalog C] [--force] [--repo URI]",
  description:
    "Rebuilds the repository's catalog from a snapshot. With --catalog, into that catalog\n(SQLite or PostgreSQL), and the repository's marker then names it: this moves a\nrepository between catalog kinds. A catalog holding records or path tags needs --force.",
  options: {
    ...REPO_OPTIONS,
    ...CATALOG_OPTION,
    force: { type: "boolean", description: "replace the records of a non-empty catalog" },
  },
  examples: [
    "vc repo restore s3://bucket/repo/backups/catalog-2026-11-30T07-00-00-000Z.jsonl.gz \\\n  --catalog postgres://vc@db.internal/vc",
  ],
  async run(ctx) {
    const catalog = ctx.flags.string("catalog") === undefined ? undefined : catalogSetting(ctx);
    // The repository's catalog as this machine names it (VC_REPO_CATALOG),
    // as for every other command: the one restored into, or, with a
    // --catalog that moves the repository, the one moved from, whose records
    // added since the snapshot are then counted. Else a PostgreSQL one got
    // no PGPASSWORD, named only by the store's marker. (The same catalog as
    // --catalog is no other one.)
    const named = catalogVariable(ctx);
    const postgresUrl = named === catalog ? undefined : named;
    const { Repository } = await import("../repo/repository.ts");
    const snapshot = objectArgument(ctx, ctx.args[0]!, "SNAPSHOT");
    const openStore = cliOpenStore(ctx);
    using bar = ctx.out.progress("restore");
    const counts = await Repository.restore(repoUri(ctx, "repo restore"), snapshot, {
      env: (n) => ctx.io.env(n),
      onConnectWait: (line) => ctx.out.waiting(line),
      ...(openStore ? { openStore } : {}),
      ...(catalog ? { catalog } : {}),
      ...(postgresUrl ? { postgresUrl } : {}),
      ...(ctx.flags.boolean("force") ? { force: true } : {}),
      ...signalOption(ctx.io.signal),
      onProgress: bar.onStep,
    });
    bar.done();
    // What the store holds that the restored catalog does not agree with:
    // content that gc will delete, and records that cannot be read.
    const {
      missingContent = 0,
      unreferencedContent = 0,
      contentUnchecked,
      leftBehind = 0,
      leftBehindUnchecked,
      movedFrom,
    } = counts;
    if (leftBehindUnchecked !== undefined) {
      // Not refused (a dead server, a damaged file, or --force; a live server
      // refusing the login is refused before: setup.ts): a repository must be
      // able to leave a dead server. But records added there since the
      // snapshot stay there unseen, their content kept by gc until released.
      const from = movedFrom ?? "(unknown)";
      ctx.out.warn(
        `the catalog the repository moved from, ${from}, was not checked for records added ` +
          `since ${snapshot} was taken (${leftBehindUnchecked}): any it holds were left ` +
          "behind there, in no catalog the repository reads, gc keeps their content until " +
          "vc repo gc --release-restored, and their ids may be handed out again here; nor was " +
          "the move noted there, so a process that still has it open (a long-running worker) " +
          "goes on writing there: stop those; if that " +
          "catalog can still be reached, those are its records with an id above the " +
          "snapshot's largest (add them again), and a move " +
          `names it on this machine to count them: VC_REPO_CATALOG=${from}` +
          (from.startsWith("postgres") ? " with its password in PGPASSWORD or ~/.pgpass" : ""),
      );
    }
    if (leftBehind > 0) {
      ctx.out.warn(
        `${counted(leftBehind, "record")} of the catalog the repository moved from ${
          leftBehind === 1 ? "is" : "are"
        } not in the snapshot (added since it was taken) and ${
          leftBehind === 1 ? "was" : "were"
        } left behind there (--force)`,
      );
    }
    if (contentUnchecked !== undefined) {
      ctx.out.warn(
        `the restored records were not compared with the store's content (${contentUnchecked}): ` +
          "run vc repo check before a gc",
      );
    }
    if (missingContent > 0) {
      ctx.out.warn(
        `${counted(missingContent, "restored record")} ${
          missingContent === 1 ? "names" : "name"
        } content the store does not hold ` +
          "(purged since the snapshot was taken, or not copied to this store): " +
          `vc repo check lists ${missingContent === 1 ? "it" : "them"}`,
      );
    }
    if (unreferencedContent > 0) {
      const it = unreferencedContent === 1 ? "it" : "them";
      ctx.out.warn(
        `${counted(unreferencedContent, "content object")} in the store ${
          unreferencedContent === 1 ? "is" : "are"
        } referenced by no restored record (added since the snapshot was taken): gc keeps ${it} ` +
          `until vc repo gc --release-restored; vc repo check lists ${it}: record what you need ` +
          "first with vc repo adopt KEY PATH",
      );
    }
    await ctx.out.status(
      { snapshot, ...counts },
      `restored ${counted(counts.records, "record")}, ${
        counted(counts.recordTags + counts.pathTags, "tag")
      } from ${snapshot}` +
        // An older snapshot over --force drops what was added since: said, so it is noticed.
        (counts.replaced === 0
          ? ""
          : `; replaced ${counted(counts.replaced, "record")} of the catalog, ${
            counts.dropped === 0
              ? "all of them in the snapshot"
              : `${counts.dropped} of them not in the snapshot (dropped)`
          }`) +
        (counts.keptPurged === 0
          ? ""
          : `; ${counts.keptPurged} purged since the snapshot, ${
            counts.keptPurged === 1 ? "its content" : "their content"
          } gone from the store, ${counts.keptPurged === 1 ? "stays" : "stay"} purged`),
    );
  },
};

/** `vc repo check`: exit 1 when anything is wrong. */
export const check: Command = {
  name: "repo check",
  positionals: [],
  required: 0,
  usage: "[--grace 7d] [--repo URI]",
  description:
    "Reports records whose content is missing or differs (size, MD5) or whose content key is\nnot the repository's, and content objects no record references, each with the command that\nrepairs it. Exits 1 when it finds any, or when the store failed on a record (the check goes on\nand names it). Unreferenced content younger than --grace (an add in flight) is listed apart and\ndoes not fail the check. Also reports multipart uploads of content and backups still open (S3)\nand removes the temp files of writers killed mid-upload (file://).",
  options: {
    ...REPO_OPTIONS,
    grace: {
      type: "string",
      valueName: "D",
      description: "unreferenced content younger than this is not an orphan yet (default 7d, gc's)",
    },
  },
  examples: ["vc repo check --json", "vc repo check --grace 0"],
  async run(ctx) {
    const grace = ctx.flags.string("grace");
    const graceMs = grace === undefined ? undefined : parseDuration(grace, "--grace");
    await using repo = await openRepo(ctx, "repo check");
    using bar = ctx.out.progress("check");
    const report = await repo.check({
      onProgress: (done, total) => bar.onStep({ current: "records", done, total }),
      onListed: (done) => bar.onStep({ current: "listing content", done }),
      ...(graceMs === undefined ? {} : { graceMs }),
      ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
    });
    bar.done();
    const lines = checkLines(report, grace ?? "7d", ctx.flags.string("repo"));
    // All well is a confirmation (--quiet drops it); what is wrong is the result.
    if (report.ok) await ctx.out.status(report, lines);
    else await ctx.out.report(report, lines, true);
    return report.ok ? 0 : EXIT_FAILURE;
  },
};

/** A grace period shorter than this (ms) gets a warning: adds take longer than that. */
const SHORT_GRACE_MS = 3600_000;
