/**
 * The asset cache commands: `vc cache get|ls|invalidate|rm|prune|verify|dir`.
 * Each one is argument handling and printing around one `AssetCache` call.
 *
 * @module
 */
import { formatBytes } from "../progress.ts";
import type { Command, CommandContext } from "./command.ts";
import {
  errorMessage,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  flagValue,
  isAbort,
  UsageError,
  withFlagNames,
} from "./errors.ts";
import { cappedLines, writeFailureLines } from "./failure_lines.ts";
import type { AssetCache, StaleCopy } from "../cache/asset_cache.ts";
import { offlineStaleNote, staleFields } from "./stale_fields.ts";
import { errorKind } from "../errors.ts";
import type { Settings } from "../config.ts";
import { keptPartialSaid } from "./kept_partial.ts";
import { table } from "./output.ts";
import { downloadProgress } from "./upload_progress.ts";
import { CACHE_OPTIONS, cliSettings, manifestMissing, openAssetCache } from "./settings.ts";
import { parseDuration, parseSize } from "./units.ts";
import { counted } from "../counted.ts";
import { decodedUri, lookalikePairs, spelledApart } from "../unicode_spelling.ts";
import { parseUri } from "../uri.ts";
import { pipedLines, shellWord } from "../shell_word.ts";
import { visibleEnds } from "../printable.ts";
import { fileKind } from "../regular_file.ts";
import { fsPlatform } from "../fs_platform.ts";
import { resolve, toFileUrl } from "../path.ts";

const URI_HELP = "URI is s3://bucket/key or file:///path (a plain local path is returned as is).";
// What `rm` and `invalidate` take: a copy's own path names its entry.
const ENTRY_URI_HELP = "URI is s3://bucket/key, file:///path, or the path `vc cache get` printed.";
const SEVERAL_HELP =
  "Several URIs are each attempted; exit 1 if any failed (each failure on a line of its own).";

// A URI that is none (http://…, s3:// without a bucket, empty) is a usage
// error (exit 2), as it is in --bucket or a mirror TARGET; the cache would
// refuse it too, but as a failure (exit 1), and `rm a b` only after `a`. So
// is a bucket without a key (`s3://bucket`), which names no object.
function uriArg(text: string): string {
  const parsed = flagValue("URI", () => parseUri(text));
  if (parsed.scheme === "s3" && parsed.key === "") {
    throw new UsageError(`URI: s3://${parsed.bucket}/ names a bucket, not an object`, {
      hint: `give the object's key: s3://${parsed.bucket}/KEY`,
    });
  }
  return text;
}

/**
 * `vc cache get URI [--immutable]`: prints the local path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { get } from "./cache_commands.ts";
 * assert(get.name === "cache get");
 * ```
 */
export const get: Command = {
  name: "cache get",
  positionals: ["URI"],
  required: 1,
  usage: "URI [--immutable]",
  // `vc cache get A B`, as `vc cache rm` takes several: prefill caches many.
  extraHint: (_extra, all) =>
    `cache get takes one URI: run it once for each, or cache them all with ${
      pipedLines(all, "vc prefill --list -")
    }`,
  description:
    `Downloads URI into the cache when it is missing, or revalidates it by ETag when the\ncopy is older than the timeout, and prints the local path. With the store unreachable,\na cached copy is served with a warning (--json: \"stale\": true, \"staleReason\", \"validatedAt\").\n${URI_HELP}`,
  options: {
    immutable: {
      type: "boolean",
      description: "the object never changes: never revalidate this copy",
    },
    ...CACHE_OPTIONS,
  },
  examples: [
    "vc cache get s3://my-bucket/data/train.csv",
    "vc cache get s3://my-bucket/models/v3.onnx --immutable",
    "vc cache get file:///srv/assets/x.bin --cache-dir /tmp/cache",
  ],
  async run(ctx) {
    const uri = uriArg(ctx.args[0]!);
    await using cache = disposable(openAssetCache(ctx));
    using bar = ctx.out.progress(`download ${uri}`);
    // A copy the store could not confirm (unreachable): said on stderr by
    // the cache's warning, and in --json for a script, which reads no stderr.
    let stale: StaleCopy | undefined;
    const local = await cache.value.cache(uri, {
      ...(ctx.flags.boolean("immutable") ? { immutable: true } : {}),
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      ...downloadProgress(bar),
      onStale: (s) => stale = s,
    }).catch(async (error) => {
      throw await keptPartialSaid(error, ctx.io.signal, get.name, uri, cache.value.localPath(uri));
    });
    bar.done();
    const note = offlineStaleNote(uri, stale, Date.now());
    if (note !== undefined) ctx.out.info(withFlagNames(note));
    await ctx.out.path({ uri, local, ...staleFields(stale) }, local, `the local path of ${uri}`);
  },
};

