/**
 * The versioned-asset commands: `add`, `update`, `path`, `cat`, `get`,
 * `versions`, `ls`, `ls-remote`, `path-remote`, `sync`, `verify`. Each one is
 * argument handling and printing around one `VersionedCache` call.
 *
 * @module
 */
import { counted } from "../counted.ts";
import { basename, fromFileUrl, isAbsolute, join, relative } from "../path.ts";
import type { Bump } from "../versioned/version_bump.ts";
import {
  classifyValue,
  manifestAbove,
  readManifest,
  withPinBucket,
} from "../versioned/manifest.ts";
import { isStoreUri, joinUri } from "../uri.ts";
import {
  normalizeVersionedPath,
  parseVersionedKey,
  suffixedVersionKey,
} from "../versioned/naming.ts";
import { assertVersion, isVersion } from "../versioned/version.ts";
import { SyncInterruptedError } from "../versioned/sync_interrupted.ts";
import type { VersionedListOptions, VersionedSyncReport } from "../versioned/versioned_cache.ts";
import type { Command, CommandContext } from "./command.ts";
import {
  errorMessage,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  flagValue,
  UsageError,
  withFlagNames,
} from "./errors.ts";
import { refuseShellConvertedPath } from "./msys_path.ts";
import { errorKind, InvalidInputError } from "../errors.ts";
import { printable } from "../printable.ts";
import { shellWord } from "../shell_word.ts";
import { redactUrl } from "../redact.ts";
import { refuseSpecialDest } from "./special_dest.ts";
import { table } from "./output.ts";
import { runSummaryLine } from "./run_summary.ts";
import { VERSIONED_OPTIONS, versionedSettings } from "./settings.ts";
import { unusedBy } from "./options.ts";
import { openVersioned, type VersionedSession } from "./versioned_session.ts";
import { keptPartialSaid } from "./kept_partial.ts";
import { compareUtf8 } from "../utf8.ts";
import { copyLocalOut, type RawContent, writeLocalOut } from "./write_out.ts";
import { offlineStaleNote, staleFields } from "./stale_fields.ts";
import type { StaleCopy } from "../cache/cache_options.ts";
import { escapedUnicode, otherSpellings, spellingDifference } from "../unicode_spelling.ts";
import { localPathArg, uploadFileArg } from "./local_path.ts";
import { refuseSwappedPathAndFile } from "./swapped_arguments.ts";
import { manifestPathsShown } from "./manifest_twins.ts";
import { cappedWarnings, writeFailureLines } from "./failure_lines.ts";
import { checkProgress, hashProgress, listingProgress, uploadProgress } from "./upload_progress.ts";

// The argument words of a page's usage line, each explained only where it is
// one (`vc versions` takes no VERSION; `add` and `update` call theirs V).
const PATH_HELP = "PATH is the asset's name in the manifest, e.g. /foo/bar.csv.";
const PATH_VERSION_HELP =
  "PATH is the asset's name in the manifest, e.g. /foo/bar.csv; VERSION is MAJOR.MINOR.PATCH " +
  "or a pre-release of one, e.g. 2.0.0-rc.1.";

// The flags of every manifest command that a listing reads none of: it
// downloads no version, so the lock file is not read. `--cache-dir` is kept:
// every manifest command resolves the cache dir, whose default needs HOME
// ("HOME is not set … or pass --cache-dir").
const { lock: lockOption, frozen: frozenOption, ...LISTING_READS } = VERSIONED_OPTIONS;
const LISTING_OPTIONS = {
  ...LISTING_READS,
  ...unusedBy(
    { lock: lockOption!, frozen: frozenOption! },
    "it lists versions and downloads none, so it reads no lock file",
  ),
};

/**
 * `vc add PATH FILE [--version V]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { add } from "./versioned_commands.ts";
 * assert(add.name === "add" && add.required === 2);
 * ```
 */
export const add: Command = {
  name: "add",
  positionals: ["PATH", "FILE"],
  required: 2,
  usage: "PATH FILE [--version V]",
  description:
    `Uploads FILE as the first version of PATH (create-only: an existing object is never\noverwritten) and pins it in the manifest, which is created if missing.\n${PATH_HELP}`,
  options: {
    version: {
      type: "string",
      valueName: "V",
      description: "first version (default 1.0.0; a pre-release too: 2.0.0-rc.1)",
    },
    ...VERSIONED_OPTIONS,
  },
  examples: [
    "vc add /foo/bar.csv ~/Desktop/bar.csv --bucket s3://my-assets",
    "vc add /models/net.onnx net.onnx --version 0.1.0 --bucket file:///srv/assets",
  ],
  async run(ctx) {
    const [path, file] = ctx.args as [string, string];
    await refuseSwappedPathAndFile("add", ctx.io.cwd, path, file);
    checkedPath(path);
    const version = checkedVersion(ctx.flags.string("version"), "--version");
    const source = uploadFileArg(ctx.io.cwd, file, "add");
    await using s = openVersioned(ctx, "add");
    // Run in a subdirectory of a project, the default manifest would be a
    // second one beside the project's: said before anything is published. So
    // would a relative --manifest / VC_MANIFEST with a directory in it
    // (`config/assets.json`), typed as if from the project's root; a bare
    // name given explicitly is a deliberate choice.
    const typed = typedRelativeManifest(ctx, s.manifestSource, s.vc.manifest);
    const above = s.manifestSource === "default"
      ? await manifestAbove(s.vc.manifest)
      : typed === undefined
      ? undefined
      : await manifestAbove(s.vc.manifest, typed.relative);
    if (above !== undefined) {
      ctx.out.warn(
        `starting a new manifest ${s.vc.manifest}${
          typed === undefined ? "" : ` (${typed.name} is relative to the current directory)`
        }; the nearest one above it is ${above} (pass --manifest ${
          shellWord(above)
        } to add to that one)`,
      );
    }
    using bar = ctx.out.progress(`upload ${path}`);
    const published = await s.vc.add(path, source, {
      ...(version === undefined ? {} : { version }),
      onProgress: uploadProgress(bar),
      onHashProgress: hashProgress(bar),
      onCheckProgress: checkProgress(bar),
      onListProgress: listingProgress(bar),
      onWarning: (w) => ctx.out.warn(withFlagNames(w.message), w.kind),
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    });
    bar.done();
    const uri = await s.vc.uri(path, published);
    await ctx.out.status(
      { path: normalized(path), version: published, uri, manifest: s.vc.manifest },
      `added ${normalized(path)} ${published} (${uri}) to ${s.vc.manifest}`,
    );
  },
};

