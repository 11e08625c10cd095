/**
 * `vc mirror SOURCE... TARGET`: keeps a target equal to the sources, once or
 * continuously (`--watch`). The logic lives in `src/mirror/`; this file maps
 * flags to options and prints the plan, progress and summary.
 *
 * @module
 */
import { fewNamed, groupByCause } from "./cause_groups.ts";
import { importBundled } from "../bundled_modules.ts";
import { dirname, resolve } from "../path.ts";
import { localPathSetting } from "./local_path.ts";
import { refuseShellConvertedPath } from "./msys_path.ts";
import { compileFilter, normalizePrefix, parseMirrorRoot } from "../mirror/keys.ts";
import { FLAG_WORDS, flagWorded } from "./mirror_flag_words.ts";
import { mirror as runMirror } from "../mirror/mirror.ts";
import { fsWatcherStuck } from "../mirror/watcher_stuck.ts";
import { MirrorInterruptedError, READ_ONLY_MOUNT, storeTransient } from "../mirror/report.ts";
import type { MirrorOptions, MirrorProgress, MirrorReport, MirrorUpload } from "../mirror/types.ts";
import type { ObjectStore } from "../store/types.ts";
import {
  MIN_RECONCILE_INTERVAL_MS,
  WatchInterruptedError,
  watchMirror,
  type WatchReport,
} from "../mirror/watch.ts";
import { formatBytes, type ProgressBar, type ProgressSnapshot } from "../progress.ts";
import { isStoreUri } from "../uri.ts";
import type { Command, CommandContext } from "./command.ts";
import {
  concurrencySetting,
  countFlag,
  errorMessage,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_OK,
  flagValue,
  UsageError,
  withFlagNames,
} from "./errors.ts";
import { inertJson, printable, visibleEnds } from "../printable.ts";
import { isStoreOwnName } from "../store/fs_layout.ts";
import { cliOpenStore } from "./store_options.ts";
import { parseDuration } from "./units.ts";
import { counted } from "../counted.ts";
import { downloadTuning } from "../config.ts";
import { DOWNLOAD_OPTIONS } from "./settings_resolve.ts";
import { onlyWith } from "./options.ts";
import { refuseFlagsUnless } from "./args.ts";
import { writeFailureLines } from "./failure_lines.ts";
import { withStep } from "./upload_progress.ts";
import { emptySourceWarning } from "./mirror_empty_source.ts";
import { compareUtf8 } from "../utf8.ts";

/** Loaded only for the default state file (see its use). */
const SETTINGS_MODULE = "./settings.ts";

/**
 * `vc mirror SOURCE... TARGET [--delete] [--dry-run] [--watch] ...`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mirror } from "./mirror_command.ts";
 * assert(mirror.variadic === true && mirror.options.exclude?.multiple === true);
 * ```
 */