/**
 * `vc cache ls [--check-remote]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ls } from "./cache_commands.ts";
 * assert(ls.options["check-remote"]?.type === "boolean");
 * ```
 */
export const ls: Command = {
  name: "cache ls",
  positionals: [],
  required: 0,
  usage: "[--check-remote]",
  description:
    "Lists the cached files with their size and when they were last validated and used.\nWith --check-remote, also asks the store whether each copy is still current.",
  options: {
    "check-remote": {
      type: "boolean",
      description: "compare each entry's ETag with the store (one HEAD per entry)",
    },
    ...CACHE_OPTIONS,
  },
  examples: ["vc cache ls", "vc cache ls --check-remote --json"],
  async run(ctx) {
    const checkRemote = ctx.flags.boolean("check-remote");
    const settings = cliSettings(ctx);
    const missing = missingCacheDirNote(ctx, settings);
    await using cache = disposable(openAssetCache(ctx, settings));
    // Listing a cache of a hundred thousand entries takes a minute, and
    // --check-remote one HEAD for each: neither is silent.
    using bar = ctx.out.progress("cache ls");
    const entries = await cache.value.ls({
      ...(checkRemote ? { checkRemote: true, signal: ctx.io.signal } : {}),
      onProgress: ({ step, done, total }) =>
        bar.onStep({ current: step, done, ...(total === undefined ? {} : { total }) }),
    });
    bar.done();
    // Unicode twins (`café` NFC and NFD) print alike: their URIs are shown
    // with non-ASCII escaped, as manifest commands show twin paths.
    const shown = spelledApart(entries.map((e) => e.uri), decodedUri);
    const rows = entries.map((e) => {
      // A copy of a deleted object is listed but not served: say so.
      const validated = e.gone === true
        ? "gone from the store"
        : e.validatedAt.getTime() === 0
        ? "invalidated"
        : date(e.validatedAt);
      const row = [
        visibleEnds(shown(e.uri)),
        e.endpoint ?? "-",
        formatBytes(e.size),
        validated,
        date(e.lastUsed),
      ];
      if (checkRemote) {
        row.push(
          e.outdated === undefined
            ? "unknown"
            : e.remoteDeleted === true
            ? "deleted"
            : e.outdated
            ? "outdated"
            : "current",
        );
      }
      return row;
    });
    const header = [
      "URI",
      "ENDPOINT",
      "SIZE",
      "VALIDATED",
      "USED",
      ...(checkRemote ? ["REMOTE"] : []),
    ];
    const lines = entries.length === 0 ? [] : table([header, ...rows]);
    // Empty output with exit 0 reads as "an empty cache"; a mistyped
    // VC_CACHE_DIR is as likely: name the directory read (stderr: stdout
    // stays a listing), as `vc ls-remote` names the bucket.
    if (entries.length === 0 && !missing) {
      ctx.out.info(`vc: the cache dir ${cache.value.dir} holds no cached files`);
    }
    // Why REMOTE is unknown: once per endpoint (each entry has it in --json).
    const unknown = new Map<string, { reason: string; count: number }>();
    for (const e of entries) {
      if (e.remoteError === undefined) continue;
      const endpoint = e.endpoint ?? "file://";
      const seen = unknown.get(endpoint);
      if (seen === undefined) unknown.set(endpoint, { reason: e.remoteError, count: 1 });
      else seen.count++;
    }
    for (const [endpoint, { reason, count }] of unknown) {
      ctx.io.writeStderr(
        `vc: REMOTE is unknown for ${count} ${count === 1 ? "entry" : "entries"} of ${
          endpoint === "file://" ? "file:// sources" : `the endpoint ${endpoint}`
        }: ${reason}\n`,
      );
    }
    const twins = lookalikePairs(entries.map((e) => e.uri), decodedUri);
    if (twins !== undefined) {
      ctx.io.writeStderr(
        `vc: these entries look the same but are spelled differently in Unicode, ` +
          `so they are different objects: ${twins}\n`,
      );
    }
    await ctx.out.data(entries, lines);
    // What no record can be read from lists nothing (the entries of its
    // directory were missing without a word, exit 0, while `cache get` of
    // one fails): named as `verify` and `prune` name it.
    const { recordTreeDamage } = await import("../cache/maintenance.ts");
    const damage = await recordTreeDamage(cache.value.dir);
    const damaged = [
      ...damage.journalDirs.map(journalIsDirectory),
      ...damage.recordDirFiles.map(fileWhereRecordsBelong),
    ];
    for (const line of damaged) ctx.io.writeStderr(`vc: ${line}\n`);
    return damaged.length === 0 ? 0 : EXIT_FAILURE;
  },
};

