/**
 * The steps the library's messages advise (check the lock, publish a new
 * version, remove a bad cached copy), in each one's words: a script is told
 * of the call it makes (`checkLock()`), a `vc` user of the command that does
 * the same (`vc lock --check`). The library says `library` (a script never
 * runs a command); the command line's `withFlagNames` (src/cli/errors.ts)
 * says the same message with `command`, as it says every option the library
 * names as its flag. Where a step names an input (a URI, a path), the
 * library quotes it as JSON and `commandWords` says it as a shell word.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandWords, LOCK_CHECK, removeCopy } from "./command_words.ts";
 * assert.equal(LOCK_CHECK.library, "`checkLock()`");
 * assert.equal(
 *   commandWords(`remove it with ${removeCopy("s3://b/a b.csv")}`),
 *   "remove it with `vc cache rm 's3://b/a b.csv'`",
 * );
 * ```
 *
 * @module
 */
import { shellWord } from "./shell_word.ts";

/** A step in each one's words: the library's call and the `vc` command. */
export interface CommandWords {
  /** As the library says it (a call a script makes). */
  readonly library: string;
  /** As `vc` says it (the command a user types). */
  readonly command: string;
}

/** Pin what the manifest names in the lock file. */
export const LOCK: CommandWords = { library: "`fillLock()`", command: "`vc lock`" };
/** Compare the lock file with the store's contents. */
export const LOCK_CHECK: CommandWords = {
  library: "`checkLock()`",
  command: "`vc lock --check`",
};
/**
 * The first line of a conflict `vc merge-driver` leaves (`<<<<<<< ours`
 * and what follows it), so an error about a file holding one does not
 * advise setting the driver up.
 */
export const MERGE_DRIVER_MARKER = "<<<<<<< ours (vc merge-driver)";

/**
 * The way out of the next merge conflict in a manifest or lock file: a git
 * setting, said the same way by the library and by `vc`; `""` for a
 * conflict the driver itself left (`text` holds its marker).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeDriverHint, MERGE_DRIVER_MARKER } from "./command_words.ts";
 * assert.match(mergeDriverHint("<<<<<<< HEAD\n"), /set up `vc merge-driver`/);
 * assert.equal(mergeDriverHint(`${MERGE_DRIVER_MARKER}\n`), "");
 * ```
 */
export function mergeDriverHint(text: string): string {
  return text.includes(MERGE_DRIVER_MARKER)
    ? ""
    : "; to have git merge both files entry by entry, set up `vc merge-driver` as its merge " +
      "driver, as the README's Merging branches says";
}
/** Publish a new version of a path. */
export const UPDATE: CommandWords = { library: "`update()`", command: "`vc update`" };
/** Publish a new path. */
export const ADD: CommandWords = { library: "`add()`", command: "`vc add`" };
/** Publish a file as a new path, which starts the manifest if there is none. */
export const ADD_FILE: CommandWords = {
  library: "`add(PATH, FILE)`",
  command: "`vc add PATH FILE`",
};
/** List a path's versions. */
export const VERSIONS: CommandWords = { library: "`versions()`", command: "`vc versions`" };
/** List, without copying, the keys in another naming of every manifest path. */
export const ADOPT_DRY_RUN: CommandWords = {
  library: "`adopt(undefined, { dryRun: true })`",
  command: "`vc adopt --dry-run`",
};
/** List what the bucket holds. */
export const LS_REMOTE: CommandWords = { library: "`lsRemote()`", command: "`vc ls-remote`" };
/** Download the items a list file names. */
export const PREFILL_LIST: CommandWords = {
  library: "pass its lines to `prefill()` as items",
  command: "give it to `vc prefill --list`",
};
/** Download what a manifest names ahead of time. */
export const PREFILL: CommandWords = { library: "`prefill()`", command: "`vc prefill`" };
/** Free space in the cache. */
export const CACHE_PRUNE: CommandWords = {
  library: "the AssetCache's `prune({ maxBytes })`",
  command: "`vc cache prune --max-size 10GB`",
};
/** Check (and repair) the cache's records. */
export const CACHE_VERIFY: CommandWords = {
  library: "the AssetCache's `verify()`",
  command: "`vc cache verify`",
};
/** Make a new repository. */
export const REPO_INIT: CommandWords = {
  library: "`Repository.init()`",
  command: "`vc repo init`",
};
/** List the records a repository's catalog and store disagree on. */
export const REPO_CHECK: CommandWords = {
  library: "the Repository's `check()`",
  command: "`vc repo check`",
};
/** Delete a repository's expired records and unrecorded content. */
export const REPO_GC: CommandWords = {
  library: "the Repository's `gc()`",
  command: "`vc repo gc`",
};
/** List a repository's records. */
export const REPO_LS: CommandWords = {
  library: "the Repository's `list()`",
  command: "`vc repo ls`",
};
/** Move a repository's catalog to PostgreSQL. */
export const MOVE_TO_POSTGRES: CommandWords = {
  library: "`backup()` the repository, then `Repository.restore()` the snapshot with a " +
    "postgres://… catalog option",
  command: "vc repo backup, then vc repo restore SNAPSHOT --catalog postgres://…",
};