/**
 * `vc update PATH FILE --major|--minor|--patch|--version V|--min-version V`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { update } from "./versioned_commands.ts";
 * assert(update.options.patch?.type === "boolean");
 * ```
 */
export const update: Command = {
  name: "update",
  positionals: ["PATH", "FILE"],
  required: 2,
  usage: "PATH FILE --major|--minor|--patch|--version V|--min-version V",
  description:
    `Uploads FILE as the next version of PATH and pins it in the manifest. The latest\nrelease is read from the bucket, so a stale manifest cannot cause an overwrite; a bump\nnever gives a pre-release (--version 2.0.0-rc.1 publishes one). Choose exactly one of\nthe version flags.\n${PATH_HELP}`,
  options: {
    major: { type: "boolean", description: "bump MAJOR (1.2.5 -> 2.0.0)" },
    minor: { type: "boolean", description: "bump MINOR (1.2.5 -> 1.3.0)" },
    patch: { type: "boolean", description: "bump PATCH (1.2.5 -> 1.2.6)" },
    version: {
      type: "string",
      valueName: "V",
      description: "publish exactly version V (a pre-release too: 2.0.0-rc.1)",
    },
    "min-version": {
      type: "string",
      valueName: "V",
      description: "publish at least V (e.g. 2 or 1.3), else a patch bump",
    },
    force: {
      type: "boolean",
      description: "publish even when FILE is identical to the latest version",
    },
    ...VERSIONED_OPTIONS,
  },
  examples: [
    "vc update --minor /foo/bar.csv ~/Desktop/new_bar.csv",
    "vc update --patch /foo/bar.csv bar.csv",
    "vc update --min-version 2 /foo/bar.csv bar.csv   # 1.4.1 -> 2.0.0, 2.3.0 -> 2.3.1",
  ],
  async run(ctx) {
    const [path, file] = ctx.args as [string, string];
    await refuseSwappedPathAndFile("update", ctx.io.cwd, path, file);
    checkedPath(path);
    const bump = bumpFrom(ctx);
    checkedVersion(bump.version, "--version");
    if (bump.minVersion !== undefined) {
      // Loaded here, as the library does: only publishing needs the bump rules.
      const { minVersionFloor } = await import("../versioned/version_bump.ts");
      flagValue("--min-version", () => minVersionFloor(bump.minVersion!));
    }
    const source = uploadFileArg(ctx.io.cwd, file, "update");
    await using s = openVersioned(ctx, "update");
    using bar = ctx.out.progress(`upload ${path}`);
    const r = await s.vc.update(path, source, bump, {
      onProgress: uploadProgress(bar),
      onHashProgress: hashProgress(bar),
      onCheckProgress: checkProgress(bar),
      onListProgress: listingProgress(bar),
      force: ctx.flags.boolean("force"),
      onWarning: (w) => ctx.out.warn(withFlagNames(w.message), w.kind),
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    });
    bar.done();
    const uri = await s.vc.uri(r.path, r.to);
    // The bump starts from the bucket's latest: say so when the manifest pinned something else.
    const before = r.pinned === undefined
      ? ""
      : `; the manifest pinned ${r.pinned}, the bucket's latest was ${r.from}`;
    await ctx.out.status(
      {
        path: r.path,
        from: r.from,
        to: r.to,
        ...(r.pinned === undefined ? {} : { pinned: r.pinned }),
        ...(r.adopted ? { adopted: true } : {}),
        uri,
        manifest: s.vc.manifest,
      },
      r.adopted
        ? `pinned ${r.path} ${r.to} (${uri}) in ${s.vc.manifest}: the bucket's latest version ` +
          `already holds ${source}, nothing was uploaded${
            r.pinned === undefined ? "" : ` (the manifest pinned ${r.pinned})`
          }`
        : `updated ${r.path} ${r.from} -> ${r.to} (${uri}) in ${s.vc.manifest}${before}`,
    );
  },
};

function bumpFrom(ctx: CommandContext): Bump {
  const { flags } = ctx;
  const chosen: Bump[] = [];
  if (flags.boolean("major")) chosen.push({ major: true });
  if (flags.boolean("minor")) chosen.push({ minor: true });
  if (flags.boolean("patch")) chosen.push({ patch: true });
  const version = flags.string("version");
  if (version !== undefined) chosen.push({ version });
  const minVersion = flags.string("min-version");
  if (minVersion !== undefined) chosen.push({ minVersion });
  if (chosen.length !== 1) {
    throw new UsageError(
      chosen.length === 0
        ? "update: say how to bump the version"
        : `update: only one of --major, --minor, --patch, --version, --min-version may be given ` +
          `(${chosen.length} were)`,
      {
        hint: chosen.length === 0
          ? "use exactly one of --major, --minor, --patch, --version V, --min-version V"
          : "e.g. vc update /data/table.csv table.csv --minor",
        command: "update",
      },
    );
  }
  return chosen[0]!;
}

/**
 * `vc path PATH [VERSION]`: the local path, downloading when needed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { path } from "./versioned_commands.ts";
 * assert(path.positionals.join() === "PATH,VERSION");
 * ```
 */
export const path: Command = {
  name: "path",
  positionals: ["PATH", "VERSION"],
  required: 1,
  usage: "PATH [VERSION]",
  description:
    `Prints the local path of PATH at the manifest's version (or VERSION), downloading it\ninto the cache first when needed. ${PATH_VERSION_HELP}`,
  options: VERSIONED_OPTIONS,
  examples: [
    "vc path /foo/bar.csv",
    "vc path /foo/bar.csv 1.2.0",
    'python train.py --data "$(vc path /foo/bar.csv)"',
  ],
  async run(ctx) {
    const [p, version] = checkedArgs(ctx, (uri) => `vc cache get ${uri}`);
    await using s = openVersioned(ctx, "path");
    const { local, version: read, stale } = await localCopy(ctx, s, "path", p, version);
    await ctx.out.path(
      { path: normalized(p), ...(read ? { version: read } : {}), local, ...staleFields(stale) },
      local,
      `the local path of ${normalized(p)}`,
    );
  },
};

