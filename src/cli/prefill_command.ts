/**
 * `vc prefill`: fills the cache with every asset of one or more manifests and
 * list files, in parallel, for CI. Progress bar on a terminal, a summary at
 * the end, every failure listed, exit 1 if any item failed.
 *
 * @module
 */
import { fewNamed, groupByCause } from "./cause_groups.ts";
import {
  DEFAULT_PREFILL_CONCURRENCY,
  prefill as runPrefill,
  type PrefillFailure,
  PrefillInterruptedError,
  type PrefillSummary,
} from "../prefill/prefill.ts";
import {
  listEntries,
  listLine,
  type PrefillListEntries,
  STDIN_NAME,
} from "../prefill/list_file.ts";
import { runSummaryLine } from "./run_summary.ts";
import { OUT_OF_FILES } from "../prefill/setting_words.ts";
import type { Command } from "./command.ts";
import {
  concurrencySetting,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_OK,
  UsageError,
  withFlagNames,
  withoutAllowAllAdvice,
} from "./errors.ts";
import { printable } from "../printable.ts";
import { pipedLines, shellWord } from "../shell_word.ts";
import { isUriNotPath } from "../path.ts";
import { isVersion } from "../versioned/version.ts";
import {
  manifestMissing,
  noBucket,
  openAssetCache,
  requireNamedLockFile,
  VERSIONED_OPTIONS,
  type VersionedSettings,
  versionedSettings,
} from "./settings.ts";
import { ignoredProjectWarning } from "./settings_resolve.ts";
import { misspelledVariableWarnings } from "./env_spelling.ts";
import { errorKind, InvalidInputError, NotFoundError } from "../errors.ts";
import { requestTimeoutFromEnv } from "../store/s3_config.ts";
import { counted } from "../counted.ts";
import { signalOption } from "../abort_hub.ts";
import { localPathSetting } from "./local_path.ts";
import {
  cappedWarnings,
  failureKindCounts,
  MAX_FAILURES_SHOWN,
  writeFailureLines,
} from "./failure_lines.ts";
import type { AssetCache } from "../cache/asset_cache.ts";
import { recordsMissingWarning } from "../cache/records_missing.ts";
import type { VersionedCache } from "../versioned/versioned_cache.ts";

/**
 * `vc prefill [--manifest M]... [--list FILE]... [--concurrency N]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefill } from "./prefill_command.ts";
 * assert(prefill.options.manifest?.multiple === true);
 * ```
 */