/** Move a repository's SQLite catalog out of its content directory. */
export const MOVE_TO_SQLITE: CommandWords = {
  library: "`backup()` the repository, then `Repository.restore()` the snapshot with a " +
    "sqlite:PATH catalog option",
  command: "vc repo backup, then vc repo restore SNAPSHOT --catalog sqlite:PATH",
};
/** Rebuild a catalog from a snapshot, replacing what the catalog holds. */
export const RESTORE_FORCED: CommandWords = {
  library: "`Repository.restore(URI, SNAPSHOT, { force: true })`",
  command: "vc repo restore SNAPSHOT --force",
};
/** Rebuild a repository's catalog from a snapshot. */
export const RESTORE_SNAPSHOT: CommandWords = {
  library: "`Repository.restore(URI, SNAPSHOT)`",
  command: "vc repo restore SNAPSHOT",
};
/** Restore a snapshot (a catalog from a backup). */
export const REPO_RESTORE: CommandWords = {
  library: "`Repository.restore()`",
  command: "vc repo restore",
};
/** Where a backup's snapshot is, as the backup tells it. */
export const BACKUP_URI: CommandWords = {
  library: "the `uri` that the Repository's `backup()` returned",
  command: "the URI that vc repo backup printed",
};
/** Write a snapshot of a repository's records. */
export const REPO_BACKUP: CommandWords = {
  library: "the Repository's `backup()`",
  command: "vc repo backup",
};
/** Open a repository (which upgrades an older catalog's schema). */
export const REPO_OPEN_ONCE: CommandWords = {
  library: "open the repository (`Repository.open()`) once",
  command: "run any vc repo command once",
};
/** Copy what a manifest names into a directory. */
export const SYNC: CommandWords = { library: "`sync()`", command: "vc sync" };
/** Download a version-resolved path into the cache. */
export const RESOLVE_PATH: CommandWords = { library: "`path()`", command: "`vc path`" };
/** Make a target equal to its sources. */
export const MIRROR: CommandWords = { library: "`mirror()`", command: "vc mirror" };
/** Remove cached copies (to free space, or one named). */
export const CACHE_PRUNE_OR_RM: CommandWords = {
  library: "the AssetCache's `prune()` or `delete()`",
  command: "vc cache prune or rm",
};
/** Have the store asked again before a cached copy is served. */
export const CACHE_INVALIDATE: CommandWords = {
  library: "the AssetCache's `invalidate()`",
  command: "vc cache invalidate",
};
/** Download one object, never revalidated once cached. */
export const CACHE_IMMUTABLE: CommandWords = {
  library: "the AssetCache's `cache(URI, { immutable: true })`",
  command: "vc cache get --immutable",
};

/** Every step said without an input, for `withFlagNames`' table. */
export const COMMAND_WORDS: readonly CommandWords[] = [
  LOCK_CHECK,
  LOCK,
  UPDATE,
  ADD_FILE,
  ADD,
  PREFILL_LIST,
  VERSIONS,
  ADOPT_DRY_RUN,
  LS_REMOTE,
  PREFILL,
  CACHE_PRUNE,
  CACHE_VERIFY,
  REPO_INIT,
  REPO_CHECK,
  REPO_GC,
  REPO_LS,
  MOVE_TO_POSTGRES,
  MOVE_TO_SQLITE,
  RESTORE_FORCED,
  RESTORE_SNAPSHOT,
  REPO_RESTORE,
  BACKUP_URI,
  REPO_BACKUP,
  REPO_OPEN_ONCE,
  SYNC,
  RESOLVE_PATH,
  MIRROR,
  CACHE_PRUNE_OR_RM,
  CACHE_IMMUTABLE,
  CACHE_INVALIDATE,
];