/**
 * `vc cat PATH [VERSION]`: the content on stdout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cat } from "./versioned_commands.ts";
 * assert(cat.required === 1);
 * ```
 */
export const cat: Command = {
  name: "cat",
  positionals: ["PATH", "VERSION"],
  required: 1,
  usage: "PATH [VERSION]",
  description: `Writes the content of PATH (via the cache) to stdout. ${PATH_VERSION_HELP}`,
  options: VERSIONED_OPTIONS,
  examples: ["vc cat /foo/bar.csv | head", "vc cat /foo/bar.csv 1.0.0 > old.csv"],
  async run(ctx) {
    const [p, version] = checkedArgs(ctx, (uri) => `cat "$(vc cache get ${uri})"`);
    ctx.out.rawContent("cat", RAW_JSON_INSTEAD);
    await using s = openVersioned(ctx, "cat");
    const { local } = await localCopy(ctx, s, "cat", p, version);
    await writeLocalOut(ctx, local, `cat ${normalized(p)}`, rawContent("cat", p, version));
  },
};

// `vc cat` / `vc get PATH -` content, refused on a terminal when binary.
function rawContent(command: string, p: string, version: string | undefined): RawContent {
  const path = normalized(p);
  return {
    what: path,
    toFile: `vc get ${shellWord(path)}${version === undefined ? "" : ` ${version}`} FILE`,
    command,
  };
}

// What `--json` users of `vc cat` / `vc get PATH -` want instead.
const RAW_JSON_INSTEAD =
  "drop --json for the content, or use `vc path PATH --json` (the cached copy's path) or `vc get PATH DEST --json`";

/**
 * `vc get PATH [VERSION] DEST`: a copy at DEST.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { get } from "./versioned_commands.ts";
 * assert(get.required === 2 && get.positionals.length === 3);
 * ```
 */
export const get: Command = {
  name: "get",
  // Required ones first (for "missing DEST"); the usage line shows the real order.
  positionals: ["PATH", "DEST", "VERSION"],
  required: 2,
  usage: "PATH [VERSION] DEST",
  description:
    `Copies PATH (via the cache) to DEST; when DEST is a directory the file keeps its name;\nDEST - writes it to stdout (as \`vc cat\`). The copy appears atomically. ${PATH_VERSION_HELP}`,
  options: VERSIONED_OPTIONS,
  examples: [
    "vc get /foo/bar.csv ./data/",
    "vc get /foo/bar.csv 1.2.0 bar-1.2.0.csv",
    "vc get /foo/bar.csv - | head",
  ],
  async run(ctx) {
    const to = ctx.args[ctx.args.length - 1]!;
    const p = checkedPath(
      ctx.args[0]!,
      (uri) =>
        to === "-"
          ? `cat "$(vc cache get ${uri})"`
          : `cp "$(vc cache get ${uri})" ${shellWord(to)}`,
    );
    const [version, destArg] = ctx.args.length === 3
      ? [checkedReadVersion(ctx, p, ctx.args[1]), ctx.args[2]!]
      : [undefined, ctx.args[1]!];
    // `vc get PATH 1.2.5` (as `vc path PATH VERSION`; a pre-release,
    // `2.0.0-rc.1`, too): DEST forgotten, not a file to be named `1.2.5`;
    // `./1.2.5` names one.
    if (ctx.args.length === 2 && (/^\d+\.\d+\.\d+$/.test(destArg) || isVersion(destArg))) {
      throw new UsageError(`get: missing DEST (${destArg} reads as VERSION)`, {
        hint: `vc get ${shellWord(ctx.args[0]!)} ${destArg} DEST; ./${destArg} for a file so named`,
        command: "get",
      });
    }
    // "-" is stdout, as in `vc cache-client get`: not a file named "-".
    if (destArg === "-") {
      ctx.out.rawContent("get", RAW_JSON_INSTEAD);
      await using s = openVersioned(ctx, "get");
      const { local } = await localCopy(ctx, s, "get", p, version);
      await writeLocalOut(ctx, local, `copy ${normalized(p)}`, rawContent("get", p, version));
      return;
    }
    // Checked before the download, which a URI here would only waste.
    let dest = localPathArg(ctx.io.cwd, destArg, "DEST");
    await using s = openVersioned(ctx, "get");
    const info = await Deno.stat(dest).catch(() => undefined);
    // "out/" names a directory even before it exists.
    if (info?.isDirectory || /[\\/]$/.test(destArg)) {
      // The asset's file name is no file name on Windows when it is `nul.csv`,
      // `CON` or `a:b.csv` (a device, a stream of `a`): refused there, as
      // `vc sync` and `vc repo get --to DIR` refuse it, before the download,
      // instead of "copying" to where no file is.
      const name = basename(normalized(p));
      const { localPathProblem } = await import("../file_names.ts");
      const why = localPathProblem(name);
      if (why !== undefined) {
        throw new InvalidInputError(
          `cannot write ${normalized(p)} into ${dest}: its ${why}; give DEST as a file`,
        );
      }
      dest = join(dest, name);
    }
    // A DEST that is a symbolic link is written through, as `curl -o` and
    // `vc cache-client get` do: the copy's rename would replace the link and
    // leave its target, which others read, as it was. The checks below are
    // of the file really written.
    await refuseSpecialDest(dest, `vc get ${shellWord(normalized(p))} -`);
    const { linkTarget } = await import("../link_target.ts");
    const target = await linkTarget(dest, "DEST");
    await refuseInsideCache(target, s.cache.dir);
    await refuseInsideBucket(target, s.vc.bucket);
    // Replaced by the asset's bytes, the manifest or lock file would lose its pins.
    const { ownFileAt } = await import("../versioned/helpers.ts");
    const { ownFiles } = await import("../versioned/versioned_cache.ts");
    const own = await ownFileAt(target, ownFiles(s.vc));
    if (own !== undefined) {
      throw new UsageError(`DEST ${dest} is ${own}: copy ${normalized(p)} somewhere else`);
    }
    const { local, version: read, stale } = await localCopy(ctx, s, "get", p, version);
    await copyLocalOut(ctx, local, target, `copy ${normalized(p)}`);
    await ctx.out.status(
      { path: normalized(p), ...(read ? { version: read } : {}), dest, ...staleFields(stale) },
      `copied ${normalized(p)}${version ? ` ${version}` : ""} to ${dest}`,
    );
  },
};