export const prefill: Command = {
  name: "prefill",
  positionals: [],
  required: 0,
  usage: "[--manifest M]... [--list FILE]... [--concurrency N]",
  extraHint: argumentsHint,
  description: [
    "Downloads every entry of the manifests and every item of the list files into the",
    "cache, so later runs (tests, jobs) find them locally. Items already cached are not",
    "downloaded again. Every item is attempted; all failures are listed, each with",
    "where its item came from (FILE:LINE of a list, or the manifest), and the exit",
    "code is 1 if there was one. Without --manifest or --list, the default manifest",
    "(VC_MANIFEST, config file, ./versioned_assets.json) is used; with --list, a manifest",
    "only when --manifest is given too (its entries are fetched as well, it resolves",
    "versioned paths in the lists, and it needs a bucket; plain URIs do not).",
    "",
    "The summary (items fetched, already cached, failed; bytes and time) goes to",
    "stdout, the failures to stderr: the first 20, then a count (--json lists them all,",
    "each with its file, line and errorName). On a terminal a progress bar shows; off",
    "one (a CI log, or CI set), a plain progress line every 30 s of a long run.",
    "Ctrl-C or SIGTERM (a CI job cancelled at its timeout) stops it cleanly with exit",
    "code 130, listing the failures so far and what was done: run it again to finish",
    "(what is cached stays). A usage error is exit code 2.",
    "",
    "A list file has one item per line: an s3:// or file:// URI, or a versioned path",
    "(/foo/bar.csv, or /foo/bar.csv@1.2.5); blank lines and # comment lines are",
    "ignored, but a # after an item is part of it (an S3 key may hold one). Lines end",
    "with LF or CRLF; a UTF-8 byte order mark is skipped. An item names one object,",
    "never a prefix (s3://b/dir/ is the key dir/).",
    "An @ followed by a version (1.2.5, 2.0.0-rc.1) at the end of a line is the version;",
    "any other @ is part of the path (/models/resnet@2x.bin). --list - reads standard",
    "input. A list larger than 64 MiB is refused. baiji-pod's prefill file, a YAML list",
    "(- /foo/bar.csv lines), is read as it is.",
  ].join("\n"),
  options: {
    ...VERSIONED_OPTIONS,
    manifest: {
      type: "string",
      multiple: true,
      valueName: "FILE",
      description: "manifest whose entries to fetch (default ./versioned_assets.json)",
    },
    list: {
      type: "string",
      multiple: true,
      valueName: "FILE",
      description: "file listing URIs or versioned paths, one per line (- for stdin)",
    },
    concurrency: {
      type: "string",
      valueName: "N",
      description: "downloads in flight at once, 1 to 1024 (env VC_CONCURRENCY; default 16)",
    },
    "allow-empty": {
      type: "boolean",
      description: "pass when the lists and manifests give no item (else exit 1)",
    },
  },
  examples: [
    "vc prefill",
    "vc prefill --manifest versioned_assets.json --list ci/extra_assets.txt --json",
    "VC_CACHE_DIR=/ci-cache vc prefill --concurrency 32",
    // One key per line, as S3 has it: `aws s3 ls` columns cut a key at its first space.
    "aws s3api list-objects-v2 --bucket my-bucket --prefix models/ --query 'Contents[].[Key] || `[]`' --output text | sed 's|^|s3://my-bucket/|' | vc prefill --list -",
    // Runs only where a deno.json has the task: say which, or it fails as written in a project.
    'deno task prefill   # with "prefill": "vc prefill" in your deno.json\'s tasks',
  ],
  async run(ctx) {
    const { io, flags, out } = ctx;
    // A mistyped variable in a CI job's env (`VC_CACHEDIR`, `VC_LOCK_FILE`)
    // is ignored: the cache goes elsewhere, the lock meant is not read. The
    // command CI runs says so, as `vc config` does.
    for (const line of misspelledVariableWarnings((name) => io.env(name))) out.warn(line);
    const concurrency =
      concurrencySetting(flags.string("concurrency"), (name) => io.env(name), "prefill").value;
    const settings = versionedSettings(ctx);
    // A malformed VC_REQUEST_TIMEOUT would fail every item that needs a store,
    // each on its own (thousands of lines that read as a store problem): it is
    // the run's error, before anything is fetched, as other bad settings are.
    if (flags.string("request-timeout") === undefined) requestTimeoutFromEnv((n) => io.env(n));
    // `-` is standard input (once).
    // Empty (an unset variable in a CI script) or a URI is refused, as for --manifest.
    const lists = flags.list("list").map((l) =>
      l === "-" ? l : localPathSetting(io.cwd, l, (name) => io.env(name), "--list")
    );
    // Each one as a single --manifest is checked (only the last reached the
    // settings): `--manifest=~/m.json` named `./~/m.json`, and a URI or `-`
    // was looked for as a file of that name.
    let manifests = flags.list("manifest").map((m) =>
      localPathSetting(io.cwd, m, (name) => io.env(name), "--manifest")
    );
    // With --list, a manifest is used only when given too; a bucket is then
    // needed only for it (plain s3:// and file:// URIs name their store).
    if (manifests.length === 0 && lists.length === 0) manifests = [settings.manifest];
    // Each item keeps its file and line: a failure names them. Every list is
    // read and checked before anything is fetched; its entries are made as
    // the prefill takes them.
    const read: PrefillListEntries[] = [];
    // From the start: a list piped from a slow producer (a listing of a large
    // bucket) takes minutes to come, which a CI log must not pass in silence.
    using bar = out.progress("prefill");
    // A list read from a pipe whose writer is still running stops on Ctrl-C.
    for (const list of new Set(lists)) {
      // As an item with its step (`NAME: step`), so that a long path shortened
      // on a terminal loses its start, not the word that says it is read.
      bar.onItems({ done: 0, current: `${list === "-" ? STDIN_NAME : list}: reading` });
      read.push(await listEntries(list, signalOption(io.signal)));
    }
    // A list with no item: an empty pipe (an upstream command that failed, in
    // a shell without pipefail), an empty generated file.
    const emptyLists = [...new Set(lists)].filter((_, i) => read[i]!.length === 0)
      .map((list) =>
        list === "-"
          ? `${STDIN_NAME} lists no items (as a pipe from a command that failed does, in a shell ` +
            `without pipefail)`
          : `${list} lists no items`
      );
    const allowEmpty = flags.boolean("allow-empty");
    const items = {
      length: read.reduce((n, entries) => n + entries.length, 0),
      *[Symbol.iterator]() {
        for (const entries of read) yield* entries;
      },
    };
    // Each manifest with its own project file (its bucket), as a command
    // run on it alone would; the one cache must not depend on which.
    const all = manifests.map((manifest) => versionedSettings({ io, flags }, { manifest }));
    // A manifest that does not exist finds no project file (no bucket) where
    // it was meant to be: it is one failed item, as it is with a bucket,
    // rather than "no bucket configured" for the whole run.
    const missing: PrefillFailure[] = [];
    const own: VersionedSettings[] = [];
    for (const v of all) {
      if (v.bucket === undefined && manifestMissing(v.manifest)) {
        // The manifest code loads with the manifests (openManifests), not for a list.
        const { missingManifestMessage } = await import("../versioned/manifest.ts");
        const error = new NotFoundError(await missingManifestMessage(v.manifest));
        missing.push({ item: v.manifest, error: error.message, errorName: errorKind(error) });
      } else own.push(v);
    }
    const unbucketed = own.find((v) => v.bucket === undefined);
    if (unbucketed !== undefined) {
      throw noBucket(
        "prefill",
        unbucketed.manifest,
        own.length > 1
          ? {
            manifest: unbucketed.manifest,
            ...(unbucketed.settings.projectPath === undefined
              ? {}
              : { projectPath: unbucketed.settings.projectPath }),
          }
          : undefined,
        (name) => io.env(name),
        unbucketed.settings.projectPath,
      );
    }
    manifests = own.map((v) => v.manifest);
    // A named lock file that is not there: every entry would go unchecked.
    // (A list of URIs alone reads none.)
    if (manifests.length > 0) {
      requireNamedLockFile({ lock: settings.lock, lockSource: settings.lockSource });
    }
    for (const v of own) {
      sameCacheSettings(own[0]!, v);
      const ignored = v.settings.ignoredProjectPath;
      if (ignored !== undefined && ignored !== settings.settings.ignoredProjectPath) {
        out.warn(ignoredProjectWarning(v.settings));
      }
    }
    // One warning per item served from a cache whose store is unreachable:
    // the first ones say why, the rest are counted.
    const warnings = cappedWarnings(out);
    // As many downloads at once as items in flight (the cache's own cap is 16).
    const cache = openAssetCache(ctx, own[0]?.settings ?? settings.settings, {
      maxDownloads: concurrency ?? DEFAULT_PREFILL_CONCURRENCY,
      onWarning: (w) => warnings.warn(withFlagNames(w.message), w.kind),
    });
    // A CI cache kept without its hidden files: every copy is downloaded
    // again, which a run must not do in silence.
    const noRecords = recordsMissingWarning(cache.dir);
    if (noRecords !== undefined) out.warn(noRecords);
    // Loaded only for a manifest: a list of plain URIs needs the asset cache alone.
    const versioned = manifests.length === 0
      ? []
      : await openManifests(manifests, own, cache, settings);
    let summary: PrefillSummary;
    let interrupted: PrefillInterruptedError | undefined;
    try {
      try {
        summary = await runPrefill({
          cache,
          versioned,
          uris: items,
          ...(concurrency === undefined ? {} : { concurrency }),
          // The item in hand's own percentage after its name (`/big.bin: downloading 45%`).
          onProgress: bar.onItems,
          ...(io.signal ? { signal: io.signal } : {}),
        });
      } catch (error) {
        // Ctrl-C, or CI cancelling the job: what was done and what failed
        // is still said below, then the exit is 130.
        if (!(error instanceof PrefillInterruptedError)) throw error;
        interrupted = error;
        summary = error.summary;
      }
      bar.done();
      // Manifests are read first: their failures come first.
      summary.failed.unshift(...missing);
      summary.total += missing.length;
      // Deno's --allow-all advice (a cache dir under /dev/shm) cannot be followed.
      // The library names its options (`versioned`, `concurrency`): said with the flags.
      for (const f of summary.failed) {
        f.error = withFlagNames(withoutAllowAllAdvice(f.error));
      }
      if (interrupted === undefined && !allowEmpty) {
        // Nothing at all: a CI job would go on with an empty cache.
        if (summary.total === 0) {
          throw new InvalidInputError(
            `nothing to prefill: ${
              [...emptyLists, ...manifests.map((m) => `${m} has no entries`)].join(", ")
            }; pass --allow-empty if none is expected`,
          );
        }
        for (const empty of emptyLists) out.warn(`${empty}: nothing prefilled from it`);
      }
    } finally {
      await Promise.allSettled(versioned.map((v) => v.close()));
      await cache.close();
      warnings.finish();
    }
    // The failed items' lines on stderr (their kinds name those past the first ones shown).
    // Returns whether some were not shown, only counted.
    const writeFailures = () => {
      const lines = failureLines(summary.failed);
      writeFailureLines(io, lines.map((l) => l.line), lines.map((l) => l.kind));
      return lines.length > MAX_FAILURES_SHOWN;
    };
    if (interrupted !== undefined) {
      writeFailures();
      if (out.mode === "json") {
        // stdout gone: stderr says it below.
        await out.status({ ...summary, interrupted: true }, []).catch(() => {});
      }
      // Its last line, also with --quiet and off a terminal.
      out.failure(interrupted.message);
      return EXIT_INTERRUPTED;
    }
    // A confirmation (--quiet drops it): what failed is said below either way.
    // The failures reach stderr also when stdout cannot be written (a full
    // disk): its error is then the command's, said after them.
    try {
      await out.status(summary, summaryLines(summary));
    } finally {
      if (summary.failed.length > 0) {
        // Some not shown: how many failed of each kind (missing objects, a
        // refusal and a store's 5xx each ask something else of the reader).
        const kinds = writeFailures()
          ? ` (${failureKindCounts(summary.failed.map((f) => f.errorName))})`
          : "";
        // Its last line: the retries not shown are counted before it.
        out.failure(`${summary.failed.length} of ${counted(summary.total, "item")} failed${kinds}`);
      }
    }
    return summary.failed.length === 0 ? EXIT_OK : EXIT_FAILURE;
  },
};