/**
 * `vc cache invalidate URI...`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invalidate } from "./cache_commands.ts";
 * assert(invalidate.required === 1);
 * ```
 */
export const invalidate: Command = {
  name: "cache invalidate",
  positionals: ["URI"],
  required: 1,
  variadic: true,
  usage: "URI...",
  description:
    `Marks the cached copy of each URI as stale, so its next use revalidates it with the store.\n${ENTRY_URI_HELP}\n${SEVERAL_HELP}`,
  options: CACHE_OPTIONS,
  examples: [
    "vc cache invalidate s3://my-bucket/data/train.csv",
    "vc cache invalidate s3://my-bucket/a.csv s3://my-bucket/b.csv",
  ],
  run: (ctx) =>
    forEachUri(ctx, "invalidated", async (cache, uri, shown) => {
      const cached = await cache.invalidate(uri);
      return {
        done: cached,
        text: cached
          ? `invalidated ${shown}: its next use revalidates it`
          : `${shown} is not cached${await elsewhere(
            cache,
            uri,
            ctx.io.cwd,
            "invalidate",
          )}: nothing to invalidate`,
      };
    }),
};

/**
 * `vc cache rm URI...`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rm } from "./cache_commands.ts";
 * assert(rm.name === "cache rm" && rm.variadic === true);
 * ```
 */
export const rm: Command = {
  name: "cache rm",
  positionals: ["URI"],
  required: 1,
  variadic: true,
  usage: "URI...",
  description:
    `Deletes the cached copy of each URI (the store is not touched).\n${ENTRY_URI_HELP}\n${SEVERAL_HELP}`,
  options: CACHE_OPTIONS,
  examples: [
    "vc cache rm s3://my-bucket/data/train.csv",
    "vc cache rm s3://my-bucket/a.csv s3://my-bucket/b.csv",
  ],
  run: (ctx) =>
    forEachUri(ctx, "removed", async (cache, uri, shown) => {
      const removed = await cache.delete(uri);
      return {
        done: removed,
        text: removed
          ? `removed ${shown}`
          : `${shown} was not cached${await elsewhere(cache, uri, ctx.io.cwd, "rm")}`,
      };
    }),
};

/**
 * Runs `act` on each URI of `rm` / `invalidate`, as `rm a b c` does: every
 * URI is attempted, a failed one gets a line on stderr and makes the exit
 * code 1. The arguments are all checked first, so a typo touches nothing
 * (exit 2). With `--json`, one URI prints its object (as before several
 * were taken) and several an array of them, a failed one as
 * `{"uri", "error", "errorName"}` like `vc prefill --json`'s failures.
 * `act` gets the argument as `shown` in its text line: a cached copy's
 * path with the URI it is a copy of.
 */