/**
 * `vc versions PATH`: every version in the bucket.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { versions } from "./versioned_commands.ts";
 * assert(versions.required === 1);
 * ```
 */
export const versions: Command = {
  name: "versions",
  positionals: ["PATH"],
  required: 1,
  usage: "PATH",
  description:
    `Lists every version of PATH in the bucket, lowest first, in semver order (a pre-release below its release: 2.0.0-rc.1 < 2.0.0), not the order they were published in. ${PATH_HELP}`,
  options: LISTING_OPTIONS,
  examples: ["vc versions /foo/bar.csv", "vc versions /foo/bar.csv --json | jq -r '.versions[-1]'"],
  async run(ctx) {
    const p = checkedPath(ctx.args[0]!);
    await using s = openVersioned(ctx, "versions");
    const list = await listed(ctx, `versions ${normalized(p)}`, (o) => s.vc.versions(p, o));
    // Empty output with exit 0 reads as "found, nothing to show"; a mistyped
    // path is the likelier cause, so say so (stderr: stdout stays a list).
    if (list.length === 0) {
      // The same look in another Unicode spelling (typed on another OS) is
      // the likelier mistake when it has versions: name it (one more LIST).
      let twin = "";
      for (const other of otherSpellings(normalized(p))) {
        const found = await s.vc.versions(other, { signal: ctx.io.signal, onWarning: () => {} });
        if (found.length === 0) continue;
        twin = ` (${escapedUnicode(normalized(p))}), but ${
          escapedUnicode(other)
        }, which looks the same (Unicode ${spellingDifference(normalized(p), other)}), has ${
          counted(found.length, "version", "versions")
        }: use that spelling`;
        break;
      }
      // A bucket key's name where the path goes (copied from `aws s3 ls`):
      // name the path and version it stands for when that path has versions.
      const key = twin === "" ? parseVersionedKey(normalized(p)) : undefined;
      if (key !== undefined) {
        const found = await s.vc.versions(key.path, {
          signal: ctx.io.signal,
          onWarning: () => {},
        });
        if (found.includes(key.version)) {
          twin = `; it names the bucket key of version ${key.version} of ${key.path}: ` +
            `\`vc versions ${shellWord(key.path)}\` lists that path's versions`;
        }
      }
      // A typo of a manifest path: named, as `vc cat`, `vc path` and
      // `vc update` name it. The manifest is optional here (the listing
      // needs none), so one missing or unreadable just names none.
      // Versions in another letter case or another tool's naming (a bucket
      // being migrated to vc) near it: named, with vc's key for each.
      if (twin === "") {
        twin = withFlagNames(await s.vc.noVersionsHint(p, { signal: ctx.io.signal }));
      }
      if (twin === "") {
        twin = "; `vc ls-remote` lists every versioned path";
        const known: string[] = await s.vc.ls().then((rows) => rows.map((r) => r.path), () => []);
        if (!known.includes(normalized(p))) {
          const { didYouMean } = await import("../versioned/helpers.ts");
          twin += didYouMean(normalized(p), known);
        }
      }
      ctx.out.info(`vc: ${normalized(p)} has no versions in ${s.vc.bucket}${twin}`);
    }
    await ctx.out.data({ path: normalized(p), versions: list }, list);
  },
};

/**
 * `vc ls`: the manifest's entries (needs no bucket).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ls } from "./versioned_commands.ts";
 * assert(ls.required === 0);
 * ```
 */
export const ls: Command = {
  name: "ls",
  positionals: [],
  required: 0,
  usage: "",
  description:
    "Lists the manifest's paths with their pinned versions (or overrides, marked as such; in\n--json their rows add `override`, the location vc reads).",
  options: LISTING_OPTIONS,
  examples: ["vc ls", "vc ls --manifest other/versioned_assets.json --json"],
  async run(ctx) {
    // Reads only the manifest, so it works without a bucket configured.
    const { manifest, bucket } = versionedSettings(ctx);
    const entries = await readManifest(manifest).catch((error) => {
      // A build-metadata pin's refusal gives the override's URI when a bucket is set.
      throw bucket === undefined ? error : withPinBucket(error, bucket);
    });
    // `version` is the value as written (an override's too, as it always
    // was); an override's row adds `override`, the location vc reads, so a
    // script tells the two apart without guessing from the value's shape.
    const rows: Array<{ path: string; version: string; override?: string }> = Object.keys(entries)
      .sort(compareUtf8).map((p) => {
        const value = entries[p]!;
        const meaning = classifyValue(value, manifest);
        return meaning.kind === "override"
          ? { path: p, version: value, override: meaning.location }
          : { path: p, version: value };
      });
    // Empty output with exit 0 reads as a listing; say why there is none
    // (stderr: stdout stays a list), as `vc ls-remote` and `vc sync` do.
    if (rows.length === 0) {
      ctx.out.info(
        `vc: manifest ${manifest} has no entries; \`vc add PATH FILE\` publishes a first one`,
      );
    }
    // A hand edit may pin one look twice (add and update refuse that).
    const shown = manifestPathsShown(ctx.out, manifest, rows.map((r) => r.path));
    await ctx.out.data(
      rows,
      table(rows.map((r) => [
        shown(r.path),
        r.override === undefined ? r.version : `${r.version} (override)`,
      ])),
    );
  },
};

/**
 * `vc ls-remote`: every versioned path in the bucket.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lsRemote } from "./versioned_commands.ts";
 * assert(lsRemote.name === "ls-remote");
 * ```
 */