/**
 * The command line for words given to `vc prefill` as arguments, which
 * takes none: `baiji-prefill FILE` took its list so. A manifest (`*.json`)
 * goes in `--manifest`, a list file in `--list`, and items (URIs,
 * `/path@VERSION`) in a list on standard input: `--list` of a URI is refused
 * (no local path) and of a manifest too (no list), so naming it there led to
 * a second error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefill } from "./prefill_command.ts";
 * assert.equal(
 *   prefill.extraHint?.(["m.json", "s3://b/k"], ["m.json", "s3://b/k"]),
 *   "items go in a list, one a line: printf '%s\\n' s3://b/k | vc prefill --list - --manifest m.json",
 * );
 * ```
 */
function argumentsHint(extra: readonly string[]): string {
  const isItem = (word: string) =>
    isUriNotPath(word) || (word.startsWith("/") && isVersion(/@([^@/]*)$/.exec(word)?.[1] ?? ""));
  const items = extra.filter(isItem);
  const manifests = extra.filter((word) => !isItem(word) && /\.jsonc?$/i.test(word));
  const flags = extra.filter((word) => !isItem(word)).map((file) =>
    `${manifests.includes(file) ? "--manifest" : "--list"} ${shellWord(file)}`
  );
  if (items.length > 0) {
    const versioned = items.some((item) => !isUriNotPath(item)) && manifests.length === 0;
    return `items go in a list, one a line: ${
      pipedLines(items, ["vc prefill --list -", ...flags].join(" "))
    }${versioned ? " (a versioned path needs --manifest M too)" : ""}`;
  }
  const what = [
    ...(manifests.length > 0 ? ["a manifest with --manifest"] : []),
    ...(manifests.length < extra.length ? ["a list file with --list"] : []),
  ];
  return `give ${what.join(" and ")}: ${flags.join(" ")}`;
}