async function forEachUri(
  ctx: CommandContext,
  key: "removed" | "invalidated",
  act: (
    cache: AssetCache,
    uri: string,
    shown: string,
  ) => Promise<{ done: boolean; text: string }>,
): Promise<number> {
  const uris = ctx.args.map(uriArg);
  const settings = cliSettings(ctx);
  missingCacheDirNote(ctx, settings);
  await using cache = disposable(openAssetCache(ctx, settings));
  // `"uri"` is the argument as given, which scripts match results to; a
  // path's result adds the URI of the entry it names (`null`: none), which
  // it said nothing of.
  const one = async (uri: string) => {
    const resolved = parseUri(uri).scheme === "local"
      ? (await cache.value.ls({ uri }))[0]?.uri ?? null
      : undefined;
    const shown = typeof resolved === "string"
      ? `${visibleEnds(uri)} (the copy of ${visibleEnds(resolved)})`
      : visibleEnds(uri);
    const { done, text } = await act(cache.value, uri, shown);
    const doc = resolved === undefined
      ? { uri, [key]: done }
      : { uri, resolvedUri: resolved, [key]: done };
    return { doc, text };
  };
  if (uris.length === 1) {
    const { doc, text } = await one(uris[0]!);
    await ctx.out.status(doc, text);
    return 0;
  }
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const failures: string[] = [];
  const verb = key === "removed" ? "rm" : "invalidate";
  // A thousand URIs (`vc cache rm $(cat list)`) take seconds: a bar of them.
  using bar = ctx.out.progress(verb);
  // Of the URIs attempted, those it removed (or invalidated): not all were cached.
  let changed = 0;
  let stopped = false;
  for (const uri of uris) {
    // Ctrl-C stops between two URIs: those done stay done, and are said.
    if (ctx.io.signal?.aborted) {
      stopped = true;
      break;
    }
    bar.onItems({
      done: results.length,
      total: uris.length,
      failed: failures.length,
      current: visibleEnds(uri),
    });
    try {
      const { doc, text } = await one(uri);
      results.push(doc);
      lines.push(text);
      if (doc[key] === true) changed++;
    } catch (error) {
      if (isAbort(error)) {
        stopped = true;
        break;
      }
      const message = errorMessage(error);
      results.push({ uri, error: message, errorName: errorKind(error) });
      const shown = visibleEnds(uri);
      failures.push(`vc: ${message.includes(shown) ? "" : `${shown}: `}${message}`);
    }
  }
  bar.onItems({ done: results.length, total: uris.length, failed: failures.length });
  bar.done();
  const attempted = results.length;
  if (stopped) {
    // The rest (the one in flight included: its removal was cut short or
    // not begun) listed as not attempted, so a script knows what to retry.
    for (const uri of uris.slice(attempted)) {
      results.push({ uri, [key]: false, interrupted: true });
    }
  }
  // stdout gone (a reader that went away): stderr still says it below.
  await ctx.out.status(results, lines).catch((error) => {
    if (!stopped) throw error;
  });
  writeFailureLines(ctx.io, failures);
  if (stopped) {
    const rest = uris.length - attempted;
    ctx.out.failure(
      `cache ${verb} interrupted: ${key} ${changed} of ${counted(uris.length, "URI")} before it ` +
        `stopped${failures.length === 0 ? "" : ` (${counted(failures.length, "failure")})`}; ` +
        `the other ${rest} ${rest === 1 ? "was" : "were"} not attempted`,
    );
    return EXIT_INTERRUPTED;
  }
  return failures.length === 0 ? 0 : EXIT_FAILURE;
}

/**
 * `vc cache prune [--max-size SIZE] [--older-than DURATION]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prune } from "./cache_commands.ts";
 * assert(prune.options["max-size"]?.valueName === "SIZE");
 * ```
 */