export const lsRemote: Command = {
  name: "ls-remote",
  positionals: [],
  required: 0,
  usage: "",
  description:
    "Lists every versioned path found in the bucket with its versions: the 10 newest, and how\nmany older ones `vc versions PATH` lists (--json: all of them).",
  options: LISTING_OPTIONS,
  examples: ["vc ls-remote --bucket s3://my-assets"],
  async run(ctx) {
    await using s = openVersioned(ctx, "ls-remote");
    // Every key of the bucket: a bucket of millions lists for minutes.
    const rows = await listed(ctx, "ls-remote", (o) => s.vc.lsRemote(o));
    // Empty output with exit 0 reads as "an empty listing"; a mistyped prefix
    // (`s3://b/tema`) or another bucket is the likelier cause, so say so
    // (stderr: stdout stays a list), as `vc versions` does.
    if (rows.length === 0) {
      ctx.out.info(
        `vc: ${s.vc.bucket} holds no versioned assets (keys such as foo/bar.1.0.0.csv)`,
      );
    }
    // Versions of both Unicode spellings of a path would print as two rows
    // that look the same: shown apart, and named, as manifest paths are.
    const shown = manifestPathsShown(ctx.out, s.vc.bucket, rows.map((r) => r.path));
    await ctx.out.data(
      rows,
      table(rows.map((r) => [shown(r.path), newestVersions(r.path, r.versions)])),
    );
  },
};

/**
 * `vc adopt [PATH...]`: keys another tool named as versions copied to vc's keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adopt } from "./versioned_commands.ts";
 * assert(adopt.required === 0 && adopt.variadic === true);
 * ```
 */
export const adopt: Command = {
  name: "adopt",
  positionals: ["PATH"],
  required: 0,
  variadic: true,
  usage: "[PATH...] [--dry-run]",
  description:
    "Copies, in the bucket, each key another tool named as a version of PATH (without PATH:\nof every path the manifest pins a version of) to the key vc reads that version from:\nd/t-1.0.0.csv, d/t_v1.1.0.csv, d/t.csv.1.2.0, d/v1.3.0/t.csv or v1.4.0/d/t.csv (a release\nfolder anywhere above it) to d/t.1.0.0.csv, and so on; also each key in a spelling vc does\nnot read (d/t.v1.4.0.csv, d/t.2.1.0+ci.3.csv, d/t.3.0.0.csv/t.csv). It reads the bucket's\nwhole listing once. A key vc reads is never replaced: a version whose key holds other\nbytes, or that several keys hold with different bytes, is a conflict left for you to\nsettle (exit 1). The manifest is not changed. " +
    PATH_HELP,
  options: {
    "dry-run": { type: "boolean", description: "list the copies it would make, make none" },
    ...LISTING_OPTIONS,
  },
  examples: ["vc adopt --dry-run", "vc adopt", "vc adopt /foo/bar.csv /foo/baz.csv"],
  async run(ctx) {
    const paths = ctx.args.map((a) => checkedPath(a));
    const dryRun = ctx.flags.boolean("dry-run");
    await using s = openVersioned(ctx, "adopt");
    const rows = await (async () => {
      // The bucket's whole listing: minutes of silence for one of millions of keys.
      using bar = ctx.out.progress(dryRun ? "adopt (dry run)" : "adopt");
      const listing = listingProgress(bar);
      return await s.vc.adopt(paths.length === 0 ? undefined : paths, {
        dryRun,
        signal: ctx.io.signal,
        onProgress: (p) => {
          // The listing, then the paths adopted of all.
          if (p.adopted === undefined) listing(p);
          else bar.onStep({ current: "adopting", done: p.adopted, total: p.paths ?? 0 });
        },
      });
    })();
    const found = rows.flatMap((r) => r.versions.map((v) => ({ path: r.path, ...v })));
    const conflicts = found.filter((v) => v.status === "conflict");
    const word = {
      copied: "adopted",
      planned: "would adopt",
      present: "already adopted",
      conflict: "conflict",
    } as const;
    const copied = found.filter((v) => v.status === "copied" || v.status === "planned").length;
    await ctx.out.data(
      rows,
      table(found.map((v) => {
        const copy = printable(`${v.key} -> ${v.vcKey}`);
        return [word[v.status], printable(v.path), v.version, copy];
      })),
    );
    // A version several keys hold is one conflict, named once.
    const said = new Set(conflicts.map((c) => `${c.path} ${c.version}: ${c.problem}`));
    for (const line of said) ctx.io.writeStderr(`vc: conflict: ${printable(line)}\n`);
    const present = found.filter((v) => v.status === "present").length;
    const ofPaths = counted(rows.length, "path", "paths");
    ctx.out.info(
      rows.length === 0
        ? `vc: manifest ${s.vc.manifest} pins no version (name the paths to adopt: vc adopt PATH...)`
        : found.length === 0
        ? `vc: ${s.vc.bucket} holds no keys in another naming of ${ofPaths}`
        : `vc: ${dryRun ? "would adopt" : "adopted"} ${counted(copied, "version", "versions")} ` +
          `of ${ofPaths}${present === 0 ? "" : ` (${present} adopted before)`}${
            said.size === 0 ? "" : `; ${counted(said.size, "conflict", "conflicts")}`
          }${dryRun && copied > 0 ? "; run it without --dry-run to copy them" : ""}`,
    );
    return conflicts.length === 0 ? 0 : EXIT_FAILURE;
  },
};

/** How many versions of a path a row of `vc ls-remote` shows (`--json` has all). */
const LS_REMOTE_VERSIONS = 10;

// The text cell of `vc ls-remote` for `path`: its newest versions and how
// many older ones there are. Every version of a path with hundreds made a
// row of kilobytes, wrapping a terminal into a screenful of numbers.
function newestVersions(path: string, versions: readonly string[]): string {
  if (versions.length <= LS_REMOTE_VERSIONS) return versions.join(", ");
  const older = versions.length - LS_REMOTE_VERSIONS;
  return [
    `${older} older (vc versions ${shellWord(path)})`,
    ...versions.slice(older),
  ].join(", ");
}