export const mirror: Command = {
  name: "mirror",
  positionals: ["SOURCE", "TARGET"],
  required: 2,
  variadic: true,
  usage: "SOURCE... TARGET [--delete] [--dry-run] [--watch] [--filter RE]... [--exclude RE]...",
  description: [
    "Makes TARGET equal to the SOURCEs: uploads new and changed files, and with --delete",
    "removes target objects that have no source file. Either side may be the store:",
    "local directories → s3://bucket/prefix or file:///dir, or store URIs → a local",
    "directory. Nothing is written into a source directory.",
    "",
    "Keys: without --source-prefix, a file's key is its path relative to its SOURCE",
    "argument; with --source-prefix P, P is stripped from the file's absolute path",
    "instead (so several SOURCEs keep their place under P). --target-prefix Q is",
    "prepended as a directory. Extra or missing slashes never produce keys with a",
    "leading / or //.",
    "",
    "Changes are found by size and content MD5 (ETag, or the vc-md5 metadata of",
    "multipart uploads), never by time, so same-size edits are caught and odd mtimes",
    "cause no re-uploads. A state file (default under the cache directory) remembers",
    "MD5s so unchanged files are not read again; --checksum re-reads everything.",
    "Deletes never happen when the walk or the listing was incomplete.",
    "",
    "--watch keeps running: file events are applied after --debounce of quiet (files",
    "still being written wait until complete), and a full pass runs every",
    "--reconcile-interval. Ctrl-C or SIGTERM stops it: transfers in flight finish, then it",
    "exits 0. Those not done 5 s after Ctrl-C, or at a second Ctrl-C or SIGTERM, are aborted",
    "(no half-written file is left under its name), and it exits 130.",
    "",
    "Exit code 1 when some files failed (vanished, unreadable); the rest are mirrored.",
  ].join("\n"),
  options: {
    delete: { type: "boolean", description: "delete target entries that have no source" },
    "max-delete": {
      type: "string",
      valueName: "N",
      description: "with --delete: a pass that would delete more than N entries deletes none",
    },
    "dry-run": { type: "boolean", description: "print the plan, change nothing" },
    checksum: { type: "boolean", description: "hash every file, ignoring the state file" },
    filter: {
      type: "string",
      multiple: true,
      valueName: "RE",
      description: "only keys matching this regular expression",
    },
    exclude: {
      type: "string",
      multiple: true,
      valueName: "RE",
      description: "leave out keys matching this regular expression",
    },
    "source-prefix": {
      type: "string",
      valueName: "P",
      description: "strip P from each file's absolute path (or source key) to form its key",
    },
    "target-prefix": {
      type: "string",
      valueName: "Q",
      description: "prepend Q/ to every key on the target",
    },
    "follow-symlinks": {
      type: "boolean",
      description: "follow symbolic links (default: skip them; loops are never followed)",
    },
    concurrency: {
      type: "string",
      valueName: "N",
      description: "transfers in flight at once (env VC_CONCURRENCY; default 16)",
    },
    state: {
      type: "string",
      valueName: "FILE",
      description: "state file (default <cache dir>/mirror/<hash>.sqlite)",
    },
    "cache-dir": {
      type: "string",
      valueName: "DIR",
      description: "cache directory holding the default state file (env VC_CACHE_DIR)",
    },
    watch: { type: "boolean", description: "keep mirroring changes until interrupted" },
    ...onlyWith({
      debounce: {
        type: "string",
        valueName: "DURATION",
        description: "with --watch: quiet time before changes are applied (default 1s)",
      },
      "reconcile-interval": {
        type: "string",
        valueName: "DURATION",
        description: "with --watch: time between full passes (default 10m)",
      },
    }, ["watch"]),
    "abort-uploads-after": {
      type: "string",
      valueName: "DURATION",
      description:
        "abort uploads left open under the target (a writer killed mid-upload) once this old (default 1d; never: keep them)",
    },
    ...DOWNLOAD_OPTIONS,
  },
  examples: [
    "vc mirror ./data s3://my-bucket/data              # upload new and changed files",
    "vc mirror ./data s3://my-bucket/data --delete --dry-run   # show what would change",
    "vc mirror s3://my-bucket/data ./data --delete     # the other direction",
    "vc mirror /srv/a /srv/b s3://bkt --source-prefix /srv     # keys a/..., b/...",
    "vc mirror ./data s3://bkt/data --exclude '\\.tmp$' --watch",
  ],
  async run(ctx) {
    const { io, flags, out } = ctx;
    const args = ctx.args;
    // An empty argument (an unset "$DEST") would resolve to the current
    // directory, which --delete then empties of everything not in the store.
    const empty = args.findIndex((x) => x.trim() === "");
    if (empty !== -1) {
      throw new UsageError(
        `${
          empty === args.length - 1 ? "TARGET" : "SOURCE"
        } is an empty string; name a directory or a store URI (use . for the current directory)`,
        { command: "mirror" },
      );
    }
    // A store URI that is none (s3:// without a bucket) is a usage error, as
    // a TARGET that is no store URI is; the store would refuse it as a failure.
    // Every side is parsed, so a mistyped one (`s3:/b/x`) is named as such,
    // with the URI meant, not called "not a store URI".
    args.forEach((x, i) => {
      flagValue(i === args.length - 1 ? "TARGET" : "SOURCE", () => parseMirrorRoot(x));
    });
    const locate = (x: string) => (isStoreUri(x) ? x : resolve(io.cwd, x));
    const sources = args.slice(0, -1).map(locate);
    const target = locate(args[args.length - 1]!);
    if (sources.some((x) => isStoreUri(x) !== isStoreUri(sources[0]!))) {
      throw new UsageError("SOURCEs must all be local directories or all be store URIs", {
        command: "mirror",
      });
    }
    if (isStoreUri(target) === isStoreUri(sources[0]!)) {
      throw new UsageError(
        isStoreUri(target)
          ? "one side must be a local directory: store → store mirrors are not supported"
          : `TARGET ${
            JSON.stringify(args[args.length - 1])
          } must be a store URI (s3://bucket/prefix or file:///dir) when the SOURCEs are local directories`,
        { command: "mirror" },
      );
    }
    // The library's warnings on patterns name its options: said with the flags here.
    const sayWarning = flagWorded(flags.list("filter"), flags.list("exclude"));
    const options: MirrorOptions = {
      sources,
      target,
      delete: flags.boolean("delete"),
      ...maxDeleteOption(flags.string("max-delete"), flags.boolean("delete")),
      dryRun: flags.boolean("dry-run"),
      checksum: flags.boolean("checksum"),
      filter: flags.list("filter"),
      exclude: flags.list("exclude"),
      symlinks: flags.boolean("follow-symlinks") ? "follow" : "skip",
      ...abortUploadsOption(flags.string("abort-uploads-after"), isStoreUri(target)),
      onWarning: (w) => ctx.out.warn(withFlagNames(sayWarning(w.message))),
    };
    // The stores opened with the command line's options are ours to close
    // (a caller's opener's stores stay open when the mirror ends).
    const opened: ObjectStore[] = [];
    const openStore = cliOpenStore(ctx);
    if (openStore !== undefined) {
      options.openStore = async (uri) => {
        const store = await openStore(uri);
        opened.push(store);
        return store;
      };
    }
    const closeOpened = () => Promise.allSettled(opened.map((store) => store.close()));
    try {
      compileFilter(options.filter, options.exclude, FLAG_WORDS);
    } catch (e) {
      // A pattern is a flag's value: its error is one of usage (exit 2).
      throw new UsageError((e as Error).message, { command: "mirror" });
    }
    const sourcePrefix = flags.string("source-prefix");
    if (sourcePrefix !== undefined) {
      // A key prefix for a store source: a drive there is a shell's rewrite (see msys_path.ts).
      if (isStoreUri(sources[0]!)) refuseShellConvertedPath(sourcePrefix, "--source-prefix");
      options.sourcePrefix = isStoreUri(sources[0]!) ? sourcePrefix : resolve(io.cwd, sourcePrefix);
    }
    const targetPrefix = flags.string("target-prefix");
    if (targetPrefix !== undefined) {
      refuseShellConvertedPath(targetPrefix, "--target-prefix");
      flagValue("--target-prefix", () => normalizePrefix(targetPrefix));
      options.targetPrefix = targetPrefix;
    }
    const concurrency =
      concurrencySetting(flags.string("concurrency"), (name) => io.env(name), "mirror").value;
    if (concurrency !== undefined) options.concurrency = concurrency;
    const state = flags.string("state");
    // A local path setting: `--state s3://b/s.json` or `--state=~/s.json`
    // made `./s3:/b/s.json` or `./~/s.json` and reported success.
    if (state !== undefined) {
      options.statePath = localPathSetting(io.cwd, state, (name) => io.env(name), "--state");
    }
    // Only the default state file (the cache dir) and downloads (their
    // tuning: --parallel-threshold, --range-size, VC_*, config file) need the
    // settings; settings.ts brings the cache and versioned modules with it
    // (~20 ms of start-up), so it loads only then. A computed specifier:
    // `deno run` reads every module a literal `import("...")` reaches
    // before running anything (~50 files here). The release bundle
    // registers its own loader (src/bundled_modules.ts).
    const downloads = isStoreUri(sources[0]!);
    // Taken and ignored, each said nothing: an upload tunes no download, and
    // the cache dir only holds the default state file.
    refuseFlagsUnless(
      flags,
      Object.keys(DOWNLOAD_OPTIONS),
      downloads,
      "when the SOURCEs are store URIs (a download)",
      "mirror",
    );
    refuseFlagsUnless(flags, ["cache-dir"], state === undefined, "without --state", "mirror");
    if (state === undefined || downloads) {
      const { cliSettings } = await importBundled<typeof import("./settings.ts")>(
        "src/cli/settings.ts",
        () => import(SETTINGS_MODULE),
      );
      const settings = cliSettings(ctx);
      if (state === undefined) options.cacheDir = settings.cacheDir;
      if (downloads) options.download = downloadTuning(settings);
    }
    if (flags.boolean("watch")) {
      try {
        return await watch(ctx, options);
      } finally {
        await closeOpened();
      }
    }
    let report: MirrorReport;
    try {
      using bar = out.progress(options.dryRun ? "mirror (dry run)" : "mirror");
      report = await runMirror({
        ...options,
        // Neither a bar nor a log line (--quiet): no per-file callback either.
        // Off a terminal the log line every 30 s counts the files.
        ...(bar.enabled || bar.logs
          ? {
            onProgress: (p: MirrorProgress) => bar.update(progressSnapshot(p)),
          }
          : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      });
      bar.done();
    } catch (error) {
      if (!(error instanceof MirrorInterruptedError)) throw error;
      return await interrupted(ctx, error);
    } finally {
      await closeOpened();
    }
    const lines = [
      ...(report.actions ?? []).map((a) =>
        `${a.action === "delete" ? "delete" : a.action}  ${shownKey(a.key)}${
          a.action === "delete" ? "" : `  (${formatBytes(a.size)})`
        }`
      ),
      // A real run names each key it deleted, as `aws s3 sync` does: a
      // destructive change leaves a record, not only a count.
      ...(report.dryRun ? [] : deletedLines(report)),
      ...uploadLines(report),
      summary(report),
    ];
    // A source that holds nothing at all (a mistyped prefix, an empty
    // directory): said, with a near name its parent holds; still exit 0, as
    // nothing failed (an empty source may be meant: nothing to publish yet).
    const empties = await emptySources(report, sources, options, openStore);
    for (const warning of empties) out.warn(warning);
    const json = empties.length === 0 ? report : { ...report, emptySources: empties };
    // The plan of a dry run is the result; otherwise the summary only confirms (--quiet: silent).
    // What failed reaches stderr also when stdout cannot be written.
    let code = EXIT_FAILURE;
    try {
      if (report.dryRun) await out.data(json, lines);
      else await out.status(json, lines);
    } finally {
      code = finish(ctx, report);
    }
    return code;
  },
};

async function watch(ctx: CommandContext, options: MirrorOptions): Promise<number> {
  const { io, flags, out } = ctx;
  if (options.dryRun) throw new UsageError("--dry-run cannot be combined with --watch");
  const debounce = flags.string("debounce");
  const interval = flags.string("reconcile-interval");
  const intervalMs = interval === undefined
    ? undefined
    : parseDuration(interval, "--reconcile-interval");
  if (intervalMs !== undefined && !(intervalMs >= MIN_RECONCILE_INTERVAL_MS)) {
    throw new UsageError(
      `--reconcile-interval ${JSON.stringify(interval)} is too short: at least ${
        MIN_RECONCILE_INTERVAL_MS / 1000
      }s (each is a full pass, listing the whole prefix)`,
      { command: "mirror" },
    );
  }
  const stop = io.signal ?? new AbortController().signal;
  // A watch lets its transfers in flight finish on a first Ctrl-C, which can
  // take seconds: say so, and how to stop at once, rather than seem to hang.
  // (Said before the signal reaches the transfers, so a second Ctrl-C that
  // follows this line is always taken as the second.)
  stop.addEventListener(
    "abort",
    () =>
      out.stopping("stopping: letting the transfers in flight finish (Ctrl-C again aborts them)"),
    { once: true },
  );
  // The failures said (path → error) and the held-back deletes line, so a retry does not repeat them.
  const said = new Map<string, string>();
  // The failures said that only a change of their file ends (path → error), kept across passes.
  const lasting = new Map<string, string>();
  // Every held-back deletes line said since the last full pass: batches that
  // failed apart are tried again in turns, and one line remembered said each
  // of theirs again at every retry.
  const heldSaid = new Set<string>();
  let headRefusedSaid = false;
  // The error of the last full pass that failed, as said.
  let passSaid: string | undefined;
  // A bar for each pass or batch, from its first transfer to its summary (on
  // a terminal; in a CI log a plain line every 30 s of a long one, so a full
  // pass of a large tree over a slow store does not look hung).
  let bar: ProgressBar | undefined;
  const endBar = () => {
    bar?.done();
    bar = undefined;
  };
  let totals: WatchReport;
  try {
    totals = await watchMirror({
      ...options,
      onProgress: (p: MirrorProgress) => {
        bar ??= out.progress("mirror --watch");
        if (!bar.enabled && !bar.logs) return;
        bar.update(progressSnapshot(p));
      },
      watchFs: (paths, watchOptions) =>
        leftOpenOnStop(Deno.watchFs(paths, watchOptions), stop, io.cancel),
      ...(debounce === undefined ? {} : { debounceMs: parseDuration(debounce, "--debounce") }),
      ...(intervalMs === undefined ? {} : { reconcileIntervalMs: intervalMs }),
      signal: stop,
      // The grace period is over, or a second signal: transfers in flight are
      // aborted, and the watch fails as interrupted (130).
      ...(io.cancel ? { cancel: io.cancel } : {}),
      onBatch: (report, kind, info) => {
        endBar();
        // A batch tried again after a failure (the store down) says only the
        // failures it did not say last time, and its summary counts the rest:
        // each retry printed every line again, for as long as the outage lasted.
        const retry = kind === "events" && info?.retry === true;
        if (kind !== "events") {
          said.clear();
          heldSaid.clear();
        }
        // A failure that stays until its file changes (a key the store
        // refuses) is said once, not again at every full pass.
        // (Compared without the request id, new at every attempt: a PUT's
        // 500 carries one, and each retry said the outage again.)
        // A batch of events says none already said since the last full pass
        // either: a retry merged with new events (the store still down)
        // named the retried paths again beside the new ones.
        const fresh = report.failed.filter((f) =>
          (kind !== "events" || said.get(f.path) !== sameCause(f.error)) &&
          (retry || !f.untilChanged || lasting.get(f.path) !== sameCause(f.error))
        );
        // A full pass that no longer fails one (its file or object gone,
        // renamed or mended) forgets it: back, it is said again.
        if (kind !== "events" && !report.stopped) {
          const failing = new Set(report.failed.map((f) => f.path));
          for (const path of lasting.keys()) if (!failing.has(path)) lasting.delete(path);
        }
        for (const f of report.failed) {
          said.set(f.path, sameCause(f.error));
          if (f.untilChanged) lasting.set(f.path, sameCause(f.error));
        }
        writeFailures(io, fresh, report.direction);
        // Deletes held back fail the pass (exit 1 once): said also with --quiet.
        if (report.deletesSkipped && !(retry && heldSaid.has(report.deletesSkipped))) {
          out.failure(report.deletesSkipped);
        }
        if (report.deletesSkipped) heldSaid.add(report.deletesSkipped);
        const changed = report.transferred + report.deleted;
        // (A batch of a link made in the tree, `ln -s`: its line says it was
        // skipped, as a pass's would, rather than nothing.)
        if (
          kind !== "events" || changed > 0 || report.deferred.length > 0 ||
          report.failed.length > 0 || (report.skipped?.length ?? 0) > 0
        ) {
          for (const line of deletedLines(report)) out.info(line);
          // An upload-only key's refused HEAD: said once a watch.
          const { headRefused, ...rest } = report;
          for (const line of uploadLines(headRefusedSaid ? rest : report)) out.info(line);
          if (headRefused !== undefined) headRefusedSaid = true;
          const again = report.failed.length - fresh.length;
          // Cut short by the stop: not read as a pass that found the tree equal.
          out.info(`${kind}${report.stopped ? " (stopped)" : ""}: ${
            summary(report, {
              ...(again > 0 ? { again } : {}),
              ...(info?.retryInMs !== undefined ? { retryInMs: info.retryInMs } : {}),
            })
          }`);
        }
        if (out.mode === "json" && (kind !== "events" || changed > 0 || report.failed.length > 0)) {
          // One JSON object per line, so a supervisor can follow the log.
          // A stdout that cannot be written (a full disk) is said, not an
          // unhandled rejection that ends the watch.
          out.jsonLine({ kind, ...report }).catch((error) =>
            io.writeStderr(`vc: mirror: ${errorMessage(error)}\n`)
          );
        }
      },
      onError: (error, info) => {
        endBar();
        const text = errorMessage(error);
        const wait = info?.retryInMs === undefined
          ? ""
          : `tried again in ${formatWait(info.retryInMs)}`;
        // A full pass failing again the same (the store down for a while:
        // one each 1 s, 2 s, 4 s, ... up to 5 min) is said once; each retry
        // after that gets one short line, as a batch tried again does.
        if (info?.retry === true && passSaid === sameCause(text)) {
          out.info(`full pass: failed (as said above), ${wait}`);
          return;
        }
        passSaid = info === undefined ? undefined : sameCause(text);
        io.writeStderr(`vc: mirror: ${text}${wait === "" ? "" : `; ${wait}`}\n`);
      },
    });
  } catch (error) {
    endBar();
    if (!(error instanceof WatchInterruptedError)) throw error;
    // Ended with transfers aborted: what it really did, as the last line (and the log's).
    await out.jsonLine({
      kind: "interrupted",
      ...error.totals,
      cutShort: error.cutShort,
      ...(error.keptPartials.length > 0 ? { keptPartials: error.keptPartials } : {}),
    })
      .catch(() => {});
    out.failure(error.message);
    return EXIT_INTERRUPTED;
  }
  endBar();
  out.info(watchStoppedLine(totals));
  // With --json, stderr's closing line is not printed: the log on stdout
  // ends with the same totals, so a supervisor reading it knows the watch
  // stopped (rather than died) and what it failed in all.
  await out.jsonLine({ kind: "stopped", ...totals }).catch((error) =>
    io.writeStderr(`vc: mirror: ${errorMessage(error)}\n`)
  );
  // Stopping a watch is its normal end: exit 0 (failures were reported as they happened).
  return EXIT_OK;
}

/**
 * The warnings of a run that found nothing to mirror, one for each source
 * that holds no object or file at all (see `emptySourceWarning`). A run
 * that found anything (a file left out by the filters too) looks no further.
 */
async function emptySources(
  report: MirrorReport,
  sources: readonly string[],
  options: MirrorOptions,
  openStore: ((uri: string) => Promise<ObjectStore>) | undefined,
): Promise<string[]> {
  const found = report.transferred + report.unchanged + report.failed.length +
    (report.skipped?.length ?? 0) + report.deferred.length;
  // With --delete the refusal names it already; only the near name is new.
  if (found > 0 || report.interrupted) return [];
  if (report.deletesSkipped !== undefined && !report.deletesSkipped.includes("no objects at all")) {
    return [];
  }
  const download = report.direction === "download";
  const prefix = download ? normalizePrefix(options.sourcePrefix) : "";
  const open = openStore ??
    (async (uri: string) => (await import("../store/open.ts")).openStore(uri));
  const warnings: string[] = [];
  for (const source of sources) {
    const warning = await emptySourceWarning(source, prefix, open);
    if (warning === undefined) continue;
    if (report.deletesSkipped === undefined) warnings.push(deletedToo(warning, report));
    else if (warning.includes("; did you mean ")) {
      warnings.push(
        `${warning.slice(0, warning.indexOf(" holds "))}: ${
          warning.slice(warning.indexOf("did you mean "))
        }`,
      );
    }
  }
  return warnings;
}

/**
 * `warning` (`… holds no files, so nothing was mirrored …`) as it is after a
 * run whose `--delete` went ahead: it removed what the target held, so
 * "nothing was mirrored" would read as if the target were intact.
 */
function deletedToo(warning: string, report: MirrorReport): string {
  if (report.deleted === 0) return warning;
  const dry = report.dryRun === true;
  const moved = report.direction === "download" ? "downloaded" : "uploaded";
  const what = report.direction === "download"
    ? counted(report.deleted, "local entry", "local entries")
    : counted(report.deleted, "object");
  return warning.replace(
    ", so nothing was mirrored",
    `: nothing ${dry ? "would be" : "was"} ${moved}, and --delete ${
      dry ? "would remove" : "removed"
    } ${what}`,
  );
}

/**
 * The closing line of a `vc mirror --watch` stopped by its signal, from its
 * totals: what it did, and what it leaves to the next run (changes seen and
 * not mirrored yet, and a pass or batch the stop cut short, which did not
 * come to every file).
 */
export function watchStoppedLine(totals: WatchReport): string {
  // totals.failed also counts the passes and paths that failed whole (a
  // store that could not be reached), which onError reported as they came.
  const left = [
    totals.unmirrored
      ? `${counted(totals.unmirrored, "path", "paths")} changed and not mirrored yet`
      : "",
    totals.stoppedIn
      ? `the ${
        totals.stoppedIn === "events" ? "batch" : `${totals.stoppedIn} pass`
      } it stopped did not come to every file`
      : "",
  ].filter((s) => s !== "");
  const rest = totals.stoppedIn ? "the rest" : totals.unmirrored === 1 ? "it" : "them";
  return `mirror stopped: ${counted(totals.passes, "pass", "passes")}, ${
    counted(totals.batches, "batch", "batches")
  }, ${totals.transferred} transferred${
    totals.copied ? ` (${totals.copied} copied in the store, renamed files)` : ""
  }, ${totals.deleted} deleted, ${totals.failed} failed${
    left.length > 0 ? `; ${left.join(", and ")} (the next run mirrors ${rest})` : ""
  }`;
}
/**
 * A mirror's progress as the bar's: its totals (a percentage and an ETA)
 * once the walk and listing ended, the running counts until then. Until a
 * byte moves (a pass finding its files unchanged), the bar is of the files,
 * with no byte total: of the bytes it stood at 0% through a no-op pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressSnapshot } from "./mirror_command.ts";
 * assert.deepEqual(progressSnapshot({ done: 1, bytes: 5 }), { done: 1, bytes: 5 });
 * assert.deepEqual(
 *   progressSnapshot({ done: 1, bytes: 5, total: 4, totalBytes: 20, current: "a" }),
 *   { done: 1, bytes: 5, total: 4, totalBytes: 20, current: "a" },
 * );
 * assert.deepEqual(
 *   progressSnapshot({ done: 3, bytes: 0, total: 4, totalBytes: 20 }),
 *   { done: 3, bytes: 0, total: 4 },
 * );
 * ```
 */
export function progressSnapshot(p: MirrorProgress): ProgressSnapshot {
  const { done, bytes, current, total, totalBytes } = withStep(p);
  // No byte sent: the bytes' share would say 0% however many files were
  // compared. Not given before the first file either: the bar keeps the
  // last total it was given, and it would stand at 0% from then on.
  const byFiles = total !== undefined && bytes === 0;
  return {
    done,
    bytes,
    ...(total === undefined ? {} : { total }),
    ...(totalBytes === undefined || byFiles ? {} : { totalBytes }),
    ...(current ? { current } : {}),
  };
}

/** One `deleted  KEY` line per target entry a run deleted. */
// A key as a line of the report names it: inert on a terminal, and in JSON
// quotes when it starts or ends with whitespace (`trail ` beside `trail`:
// two keys whose lines would read alike, and a copied name that misses the
// space names the other one).
function shownKey(key: string): string {
  return printable(visibleEnds(key));
}

function deletedLines(report: MirrorReport): string[] {
  return report.deletedKeys.map((key) => `deleted  ${shownKey(key)}`);
}

/**
 * The multipart uploads left open under the target that the pass aborted
 * (a dry run: would abort) or kept, each named with its start, so a user
 * sees what stopped being billed and what is left to the bucket's rule.
 */
function uploadLines(report: MirrorReport): string[] {
  const since = (u: MirrorUpload) => `(open since ${u.initiated})`;
  return [
    ...(report.abortedUploads ?? []).map((u) =>
      `${report.dryRun ? "abort" : "aborted"} open upload  ${shownKey(u.key)}  ${since(u)}`
    ),
    ...(report.keptUploads ?? []).map((u) =>
      `kept open upload  ${shownKey(u.key)}  ${since(u)}: ${u.problem}; abort it with ` +
      `aws s3api abort-multipart-upload, or let the bucket's AbortIncompleteMultipartUpload rule`
    ),
    ...(report.liveUploads ?? []).map((u) =>
      `kept open upload  ${shownKey(u.key)}  ${since(u)}: it took a part since, a writer is ` +
      "still sending it"
    ),
    ...(report.uploadsUnchecked === undefined ? [] : [
      `open uploads under the target not checked: ${report.uploadsUnchecked} ` +
      "(pass --abort-uploads-after never to skip this look)",
    ]),
    ...(report.headRefused === undefined ? [] : [report.headRefused]),
    ...(report.uploadsUnconfirmed === undefined ? [] : [report.uploadsUnconfirmed]),
  ];
}

/** `--abort-uploads-after`: a duration, or `never` (keep every open upload). */
function abortUploadsOption(
  text: string | undefined,
  toStore: boolean,
): Pick<MirrorOptions, "abortUploadsAfterMs"> {
  if (text === undefined) return {};
  // A local target has no uploads to abort: the flag would be ignored.
  if (!toStore) {
    throw new UsageError("--abort-uploads-after only applies when TARGET is a store URI", {
      command: "mirror",
    });
  }
  if (text.trim().toLowerCase() === "never") return { abortUploadsAfterMs: Infinity };
  return { abortUploadsAfterMs: parseDuration(text, "--abort-uploads-after") };
}

/**
 * Deno's watcher, not closed once the watch stops: the process exits right
 * after, which ends it. Deno's watcher opens each file it reports, so a FIFO
 * made in the tree blocks its thread until a writer comes; closing it then
 * blocked this process's main thread for good (measured: a SIGTERM'd
 * `vc mirror --watch` never printed its closing line). A watcher replaced
 * while the watch goes on (after it failed) is closed as usual. Its events
 * end at the stop: the watch waits for them to end, and an idle watch,
 * stopped with nothing in flight, waited a whole second after its
 * "stopping" line for an event that never came.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leftOpenOnStop } from "./mirror_command.ts";
 * const dir = await Deno.makeTempDir();
 * const watcher = Deno.watchFs([dir]);
 * const stop = new AbortController();
 * const events = leftOpenOnStop(watcher, stop.signal, undefined)[Symbol.asyncIterator]();
 * const next = events.next();
 * stop.abort();
 * assert.equal((await next).done, true);
 * watcher.close();
 * await Deno.remove(dir);
 * ```
 */
export function leftOpenOnStop(
  watcher: Deno.FsWatcher,
  stop: AbortSignal,
  cancel: AbortSignal | undefined,
): AsyncIterable<Deno.FsEvent> & { close(): void; stuck(): boolean; denoWatcher: true } {
  const stopped = () => stop.aborted || cancel?.aborted === true;
  const close = () => {
    if (!stopped()) watcher.close();
  };
  const end: IteratorReturnResult<undefined> = { done: true, value: undefined };
  return {
    [Symbol.asyncIterator]: () => {
      const events = watcher[Symbol.asyncIterator]();
      const ended = new Promise<IteratorReturnResult<undefined>>((resolve) => {
        for (const signal of [stop, cancel]) {
          signal?.addEventListener("abort", () => resolve(end), { once: true });
        }
      });
      return {
        next: () => stopped() ? Promise.resolve(end) : Promise.race([events.next(), ended]),
        // Left early (the watch's loop threw): closed, unless stopped.
        return: () => {
          close();
          return Promise.resolve(end);
        },
      };
    },
    close,
    // Stuck at a FIFO: the watch never closes it (that would block), and
    // watches anew on a thread of its own (it is Deno's).
    stuck: fsWatcherStuck,
    denoWatcher: true,
  };
}

/**
 * The summary line of a run. `again`: how many of its failures were said
 * already (a watch's batch tried again); `retryInMs`: when they are tried again.
 */
function summary(r: MirrorReport, retry: { again?: number; retryInMs?: number } = {}): string {
  const failed = r.failed.length === 0 ? [] : [
    `${r.failed.length} failed${
      retry.again === undefined
        ? ""
        : ` (${retry.again === r.failed.length ? "all" : retry.again} as said above)`
    }${retry.retryInMs === undefined ? "" : `, tried again in ${formatWait(retry.retryInMs)}`}`,
  ];
  const verb = r.direction === "upload" ? "uploaded" : "downloaded";
  const would = r.dryRun ? "would be " : "";
  const future = r.futureMtime?.length ?? 0;
  return [
    `mirror${r.dryRun ? " (dry run)" : ""}: ${r.transferred} ${would}${verb} (${
      formatBytes(r.bytes)
    }${r.copied ? `; ${r.copied} of them copied in the store, renamed files` : ""})`,
    `${r.deleted} ${would}deleted`,
    `${r.unchanged} unchanged`,
    ...(r.extra > 0 ? [`${r.extra} only on target`] : []),
    ...skippedCounts(r),
    ...failed,
    // A watch leaves files still being written for later: say it saw them.
    // One whose mtime is in the future looks so at every pass: say why.
    ...(r.deferred.length > future
      ? [`${r.deferred.length - future} still being written (later)`]
      : []),
    ...(future > 0 ? [`${future} with an mtime in the future (later)`] : []),
    `${r.seconds.toFixed(1)}s`,
  ].join(", ");
}

/**
 * The source entries no object is made for, by kind: a target short of the
 * tree says why, naming the first three
 * (`2 symlinks skipped (--follow-symlinks follows them: a b)`).
 */
function skippedCounts(r: MirrorReport): string[] {
  const count = (kind: string) => r.skipped?.filter((s) => s.kind === kind).length ?? 0;
  // Named too, the first three of each kind: a file missing from the target
  // is found in the line, not only in --json.
  const keysOf = (kind: string) =>
    (r.skipped ?? []).filter((s) => s.kind === kind).map((s) => s.key);
  const links = keysOf("symlink");
  const special = keysOf("special");
  // A loop (a link or bind mount back up) leaves a subtree out: named.
  const loops = keysOf("loop");
  // vc's own files (a file:// store's sidecars, locks) are counted; a name
  // a user chose with the reserved `.vc~` is named: its file is not mirrored.
  const reserved = (r.skipped ?? []).filter((s) =>
    s.kind === "internal" && !isStoreOwnName(s.key.replace(/\/$/, "").split("/").pop()!)
  ).map((s) => s.key);
  const internal = count("internal") - reserved.length;
  return [
    ...(links.length > 0
      ? [
        `${links.length} ${links.length === 1 ? "symlink" : "symlinks"} skipped ` +
        `(--follow-symlinks follows them: ${firstKeys(links)})`,
      ]
      : []),
    ...(special.length > 0
      ? [
        `${special.length} special ${special.length === 1 ? "file" : "files"} skipped ` +
        `(FIFO, socket, device: ${firstKeys(special)})`,
      ]
      : []),
    ...(loops.length > 0
      ? [
        `${loops.length} ${loops.length === 1 ? "loop" : "loops"} skipped (${
          loops.length === 1
            ? "a symlink or bind mount to a directory above it"
            : "symlinks or bind mounts to a directory above them"
        }, never followed: ${firstKeys(loops)})`,
      ]
      : []),
    ...(internal > 0
      ? [
        `${internal} vc internal ${
          internal === 1 ? "file" : "files"
        } skipped (.vc~…, a file:// store's own)`,
      ]
      : []),
    ...(reserved.length > 0
      ? [
        `${reserved.length} skipped as named with vc's reserved prefix .vc~ (rename to mirror: ${
          firstKeys(reserved)
        })`,
      ]
      : []),
  ];
}

/**
 * The first three of `keys`, printable, and how many more (`a b c and 2
 * more`); a key with whitespace in it JSON-quoted (`"My Docs" a.lnk`), as
 * the spaces between them would make it two names, and a trailing space none.
 */
function firstKeys(keys: readonly string[]): string {
  const more = keys.length > 3 ? ` and ${keys.length - 3} more` : "";
  const shown = (key: string) => /\s/u.test(key) ? inertJson(key) : printable(key);
  return `${keys.slice(0, 3).map(shown).join(" ")}${more}`;
}

/**
 * A one-shot mirror stopped by Ctrl-C or SIGTERM: what it really did, as
 * its last line (also with --quiet and off a terminal) and, with --json, as
 * the report on stdout (`interrupted: true`, the aborted transfers as
 * `cutShort`); exit 130. The keys it deleted are named on stdout, as a
 * finished run names them: the record a log of stdout keeps.
 */
async function interrupted(ctx: CommandContext, error: MirrorInterruptedError): Promise<number> {
  const { io, out } = ctx;
  const report = error.report;
  // stdout gone: stderr says it below.
  await out.status(report, [...deletedLines(report), ...uploadLines(report)]).catch(() => {});
  writeFailures(io, report.failed, report.direction);
  out.failure(error.message);
  return EXIT_INTERRUPTED;
}

function finish(ctx: CommandContext, report: MirrorReport): number {
  const { io, out } = ctx;
  // The reason of an exit 1: said also with --quiet.
  if (report.deletesSkipped) out.failure(report.deletesSkipped);
  // Deletes held back leave the target different from the source: not a success.
  if (report.failed.length === 0) return report.deletesSkipped ? EXIT_FAILURE : EXIT_OK;
  writeFailures(io, report.failed, report.direction);
  // Nothing done at all (a key that may list but not write): not "the rest was mirrored".
  const rest = report.transferred + report.deleted + report.unchanged > 0
    ? "the rest was mirrored"
    : "nothing was mirrored";
  // Its last line: the retries not shown are counted before it.
  out.failure(`mirror: ${report.failed.length} failed; ${rest}`);
  return EXIT_FAILURE;
}

// One line a failure, capped: a cause every file shares (a read-only
// target, a bucket policy refusing each PUT) would flood a CI log.
function writeFailures(
  io: CommandContext["io"],
  failed: MirrorReport["failed"],
  direction: MirrorReport["direction"],
): void {
  writeFailureLines(io, failureLines(failed, direction));
}

/**
 * The lines of `failed`, one a failure, but one for the store's transient
 * (or refused: access denied) failures of one cause: the store down (or failing) under a watch's batch
 * of a burst of changes gave each file's request its line of the same
 * words (20 lines, and "… more"), where one says the state once, naming
 * the first few paths: `vc: mirror: 51 paths (/d/a, /d/b, /d/c, and 48
 * more): HEAD s3://b/p/…: cannot reach …; the next run tries them again`.
 * So are a `file://` store's refusals (its directory read-only) and, from a
 * store, a local directory's: the directory is the cause, not the file.
 */
function failureLines(
  failed: MirrorReport["failed"],
  direction: MirrorReport["direction"],
): string[] {
  // A local directory's refusal says the directory (see dirRefused), also for one file.
  // A read-only mount's refusal is the same words for every file: one line.
  const shown = (f: MirrorReport["failed"][number]) =>
    direction !== "download"
      ? undefined
      : dirRefused(f)
      ? dirCause(f)
      : f.errorName === "AccessDeniedError" && f.error.endsWith(READ_ONLY_MOUNT)
      ? f.error
      : undefined;
  const line = (f: MirrorReport["failed"][number]) =>
    `vc: mirror: ${shownKey(f.path)}: ${printable(shown(f) ?? f.error)}`;
  const causeOf = (f: MirrorReport["failed"][number]) =>
    f.key !== undefined && f.key !== "" && (storeTransient(f) || storeRefused(f))
      ? sharedCause(f.error, f.key)
      : shown(f);
  return groupByCause(failed, causeOf).map(({ cause, items }) => {
    if (cause === undefined || items.length === 1) return line(items[0]!);
    // The first few by name (in key order by UTF-8 bytes, as the listings),
    // not by which transfer failed first: the same cause reads the same at
    // each run (or watch batch).
    const named = fewNamed(items.map((f) => f.path).sort(compareUtf8), shownKey);
    return `vc: mirror: ${items.length} paths (${named}): ${
      printable(cause).replace(/; the next run tries it again$/, "; the next run tries them again")
    }`;
  });
}

/**
 * A request the store refused for the credentials (`PUT s3://b/k: access
 * denied (403 …)`): a key without s3:PutObject, or s3:DeleteObject under
 * `--delete`, fails every file the same, said in one line, not one each.
 */
function storeRefused(f: MirrorReport["failed"][number]): boolean {
  return /^(?:[A-Z]+(?: \S+)?: )?access denied \(/.test(f.error) ||
    // A `file://` store's (`put KEY in file:///s failed: Permission denied`).
    (f.errorName === "AccessDeniedError" && /^[a-z]+ .* in file:\/\/.* failed: /s.test(f.error));
}

/**
 * A local file a mirror from a store could not write for want of access
 * (`no access: Permission denied (os error 13)`): writing one makes a file
 * in its directory (a temp file, renamed over it), so the directory's mode
 * (or a read-only or immutable one) refuses every file in it the same.
 */
function dirRefused(f: MirrorReport["failed"][number]): boolean {
  return f.errorName === "AccessDeniedError" && f.error.startsWith("no access: ");
}

/** The cause of a {@linkcode dirRefused} failure: its directory, and what to do about it. */
function dirCause(f: MirrorReport["failed"][number]): string {
  const dir = dirname(f.path);
  return f.error.replace(
    /; give the user vc runs access to it, or leave it out with --exclude$/,
    "",
  ) + `; give the user vc runs write access to ${dir}, or leave it out with --exclude`;
}

/**
 * A store failure's text with its own key (`HEAD s3://b/p/KEY: …`, a
 * request URL's `/KEY)`) as `…`, and without the request id, so the same
 * cause of several keys reads the same.
 */
function sharedCause(error: string, key: string): string {
  const encoded = key.split("/").map(encodeURIComponent).join("/");
  // A `file://` store's `put KEY in file:///s failed: …`.
  let text = sameCause(error).replace(
    /^([a-z]+) (.*?) in file:\/\//s,
    (whole, op, named) => named === key ? `${op} … in file://` : whole,
  );
  for (const form of new Set([key, encoded])) {
    const parts = text.split(`/${form}`);
    // Only where the key ends there (`s3://b/p/a` is not the key `a/b`'s).
    text = parts.reduce((out, part) =>
      out + (/^([:)\s;]|$)/.test(part) ? "/…" : `/${form}`) + part
    );
  }
  return text;
}

/** `--max-delete N` as the mirror's `maxDelete` (none when not given). */
function maxDeleteOption(text: string | undefined, deletes: boolean): { maxDelete?: number } {
  if (text === undefined) return {};
  if (!deletes) {
    throw new UsageError("--max-delete limits --delete, which is not given", { command: "mirror" });
  }
  return { maxDelete: countFlag(text, "--max-delete", "mirror", Infinity, 0) };
}

/** A retry's wait as a person reads it: `1s`, `8s`, `2m 8s`. */
function formatWait(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 === 0 ? "" : ` ${s % 60}s`}`;
}

/**
 * A failure's text without the store's request id, which is new at every
 * request: an archived object's GET fails the same at each pass but for it.
 */
function sameCause(error: string): string {
  return error.replace(/ \(request id [^)]*\)/g, "");
}