/**
 * The failed items' lines, one an item, but one for the items of a bucket
 * that does not exist (a typo in its name, another endpoint), and one for
 * those of a store that could not be reached (down, a wrong port) or never
 * answered (a hung server, each item timing out alike): a list of
 * thousands of its items said the same words for each. That line names the
 * cause once, the first few items and how many more (`--json` lists all).
 */
function failureLines(failed: readonly PrefillFailure[]): { line: string; kind: string }[] {
  const causeOf = (f: PrefillFailure) =>
    missingBucket(f) ?? unreachable(f) ?? unanswered(f) ?? sameAsAnother(f) ?? noSpaceLeft(f) ??
      outOfFiles(f);
  return groupByCause(failed, causeOf).map(({ cause, items }) => {
    if (cause === undefined || items.length === 1) {
      return { line: `vc: prefill failed: ${failureLine(items[0]!)}`, kind: items[0]!.errorName };
    }
    // The first few as the lists have them, not as they happened to fail.
    const named = items.toSorted((a, b) =>
      (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0)
    ).map((f) => f.item);
    return {
      line: printable(`vc: prefill failed: ${items.length} items (${fewNamed(named)}): ${cause}`),
      kind: items[0]!.errorName,
    };
  });
}

/**
 * A failure's cause when the store could not be reached (`cannot reach
 * http://host:9000 (from AWS_ENDPOINT_URL): …: Connection refused (os error
 * 111)`, with the proxy it went through, if any), without the item's own
 * URL: every item fails so while it is down.
 */