/**
 * `vc path-remote PATH [VERSION]`: the store URI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathRemote } from "./versioned_commands.ts";
 * assert(pathRemote.name === "path-remote");
 * ```
 */
export const pathRemote: Command = {
  name: "path-remote",
  positionals: ["PATH", "VERSION"],
  required: 1,
  usage: "PATH [VERSION]",
  description:
    `Prints where PATH at the manifest's version (or VERSION) is stored, without\ndownloading it. ${PATH_VERSION_HELP}`,
  // It prints a URI: the lock is read (--frozen refuses an unlocked version).
  options: VERSIONED_OPTIONS,
  examples: ["vc path-remote /foo/bar.csv", 'aws s3 cp "$(vc path-remote /foo/bar.csv)" .'],
  async run(ctx) {
    const [p, version] = checkedArgs(ctx);
    await using s = openVersioned(ctx, "path-remote");
    const r = await s.vc.resolve(p, version);
    // The object `vc path` reads: a version only a `/` key holds is there.
    const uri = await s.vc.locate(r.path, version, ctx.io.signal ? { signal: ctx.io.signal } : {});
    await ctx.out.data(
      { path: r.path, ...(r.version ? { version: r.version } : {}), uri },
      uri,
    );
  },
};

/**
 * `vc sync [DEST]`: every manifest entry copied into DEST.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sync } from "./versioned_commands.ts";
 * assert(sync.required === 0);
 * ```
 */
export const sync: Command = {
  name: "sync",
  positionals: ["DEST"],
  required: 0,
  usage: "[DEST] [--force] [--dry-run]",
  description:
    "Downloads every manifest entry into the cache and copies it to DEST/<path>\n(default DEST: the current directory). Every entry is attempted; failures are listed\n(--json: `copied`, `unchanged` and `failed`, each failure with its error's message and name); exit 1 if any.\nOther files in DEST (of entries since removed or renamed) are left as they are.\nA file changed in DEST since a sync wrote it (or that none wrote) is not replaced:\nthat entry fails, naming it, unless --force. DEST/.vc-sync.json records what was written:\na file still as recorded, of the bytes pinned now, is left unchanged (not read or copied).\n--dry-run lists what a sync would copy (and download), leave and fail; it changes nothing.",
  options: {
    force: {
      type: "boolean",
      description: "replace files in DEST changed since a sync wrote them, or that none wrote",
    },
    "dry-run": {
      type: "boolean",
      description: "list what would be copied or downloaded; change nothing in DEST or the cache",
    },
    ...VERSIONED_OPTIONS,
  },
  examples: [
    "vc sync ./assets",
    "vc sync /srv/models --manifest deploy/versioned_assets.json",
    "vc sync ./assets --force   # also replace files edited in ./assets",
    "vc sync ./assets --dry-run # what would be copied, changing nothing",
  ],
  async run(ctx) {
    // "-" is stdout for `vc get`; a tree of files cannot go there, and a
    // directory named "-" made without a word is never what was meant.
    if (ctx.args[0] === "-") {
      throw new UsageError(
        "DEST - names standard output, where a tree of files cannot go: name a directory (./- for one named -)",
      );
    }
    const dest = localPathArg(ctx.io.cwd, ctx.args[0] ?? ".", "DEST");
    await using s = openVersioned(ctx, "sync");
    await refuseInsideCache(dest, s.cache.dir);
    await refuseInsideBucket(dest, s.vc.bucket);
    const dryRun = ctx.flags.boolean("dry-run");
    using bar = ctx.out.progress(dryRun ? "sync (dry run)" : "sync");
    let report: VersionedSyncReport;
    let interrupted: SyncInterruptedError | undefined;
    try {
      report = await s.vc.syncSettled(dest, {
        onProgress: bar.onItems,
        force: ctx.flags.boolean("force"),
        ...(dryRun ? { dryRun } : {}),
        onWarning: (w) => ctx.out.warn(withFlagNames(w.message), w.kind),
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      });
    } catch (error) {
      // Ctrl-C, or CI cancelling the job: what DEST holds now is still said
      // below, then the exit is 130.
      if (!(error instanceof SyncInterruptedError)) throw error;
      interrupted = error;
      report = {
        ...error.report,
        unchanged: error.report.unchanged ?? [],
        bytes: error.report.bytes ?? 0,
        seconds: error.report.seconds ?? 0,
      };
    }
    bar.done();
    const { copied, failed } = report;
    // Left as they were: DEST's file still as the last sync wrote it, of the
    // bytes pinned now (absent from a report built by an older caller).
    const unchanged = report.unchanged;
    const failures = failed.map((f) => ({
      path: f.path,
      error: errorMessage(f.error),
      errorName: errorKind(f.error),
    }));
    const shown = manifestPathsShown(ctx.out, s.vc.manifest, [
      ...copied.map((c) => c.path),
      ...failures.map((f) => f.path),
    ]);
    // The failures reach stderr also when stdout cannot be written.
    try {
      await ctx.out.status(
        {
          dest: report.dest,
          total: report.total,
          copied,
          unchanged,
          failed: failures,
          // As a prefill's and a mirror's report say them.
          bytes: report.bytes,
          seconds: report.seconds,
          ...(dryRun ? { dryRun: true } : {}),
          ...(interrupted ? { interrupted: true } : {}),
        },
        report.total === 0 ? "manifest is empty" : [
          ...(copied.length === 0 ? [] : table(
            copied.map((c) =>
              dryRun
                ? [`would copy ${shown(c.path)}`, c.dest + (c.download ? " (download)" : "")]
                : [shown(c.path), c.dest]
            ),
          )),
          ...(unchanged.length === 0 ? [] : [
            `${unchanged.length} unchanged in ${printable(report.dest)} (they hold the pinned ` +
            `bytes already: not copied again; --force copies them anyway)`,
          ]),
          // The run in one line, as a prefill ends; an interrupted sync's
          // last line (stderr) says how far it got instead.
          ...(interrupted ? [] : [
            runSummaryLine(
              dryRun ? "sync (dry run, nothing changed)" : "sync",
              counted(report.total, "manifest entry", "manifest entries"),
              [
                dryRun
                  ? `${copied.length} would be copied (${
                    copied.filter((c) => c.download).length
                  } downloaded first)`
                  : `${copied.length} copied`,
                `${unchanged.length} unchanged`,
                `${failures.length} ${dryRun ? "would fail" : "failed"}`,
              ],
              report.bytes,
              report.seconds,
            ),
          ]),
        ],
      );
    } finally {
      if (failures.length > 0) {
        writeFailureLines(
          ctx.io,
          failures.map((f) =>
            `vc: sync ${dryRun ? "would fail" : "failed"}: ${printable(shown(f.path))}: ${f.error}`
          ),
        );
        if (!interrupted) {
          // Its last line: the retries not shown are counted before it.
          ctx.out.failure(
            `${failures.length} of ${counted(report.total, "manifest entry", "manifest entries")} ${
              dryRun ? "would fail" : "failed"
            }; ${copied.length} ${dryRun ? "would be copied" : "copied"} to ${
              printable(report.dest)
            }${unchanged.length > 0 ? `, ${unchanged.length} unchanged` : ""}`,
          );
        }
      }
      // Its last line, also with --quiet and off a terminal.
      if (interrupted) ctx.out.failure(interrupted.message);
    }
    if (interrupted) return EXIT_INTERRUPTED;
    return failures.length === 0 ? 0 : EXIT_FAILURE;
  },
};