export const prune: Command = {
  name: "cache prune",
  positionals: [],
  required: 0,
  usage: "[--max-size SIZE] [--older-than DURATION] [--dry-run]",
  // `vc cache prune 10GB`, `vc cache prune 30d`: the flag each goes with.
  extraHint: (extra) => {
    const reads = (parse: (word: string) => unknown, word: string) => {
      try {
        parse(word);
        return true;
      } catch {
        return false;
      }
    };
    const flags = extra.map((word) =>
      reads(parseDuration, word)
        ? `--older-than ${shellWord(word)}`
        : reads(parseSize, word)
        ? `--max-size ${shellWord(word)}`
        : undefined
    );
    return flags.includes(undefined)
      ? undefined
      : `did you mean \`vc cache prune ${flags.join(" ")}\`?`;
  },
  description: [
    "Deletes cached files not used for longer than --older-than, then the least recently",
    "used ones until the cache is at most --max-size. Give at least one of the two.",
    "A file in use (being downloaded, or used since the listing) is kept and the next",
    "least recently used one goes instead; a warning says when the cache stays above.",
    "Sizes: 500MB, 10GB, 2GiB, 1PB (kB/MB/GB/TB/PB are powers of 1000, KiB…PiB of 1024).",
    "Durations: 45s, 15m, 12h, 30d, 2w. --dry-run lists what would be deleted.",
    "Also deletes what interrupted runs left: temp files of dead processes, and data",
    "files without a record (a write that failed, e.g. on a full disk).",
  ].join("\n"),
  options: {
    "max-size": { type: "string", valueName: "SIZE", description: "keep at most this much" },
    "older-than": {
      type: "string",
      valueName: "DURATION",
      description: "delete files not used for this long",
    },
    "dry-run": { type: "boolean", description: "list what would be deleted, delete nothing" },
    ...CACHE_OPTIONS,
  },
  examples: [
    "vc cache prune --max-size 10GB",
    "vc cache prune --older-than 30d",
    "vc cache prune --max-size 10GB --dry-run",
    "vc cache prune --max-size 50GiB --older-than 2w --json",
  ],
  async run(ctx) {
    const maxSize = ctx.flags.string("max-size");
    const olderThan = ctx.flags.string("older-than");
    if (maxSize === undefined && olderThan === undefined) {
      throw new UsageError("cache prune: give --max-size, --older-than, or both", {
        command: "cache prune",
      });
    }
    const options: { maxBytes?: number; olderThan?: number; dryRun?: boolean } = {};
    const dryRun = ctx.flags.boolean("dry-run");
    if (dryRun) options.dryRun = true;
    if (maxSize !== undefined) options.maxBytes = parseSize(maxSize, "--max-size");
    if (olderThan !== undefined) {
      options.olderThan = parseDuration(olderThan, "--older-than") / 1000; // the cache counts seconds
    }
    const settings = cliSettings(ctx);
    missingCacheDirNote(ctx, settings);
    await using cache = disposable(openAssetCache(ctx, settings));
    using bar = ctx.out.progress(dryRun ? "prune (dry run)" : "prune");
    // What it removed so far: said when Ctrl-C stops it (the rejection has no result).
    const soFar = { removedCount: 0, freedBytes: 0 };
    let r: Awaited<ReturnType<AssetCache["prune"]>>;
    try {
      // Listing a large cache takes a while before the first entry is looked at.
      r = await cache.value.prune({
        ...options,
        onListProgress: (done) => bar.onStep({ current: "listing", done }),
        onProgress: ({ done, total, removed, freedBytes }) => {
          soFar.removedCount = removed ?? soFar.removedCount;
          soFar.freedBytes = freedBytes ?? soFar.freedBytes;
          bar.onStep({ current: "pruning", done, total });
        },
        ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
      });
    } catch (error) {
      if (!isAbort(error)) throw error;
      bar.done();
      return await pruneInterrupted(ctx, soFar, dryRun);
    }
    bar.done();
    const n = r.removed.length;
    const orphans = r.orphans.length;
    const verb = dryRun ? "would remove" : "removed";
    await ctx.out.status(
      r,
      [
        ...r.removed.map((e) => `${verb} ${visibleEnds(e.uri)}`),
        ...(r.kept ?? []).map((e) =>
          `kept ${e.uri}: in use (used, refreshed or being downloaded since it was listed${
            fsPlatform.mandatoryLocks ? ", or open in another program" : ""
          })`
        ),
        ...r.orphans.map((p) => `${verb} ${p} (data without a readable record)`),
        ...(r.links ?? []).map(linkNotFollowed),
        ...(r.journalDirs ?? []).map(journalIsDirectory),
        ...(r.recordDirFiles ?? []).map(fileWhereRecordsBelong),
        ...deadRecordsLine(r.deadRecords, dryRun),
        // What downloads left (a partial kept to resume one: gigabytes) is
        // freed too: "freed 0 B" for it hid where the room came from.
        `${verb} ${counted(n, "file")}${
          r.leftovers === undefined
            ? ""
            : ` and ${counted(r.leftovers.files, "leftover download file")}`
        }, ${dryRun ? "would free" : "freed"} ${
          formatBytes(r.freedBytes + (r.leftovers?.bytes ?? 0))
        }${
          orphans === 0
            ? ""
            : `; ${dryRun ? "would also remove" : "also removed"} ${
              counted(orphans, "file")
            } without a readable record`
        }`,
      ],
    );
    if (r.remainingBytes !== undefined) {
      const k = r.kept?.length ?? 0;
      ctx.out.warn(
        `the cache still holds ${
          formatBytes(r.remainingBytes)
        }, more than --max-size ${maxSize}: ` +
          `nothing else can be removed (${k} file${k === 1 ? " is" : "s are"} in use and ` +
          `${k === 1 ? "was" : "were"} kept); run prune again once ${
            k === 1 ? "it is" : "they are"
          } no longer in use`,
      );
    }
    return 0;
  },
};