function unreachable(f: PrefillFailure): string | undefined {
  if (f.errorName !== "OfflineError") return undefined;
  // The proxy too, when it went through one: a proxy that is down refuses
  // every item, and the line must not blame the endpoint it never reached.
  const reach = /cannot reach \S+(?: \(from [^)]*\))?(?: through the proxy \S+ \(from [^)]*\))?/
    .exec(f.error);
  if (reach === null) return undefined;
  const last = f.error.slice(reach.index + reach[0].length).split(": ").at(-1)!;
  // The last part names no item (`Connection refused (os error 111)`), or is left out.
  const why = last === "" || last.includes(f.item) || last.includes("://") ? "" : `: ${last}`;
  return `${reach[0]}${why}`;
}

/**
 * A failure's cause when the store took connections but never answered (a
 * hung server, a dropped route: `timed out after 60 s waiting for a response
 * from http://host:9000 (request timeout: …)`), without the item's own URL
 * or how long its attempts took: every item fails so while it hangs.
 */
function unanswered(f: PrefillFailure): string | undefined {
  if (f.errorName !== "OfflineError") return undefined;
  return /timed out after [\d.]+ s waiting for (?:a response|more of the response body) from \S+(?: \(request timeout: [^)]*\))?/
    .exec(f.error)?.[0];
}

/**
 * A failure's cause when it is another item's, which says why (`not tried:
 * no usable AWS credentials for s3://b (the failure of s3://b/k1.txt says
 * why)`, an unwritable cache dir; without `not tried:` for an item in flight
 * with that one): one line for them all, so the item that says why is among
 * the lines shown. At `--concurrency 64`, 20 lines referring to it could hide
 * it behind `... and N more failures`.
 */