/**
 * A listing of `vc versions` or `vc ls-remote` under a progress bar
 * (`label`) counting the keys listed, with one warning line per odd key,
 * capped: another tool's nightly builds (`x.1.0.0+nightly.20240105.csv`)
 * are hundreds of keys, whose lines would bury the list.
 */
async function listed<T>(
  ctx: CommandContext,
  label: string,
  list: (options: VersionedListOptions) => Promise<T>,
): Promise<T> {
  const warnings = cappedWarnings(ctx.out);
  try {
    using bar = ctx.out.progress(label);
    return await list({
      signal: ctx.io.signal,
      onWarning: (w) => warnings.warn(withFlagNames(w.message)),
      onProgress: listingProgress(bar),
    });
  } finally {
    warnings.finish();
  }
}

/**
 * `vc verify`: every manifest entry checked; exit 1 if any is bad.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verify } from "./versioned_commands.ts";
 * assert(verify.name === "verify");
 * ```
 */
export const verify: Command = {
  name: "verify",
  positionals: [],
  required: 0,
  usage: "",
  description:
    "Checks every manifest entry: the object exists in the bucket, and a cached copy, if\nany, matches it (and its lock entry). Says which entries the lock file pins. Lists every\nproblem; exits 1 if there is one. With --offline, asks no store: checks each cached copy\nagainst the lock file, naming the entries not cached or not the locked content.",
  options: VERSIONED_OPTIONS,
  examples: ["vc verify", "vc verify --json"],
  async run(ctx) {
    await using s = openVersioned(ctx, "verify");
    using bar = ctx.out.progress("verify");
    // Each problem as the command line says it: the library names its
    // options (`the bucket option`), a `vc` user the flags.
    const results = (await s.vc.verify({
      onProgress: bar.onItems,
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    })).map((r) => r.problem === undefined ? r : { ...r, problem: withFlagNames(r.problem) });
    bar.done();
    // Nothing checked is no pass to read silently (a CI run on the wrong,
    // empty file): said on stderr, as `vc sync` says it.
    if (results.length === 0) {
      ctx.out.info(`vc: manifest ${s.vc.manifest} has no entries: nothing to verify`);
    }
    const bad = results.filter((r) => !r.ok);
    const shown = manifestPathsShown(ctx.out, s.vc.manifest, results.map((r) => r.path));
    let written = false;
    try {
      await ctx.out.data(
        // An entry the store failed on carries its message as `error` too,
        // beside `errorName`, as every failure of `--json` does (sync,
        // prefill, lock, mirror): a script reads one field for all.
        results.map((r) => r.errorName === undefined ? r : { ...r, error: r.problem }),
        table(
          results.map((r) => [
            r.ok ? "ok" : "BAD",
            r.locked ? "locked" : "unlocked",
            shown(r.path),
            r.version,
            r.problem ??
              (r.lockChecked === "size"
                ? "size only (not cached; `vc lock --check` compares contents)"
                : r.cached === "ok"
                ? "cached copy has the locked content (offline: the bucket not asked)"
                : ""),
          ]),
        ),
      );
      written = true;
    } finally {
      // Stdout that cannot be written (a full disk) loses the table: the
      // bad entries are named on stderr then.
      if (!written) {
        writeFailureLines(
          ctx.io,
          bad.map((r) =>
            `vc: verify failed: ${printable(`${shown(r.path)}@${r.version}`)}: ${
              printable(r.problem ?? "")
            }`
          ),
        );
      }
      if (bad.length > 0) {
        // Its last line: the retries not shown are counted before it.
        ctx.out.failure(
          `${bad.length} of ${
            counted(results.length, "manifest entry", "manifest entries")
          } failed verification`,
        );
      }
    }
    return bad.length === 0 ? 0 : EXIT_FAILURE;
  },
};

// The local copy of PATH (at VERSION, or the manifest's) and the version it
// holds: VERSION, else the manifest's pin (none for an override), as
// `vc path-remote --json` names it. Both come from one resolution, so a
// `vc update` by another process during the download cannot make the
// version name other bytes than the copy's.
async function localCopy(
  ctx: CommandContext,
  { vc, cache }: Pick<VersionedSession, "vc" | "cache">,
  command: string,
  p: string,
  version: string | undefined,
): Promise<{ local: string; version: string | undefined; stale: StaleCopy | undefined }> {
  const asset = await vc.resolve(p, version);
  using bar = ctx.out.progress(`download ${p}`);
  // A copy the store could not confirm: in --json too, as `vc cache get` says it.
  let stale: StaleCopy | undefined;
  const local = await vc.pathOf(asset, {
    onProgress: bar.onBytes,
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    onStale: (s) => stale = s,
  }).catch(async (error) => {
    // Interrupted with a partial kept: said, as `vc cache get` says it.
    throw await keptPartialSaid(
      error,
      ctx.io.signal,
      command,
      asset.uri,
      cache.localPath(asset.uri),
    );
  });
  bar.done();
  // Offline mode served a copy past its TTL: said once, as `vc cache get` says it.
  const note = offlineStaleNote(asset.uri, stale, Date.now());
  if (note !== undefined) ctx.out.info(withFlagNames(note));
  return { local, version: asset.version, stale };
}