/**
 * `vc cache prune` stopped by Ctrl-C or SIGTERM: what it removed before (that
 * stays removed, the rest cached), as its last line (also with --quiet) and,
 * with --json, as the document on stdout (`interrupted: true`); exit 130.
 */
async function pruneInterrupted(
  ctx: CommandContext,
  soFar: { removedCount: number; freedBytes: number },
  dryRun: boolean,
): Promise<number> {
  await ctx.out.interrupted(
    { dryRun, ...soFar },
    dryRun
      ? "cache prune interrupted (dry run: nothing was removed)"
      : `cache prune interrupted: removed ${counted(soFar.removedCount, "file")}, freed ${
        formatBytes(soFar.freedBytes)
      } before it stopped; the rest stays cached (vc cache prune run again goes on)`,
  );
  return EXIT_INTERRUPTED;
}

/**
 * `vc cache verify`: exit 1 when a cached file is corrupt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verify } from "./cache_commands.ts";
 * assert(verify.name === "cache verify");
 * ```
 */
export const verify: Command = {
  name: "cache verify",
  positionals: [],
  required: 0,
  usage: "",
  description:
    "Re-hashes every cached file and compares it with the checksum recorded at download.\nCorrupt copies are removed (the next use downloads them again) and listed; exit 1 if any,\nor if a copy could not be read (another user's file in a shared cache dir).",
  options: CACHE_OPTIONS,
  examples: ["vc cache verify", "vc cache verify --json"],
  async run(ctx) {
    const settings = cliSettings(ctx);
    missingCacheDirNote(ctx, settings);
    await using cache = disposable(openAssetCache(ctx, settings));
    using bar = ctx.out.progress("verify");
    // How far it got: said when Ctrl-C stops it (the rejection has no result).
    const soFar = { done: 0, total: 0, corrupt: 0, removed: 0 };
    // Whether the checks began (before, it was listing the cache).
    let checking = false;
    let r: Awaited<ReturnType<AssetCache["verify"]>>;
    try {
      r = await cache.value.verify({
        // Listing a large cache takes a while before the first copy is read.
        onListProgress: (done) => bar.onStep({ current: "listing", done }),
        // Its percentage by bytes: one large copy takes seconds a GB.
        onProgress: ({ corrupt, removed, ...p }) => {
          checking = true;
          Object.assign(soFar, { done: p.done, total: p.total });
          soFar.corrupt = corrupt ?? soFar.corrupt;
          soFar.removed = removed ?? soFar.removed;
          bar.onStep({ current: "checking", ...p });
        },
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      });
    } catch (error) {
      if (!isAbort(error)) throw error;
      bar.done();
      await ctx.out.interrupted(
        soFar,
        !checking
          ? "cache verify interrupted before it checked a cached file"
          : `cache verify interrupted: checked ${soFar.done} of ${
            counted(soFar.total, "cached file")
          } before it stopped, ${soFar.corrupt} corrupt (removed: ${soFar.removed}); ` +
            "vc cache verify run again checks them all",
      );
      return EXIT_INTERRUPTED;
    }
    bar.done();
    const corrupt = r.corrupt;
    // A copy it could not read was not verified: no all-clear for it.
    const failed = corrupt.length > 0 || r.unreadable !== undefined ||
      r.journalDirs !== undefined || r.recordDirFiles !== undefined;
    await ctx.out.report(
      r,
      [
        `${r.ok} ok, ${corrupt.length} corrupt` +
        (r.unreadable === undefined ? "" : `, ${r.unreadable.length} not checked (unreadable)`),
        // A line each, up to a cap: copies that went bad together (a disk
        // that failed) are thousands.
        ...cappedLines(
          corrupt.map((c) =>
            `corrupt (${c.notRemoved === undefined ? "removed" : "not removed"}): ${c.uri}: ${
              c.problem ?? "does not match"
            }` +
            // Its own reason (a file another program holds open), not the cache dir's said below.
            (c.notRemoved === undefined || c.notRemoved === r.notWritable
              ? ""
              : `; not removed: ${c.notRemoved}`)
          ),
          "corrupt",
        ),
        ...(corrupt.some((c) => c.notRemoved === undefined)
          ? ["the next use of a removed entry downloads it again"]
          : []),
        // A line each, up to a cap: a cache copied without its times
        // (`cp -r`, a restored CI cache) retimes every entry.
        ...cappedLines(
          [...(r.ownedJournals ?? []), ...(r.ownedData ?? [])].map((p) =>
            `repaired ${p}: it had another hard link; it is now the cache's own file (the other name is untouched)`
          ),
          "repaired",
        ),
        ...cappedLines(
          (r.retimed ?? []).map((p) =>
            `${p}: intact, with a new modification time; its record took it (no more checks on use)`
          ),
          "intact with a new modification time",
        ),
        // Every copy of another user's, in a shared cache dir.
        ...cappedLines(
          (r.unreadable ?? []).map((u) => `not checked (unreadable): ${u.uri}: ${u.problem}`),
          "not checked (unreadable)",
        ),
        ...cappedLines(
          (r.orphans ?? []).map((p) => `removed ${p}: data without a readable record`),
          "removed (data without a readable record)",
        ),
        ...(r.links ?? []).map(linkNotFollowed),
        ...(r.journalDirs ?? []).map(journalIsDirectory),
        ...(r.recordDirFiles ?? []).map(fileWhereRecordsBelong),
        ...deadRecordsLine(r.deadRecords, false),
        ...(r.notWritable === undefined ? [] : [
          `the cache dir ${cache.value.dir} is not writable (${r.notWritable}): every copy was ` +
          `checked, nothing was removed or repaired; run verify again where it can write (or ` +
          `\`vc cache rm\` the corrupt ones there)`,
        ]),
      ],
      failed,
    );
    return failed ? EXIT_FAILURE : 0;
  },
};