const JSON_STRING = String.raw`"(?:[^"\\\n]|\\.)*"`;

/** Remove a cached copy of `uri` (the next use downloads it again). */
export function removeCopy(uri: string): string {
  return `the AssetCache's \`delete(${JSON.stringify(uri)})\``;
}

/** Publish `file` as a new version of `path` (`FILE` when the message names no file). */
export function updatePath(path: string): string {
  return `\`update(${JSON.stringify(path)}, FILE)\``;
}

/** Download version-resolved `path` into the cache. */
export function cachePath(path: string): string {
  return `\`path(${JSON.stringify(path)})\``;
}

/** List the versions of `path`. */
export function versionsOf(path: string): string {
  return `\`versions(${JSON.stringify(path)})\``;
}

/** Copy every key in another naming of `path` to vc's key for its version. */
export function adoptPath(path: string): string {
  return `\`adopt([${JSON.stringify(path)}])\``;
}

/** Download `uri` into the cache, as is (no manifest). */
export function cacheUri(uri: string): string {
  return `the AssetCache's \`cache(${JSON.stringify(uri)})\``;
}

/** Purge record `id` of a repository (delete its content). */
export function purgeRecord(id: number): string {
  return `the Repository's \`purge(${id})\``;
}

/** Publish a path's first version as `version`. */
export function addVersion(version: string): string {
  return `\`add(PATH, FILE, { version: ${JSON.stringify(version)} })\``;
}

/**
 * Restore a snapshot of `uri`'s records into a new SQLite catalog (a
 * message may go on: "or postgres://…").
 */
export function restoreToCatalog(uri: string): string {
  return `\`Repository.restore(${JSON.stringify(uri)}, SNAPSHOT, { catalog: "sqlite:PATH" })\``;
}

// The steps that name an input: the library's words, and the command's
// words for the input found in them.
const WITH_INPUT: readonly (readonly [RegExp, (input: string) => string])[] = [
  [
    new RegExp(`the AssetCache's \`delete\\((${JSON_STRING})\\)\``, "g"),
    (uri) => `\`vc cache rm ${shellWord(uri)}\``,
  ],
  [
    new RegExp(`\`update\\((${JSON_STRING}), FILE\\)\``, "g"),
    (p) => `\`vc update ${shellWord(p)} FILE\``,
  ],
  [new RegExp(`\`path\\((${JSON_STRING})\\)\``, "g"), (p) => `\`vc path ${shellWord(p)}\``],
  [new RegExp(`\`versions\\((${JSON_STRING})\\)\``, "g"), (p) => `\`vc versions ${shellWord(p)}\``],
  [new RegExp(`\`adopt\\(\\[(${JSON_STRING})\\]\\)\``, "g"), (p) => `\`vc adopt ${shellWord(p)}\``],
  [
    new RegExp(`the AssetCache's \`cache\\((${JSON_STRING})\\)\``, "g"),
    (uri) => `\`vc cache get ${shellWord(uri)}\``,
  ],
  [new RegExp("the Repository's `purge\\((\\d+)\\)`", "g"), (id) => `\`vc repo purge ${id}\``],
  [
    new RegExp(
      `\`Repository\\.restore\\((${JSON_STRING}), SNAPSHOT, \\{ catalog: "sqlite:PATH" \\}\\)\``,
      "g",
    ),
    (uri) => `vc repo restore SNAPSHOT --repo ${shellWord(uri)} --catalog sqlite:PATH`,
  ],
  [
    new RegExp(`\`add\\(PATH, FILE, \\{ version: (${JSON_STRING}) \\}\\)\``, "g"),
    (v) => `\`vc add --version ${shellWord(v)}\``,
  ],
];

/**
 * `message` with the steps that name an input (`removeCopy`, `updatePath`,
 * `cachePath`, `versionsOf`, `adoptPath`, `cacheUri`, `purgeRecord`, `addVersion`,
 * `restoreToCatalog`) said as the `vc` command that does each; the
 * steps without one are in `COMMAND_WORDS`, which `withFlagNames` rewrites
 * as it does every option.
 */
export function commandWords(message: string): string {
  let out = message;
  for (const [words, command] of WITH_INPUT) {
    out = out.replace(words, (_all, quoted: string) => command(String(JSON.parse(quoted))));
  }
  return out;
}