// The manifest's spelling of a path ("foo/bar.csv" -> "/foo/bar.csv"), for output.
function normalized(p: string): string {
  return normalizeVersionedPath(p);
}

// PATH and VERSION as typed. A malformed one (`1.0`, `/a/../b`) is the
// command line's fault: a usage error (exit 2) before the manifest or the
// store is read, as a bad flag value is. The library checks them again, and
// there a malformed value read from a manifest stays a failure (exit 1).
//
// `byUri`: for a command that reads, the command line that reads an object
// given by its URI (`vc path s3://b/k`), to name in the usage error.
function checkedPath(p: string, byUri?: (uri: string) => string): string {
  refuseShellConvertedPath(p, "PATH");
  try {
    flagValue("PATH", () => normalizeVersionedPath(p));
  } catch (e) {
    if (byUri === undefined || !(e instanceof UsageError) || !isStoreUri(p)) throw e;
    // Its secrets left out, as the message does (a CI log keeps both).
    throw new UsageError(e.message, {
      hint: `to read the object by its URI: ${byUri(shellWord(redactUrl(p)))}`,
    });
  }
  return p;
}

function checkedVersion(v: string | undefined, name = "VERSION"): string | undefined {
  if (v !== undefined) flagValue(name, () => assertVersion(v, name));
  return v;
}

// `PATH [VERSION]`, both checked (`byUri`: see checkedPath).
function checkedArgs(
  ctx: CommandContext,
  byUri?: (uri: string) => string,
): [string, string | undefined] {
  const p = checkedPath(ctx.args[0]!, byUri);
  return [p, checkedReadVersion(ctx, p, ctx.args[1])];
}

// VERSION of a read: a semver version with build metadata (`2.0.0+ci.7`,
// another tool's key) is refused as any other spelling vc does not read,
// naming the way to read that key: `vc cache get` of its URI, or the
// manifest override pinning it. A pre-release (`2.0.0-rc.1`) is a version.
function checkedReadVersion(
  ctx: CommandContext,
  p: string,
  v: string | undefined,
): string | undefined {
  const key = v === undefined ? undefined : suffixedVersionKey(p, v);
  if (key === undefined) return checkedVersion(v);
  let bucket: string | undefined;
  try {
    bucket = versionedSettings(ctx).bucket;
  } catch {
    // A bad setting: the command reports it once the version is right.
  }
  const uri = bucket === undefined ? `BUCKET/${key}` : joinUri(bucket, key);
  throw new UsageError(
    `VERSION: ${JSON.stringify(v)} is not a version vc reads (vc's versions have no ` +
      "build metadata: semver gives it no order of its own)",
    {
      hint: `to read the key ${key}: vc cache get ${uri}, or pin it in the manifest as an ` +
        `override: ${JSON.stringify(normalized(p))}: ${JSON.stringify(uri)}${
          bucket === undefined ? " (BUCKET: the bucket's URI)" : ""
        }`,
    },
  );
}

/**
 * A DEST in the cache dir would put files there the cache does not know
 * (`vc cache ls` and `verify` never show them), or replace a cached copy
 * in place (`vc get /a "$(vc path /b)"`): a usage error.
 */
async function refuseInsideCache(dest: string, cacheDir: string): Promise<void> {
  if (!(await insideThroughLinks(dest, cacheDir))) return;
  throw new UsageError(`DEST ${dest} is inside the cache dir ${cacheDir}`, {
    hint: "copy to a directory of your own; `vc path` gives the cached copy's path to read",
  });
}

/**
 * A DEST in a directory bucket (`VC_BUCKET=./assets`, then `vc sync ./assets`,
 * the help's own example) would put plain copies among the published
 * versions, and a manifest path such as `/x.1.0.0.csv` would replace the
 * version `x.1.0.0.csv` of `/x.csv`, which must never change: a usage error.
 */
async function refuseInsideBucket(dest: string, bucket: string): Promise<void> {
  if (!bucket.startsWith("file:")) return;
  const dir = fromFileUrl(bucket);
  if (!(await insideThroughLinks(dest, dir))) return;
  throw new UsageError(`DEST ${dest} is inside the bucket ${bucket}`, {
    hint: "copy to a directory other than the one the versions are published to",
  });
}

// Also through a symbolic link on DEST's way (`ln -s ../assets out`, then
// `vc sync out`): the copy lands where the link leads, and a published
// version was replaced that way while the same DEST typed plainly was refused.
async function insideThroughLinks(dest: string, dir: string): Promise<boolean> {
  const { realBelow } = await import("../real_path.ts");
  return await realBelow(dest, dir);
}

/**
 * The manifest as `--manifest` or `VC_MANIFEST` gave it, when that is a
 * relative path with a directory in it (`config/assets.json`, not a bare
 * name, an absolute path or one that leaves the current directory): its
 * part below the current directory, and the name of the setting.
 */
function typedRelativeManifest(
  ctx: Pick<CommandContext, "io" | "flags">,
  source: string,
  manifest: string,
): { relative: string; name: string } | undefined {
  const typed = source === "flag --manifest"
    ? ctx.flags.string("manifest")
    : source === "env VC_MANIFEST"
    ? ctx.io.env("VC_MANIFEST")
    : undefined;
  if (typed === undefined || isAbsolute(typed) || typed.startsWith("~")) return undefined;
  const below = relative(ctx.io.cwd, manifest);
  if (below.startsWith("..") || isAbsolute(below) || !/[\\/]/.test(below)) return undefined;
  return { relative: below, name: source === "flag --manifest" ? "--manifest" : "VC_MANIFEST" };
}