/**
 * `vc cache dir`: the cache directory (no files touched).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dir } from "./cache_commands.ts";
 * assert(dir.required === 0);
 * ```
 */
export const dir: Command = {
  name: "cache dir",
  positionals: [],
  required: 0,
  usage: "",
  description:
    "Prints the cache directory: --cache-dir, else VC_CACHE_DIR, else the project file's\ncacheDir (vc.json, or a \"vc\" block in deno.json, found walking up from the manifest),\nelse the user config file's, else the platform default (XDG cache dir on Linux).",
  options: CACHE_OPTIONS,
  examples: ["vc cache dir", 'du -sh "$(vc cache dir)"'],
  async run(ctx) {
    const { cacheDir } = cliSettings(ctx);
    await ctx.out.path({ dir: cacheDir }, cacheDir, "the cache dir");
  },
};

/**
 * For a URI this endpoint has no copy of: the endpoints it is cached from
 * (`vc cache ls` lists those copies), so the user learns which
 * AWS_ENDPOINT_URL reaches them instead of taking "not cached" for the truth.
 */
async function elsewhere(
  cache: Pick<AssetCache, "ls">,
  uri: string,
  cwd: string,
  command: "rm" | "invalidate",
): Promise<string> {
  const found = await cachedElsewhere(cache, uri, cwd);
  // A pattern (`s3://b/t/*.csv`, quoted so the shell left it) is taken as
  // the one URI it spells (`*` is a legal key character); "not cached"
  // alone read as "nothing matched" while the cached files stayed.
  if (found === "" && /[*?[]/.test(uri)) {
    return ` (vc cache ${command} takes URIs, not patterns: \`vc cache ls\` lists the cached ones)`;
  }
  return found;
}

async function cachedElsewhere(
  cache: Pick<AssetCache, "ls">,
  uri: string,
  cwd: string,
): Promise<string> {
  let endpoints: string[];
  try {
    const parsed = parseUri(uri);
    // A local file's own path (what `cache get file:///…` was given, as a
    // path) is no copy and is never acted on; "not cached" alone hid that
    // its file is: name the URI to give instead.
    if (parsed.scheme === "local") {
      const fileUri = toFileUrl(resolve(cwd, parsed.path)).href;
      const cached = (await cache.ls({ uri: fileUri })).find((e) => e.uri === fileUri);
      return cached === undefined
        ? ""
        : ` as given (a local path is never touched; its file is cached as ${
          visibleEnds(fileUri)
        }: give that URI)`;
    }
    if (parsed.scheme !== "s3") return "";
    // Its own directory of the cache only: a hint never lists the whole cache.
    endpoints = (await cache.ls({ uri })).map((e) => e.endpoint ?? "-");
  } catch {
    return ""; // only a hint
  }
  if (endpoints.length === 0) return "";
  return ` from this endpoint (it is cached from the endpoint ${
    endpoints.join(", ")
  }: set AWS_ENDPOINT_URL to it to reach that copy)`;
}

/**
 * The check every command that reads the cache makes first: a cache dir that
 * does not exist is said on stderr (human output only: `--json` keeps its
 * document, `-q` its silence), naming the directory and the setting it came
 * from (`env VC_CACHE_DIR`, `flag --cache-dir`, a config file, `default`),
 * as a lock file that does not exist is named. A mistyped `VC_CACHE_DIR`
 * otherwise looked like an empty cache: `verify` said `0 ok, 0 corrupt`.
 * Not an error (exit codes stay): a fresh machine has no cache dir yet.
 * Returns whether it was missing. Takes the settings the command opens its
 * cache with: resolved twice, a project file's warning was said twice.
 */
function missingCacheDirNote(
  ctx: CommandContext,
  { cacheDir, sources }: Pick<Settings, "cacheDir" | "sources">,
): boolean {
  if (!manifestMissing(cacheDir)) return false;
  ctx.out.info(
    `vc: the cache dir ${cacheDir} (${sources.cacheDir}) does not exist: nothing is cached there`,
  );
  return true;
}

function date(value: Date | number | string | undefined): string {
  if (value === undefined) return "-";
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? "-" : d.toISOString().replace(/\.\d+Z$/, "Z");
}

function disposable<T extends { close(): Promise<void> }>(
  value: T,
): AsyncDisposable & { value: T } {
  return { value, [Symbol.asyncDispose]: () => value.close() };
}

/**
 * The line `prune` and `verify` print for records whose data file was gone
 * (deleted by hand, or a directory in its place), that were unreadable or
 * named another URI than their entry's (damaged, or forged), dropped (or,
 * with `--dry-run`, to drop); none when there were none.
 */
function deadRecordsLine(count: number | undefined, dryRun: boolean): string[] {
  if (count === undefined || count === 0) return [];
  return [
    `${dryRun ? "would drop" : "dropped"} ${
      counted(count, "record")
    } whose data was gone (deleted by hand, or a directory in its place), unreadable, or ` +
    `naming another URI than their entry's (damaged)`,
  ];
}

/** The line for a directory that maintenance found where a record journal belongs. */
function journalIsDirectory(path: string): string {
  let kind = "a directory";
  try {
    kind = fileKind(Deno.lstatSync(path));
  } catch {
    // Gone since: named as found.
  }
  return `damaged: ${path} is ${kind} where a record journal belongs, so the entries of its ` +
    `directory cannot be cached. Remove it (its entries are downloaded again)`;
}

/** The line for a file that maintenance found where the records of a data directory belong. */
function fileWhereRecordsBelong(path: string): string {
  return `damaged: ${path} is a file where a directory of the cache's records belongs, so the ` +
    `entries below it cannot be cached. Remove it (they are downloaded again)`;
}

/** The line for a symbolic link that maintenance found inside the cache dir and did not follow. */
function linkNotFollowed(link: string): string {
  return `not followed: ${link} is a symbolic link inside the cache dir (vc never creates one; ` +
    `records behind it were not read, so their data counts as without a record). Remove the link`;
}