function sameAsAnother(f: PrefillFailure): string | undefined {
  return /^(?:not tried: )?(.+ \(the failure of .+ says why\))$/s.exec(f.error)?.[1];
}

/**
 * A failure's cause when the cache dir's disk is full (`no space left on the
 * device of the cache dir /c; nothing partial was kept. Free space …`),
 * without the item it was caching: every item after it fails alike, 20
 * lines of the same words hid the other failures behind their count.
 */
function noSpaceLeft(f: PrefillFailure): string | undefined {
  const m =
    /^(no space left on the device of the cache dir .+?) while caching .+?(; nothing partial was kept\. .+)$/s
      .exec(f.error);
  return m === null ? undefined : `${m[1]}${m[2]}`;
}

/**
 * A failure's cause when vc ran out of open files (`--concurrency` above the
 * open-files limit): the advice it ends with, said once for all such items.
 */
function outOfFiles(f: PrefillFailure): string | undefined {
  return f.error.endsWith(OUT_OF_FILES.flag) ? OUT_OF_FILES.flag.trim().slice(1, -1) : undefined;
}

/** A failure's cause when it is its bucket's absence (`its bucket s3://b does not exist at …`). */
function missingBucket(f: PrefillFailure): string | undefined {
  if (f.errorName !== "NotFoundError") return undefined;
  // Or one of its other items, not asked for once its bucket was found missing.
  const own = new RegExp(
    `^(?:not tried: |stopped waiting: |cannot download ${RegExp.escape(f.item)}: )`,
  ).exec(f.error);
  if (own === null) return undefined;
  const cause = f.error.slice(own[0].length);
  return /^its bucket s3:\/\/\S+ does not exist/.test(cause) ? cause : undefined;
}

/**
 * One failure on one line: where it came from (a list file's `file:line`, as a
 * bad line of the list is named, or the manifest), the item, the error.
 */
function failureLine(f: PrefillFailure): string {
  const where = f.file === undefined
    ? ""
    : `${f.line === undefined ? f.file : listLine(f.file, f.line)}: `;
  // A download's error names its URI first: not said twice.
  const named = f.error.startsWith(`${f.item}: `) ? f.error : `${f.item}: ${f.error}`;
  return printable(`${where}${named}`);
}

function summaryLines(s: PrefillSummary): string[] {
  return [
    runSummaryLine(
      "prefill",
      counted(s.total, "item"),
      [
        `${s.fetched} fetched`,
        `${s.alreadyCached} already cached`,
        `${s.failed.length} failed`,
      ],
      s.bytes,
      s.seconds,
    ),
  ];
}

// The cache settings of two manifests' runs (their project files may differ):
// one prefill fills one cache, so they must agree.
// The versioned cache of each manifest, over the one asset cache.
async function openManifests(
  manifests: readonly string[],
  own: readonly VersionedSettings[],
  cache: AssetCache,
  settings: VersionedSettings,
): Promise<VersionedCache[]> {
  const { VersionedCache } = await import("../versioned/versioned_cache.ts");
  const { defaultLockFile } = await import("../versioned/lock_file.ts");
  return manifests.map((manifest, i) =>
    new VersionedCache({
      manifest,
      bucket: own[i]!.bucket!,
      cache,
      // The integrity lock: beside each manifest, or the one --lock names
      // (given, never left to the library's own reading of VC_LOCK).
      lock: settings.lock ?? defaultLockFile(manifest),
      frozen: settings.frozen,
    })
  );
}

function sameCacheSettings(first: VersionedSettings, other: VersionedSettings): void {
  for (const name of ["cacheDir", "timeout", "immutableBuckets"] as const) {
    const [a, b] = [first.settings[name], other.settings[name]];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    throw new UsageError(
      `the manifests ${first.manifest} and ${other.manifest} need different ${name} settings ` +
        `(${JSON.stringify(a)} from ${first.settings.sources[name]}, ${JSON.stringify(b)} from ${
          other.settings.sources[name]
        }): prefill them in separate runs, or set it by flag or variable`,
      { command: "prefill" },
    );
  }
}
