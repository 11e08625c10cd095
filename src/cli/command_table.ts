/**
 * The one table of `vc` commands: name, group heading, one-line summary and
 * a loader. Dispatch, `--help` and completion read only this table, so a new
 * command (or a whole group such as `repo <verb>`) is one entry here and a
 * module under `src/cli/`, with no change to dispatch.
 *
 * A command named with two words (`"cache get"`) belongs to the group of its
 * first word: `vc cache` lists the group, `vc cache --help` shows its help.
 * A one-word command may share its word with a group (`serve` and
 * `serve expire`): the longest name that matches wins.
 *
 * @module
 */
import { importBundled } from "../bundled_modules.ts";
import type { Command } from "./command.ts";
import type { CommandSummary } from "./help.ts";

const VERSIONED = "Versioned assets (manifest + bucket)";
const CACHE = "Asset cache (any s3:// or file:// URI)";
const CI = "CI";
const REPO = "Repository (files with states, tags, claims; catalog in SQLite or PostgreSQL)";
const SERVICE = "Cache service (KBase file cache API v1)";
const MIRROR = "Mirror (directory ⇄ store)";

/** A command as listed: its summary, and how to load its module. */
export interface CommandEntry extends CommandSummary {
  /** Imports the command's module and returns its definition. */
  load(): Promise<Command>;
}

/**
 * The command modules, relative to this file. They are imported through a
 * specifier Deno cannot follow ahead of time: `deno run` reads every module
 * a literal `import("...")` reaches (and resolves its npm packages) before
 * running anything, so with literal imports every command paid for all the
 * others at start-up (114 files read for `vc path`). The compiled binary
 * embeds them with `--include` (`scripts/compile.ts`); a test checks this
 * list against the table.
 */
export const COMMAND_MODULES: readonly string[] = [
  "./versioned_commands.ts",
  "./cache_commands.ts",
  "./repo_commands.ts",
  "./repo_admin_commands.ts",
  "./serve_commands.ts",
  "./cache_client_commands.ts",
  "./lock_command.ts",
  "./config_command.ts",
  "./prefill_command.ts",
  "./mirror_command.ts",
  "./merge_driver_command.ts",
];

// `specifier` is one of COMMAND_MODULES; T is its type, checked by `deno check`.
function load<T>(specifier: string): Promise<T> {
  return importBundled<T>(`src/cli/${specifier.slice("./".length)}`, () => import(specifier));
}

const versioned = () => load<typeof import("./versioned_commands.ts")>("./versioned_commands.ts");
const cache = () => load<typeof import("./cache_commands.ts")>("./cache_commands.ts");
const repo = () => load<typeof import("./repo_commands.ts")>("./repo_commands.ts");
const repoAdmin = () => load<typeof import("./repo_admin_commands.ts")>("./repo_admin_commands.ts");
const serveCommands = () => load<typeof import("./serve_commands.ts")>("./serve_commands.ts");
const cacheClient = () =>
  load<typeof import("./cache_client_commands.ts")>("./cache_client_commands.ts");

/**
 * Every command with its one-line summary. The summaries live here, not in
 * the command modules, so the command list needs no imports.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "add",
    group: VERSIONED,
    summary: "publish a new versioned path (first version 1.0.0)",
    load: async () => (await versioned()).add,
  },
  {
    name: "update",
    group: VERSIONED,
    summary: "publish a new version of a path and pin it in the manifest",
    load: async () => (await versioned()).update,
  },
  {
    name: "path",
    group: VERSIONED,
    summary: "print the local path of a path's pinned (or given) version",
    load: async () => (await versioned()).path,
  },
  {
    name: "cat",
    group: VERSIONED,
    summary: "write a path's content to stdout",
    load: async () => (await versioned()).cat,
  },
  {
    name: "get",
    group: VERSIONED,
    summary: "copy a path's content to a file",
    load: async () => (await versioned()).get,
  },
  {
    name: "versions",
    group: VERSIONED,
    summary: "list the versions of a path in the bucket",
    load: async () => (await versioned()).versions,
  },
  {
    name: "ls",
    group: VERSIONED,
    summary: "list the manifest's paths and pinned versions",
    load: async () => (await versioned()).ls,
  },
  {
    name: "ls-remote",
    group: VERSIONED,
    summary: "list every versioned path in the bucket",
    load: async () => (await versioned()).lsRemote,
  },
  {
    name: "adopt",
    group: VERSIONED,
    summary: "copy keys another tool named as versions to vc's keys",
    load: async () => (await versioned()).adopt,
  },
  {
    name: "path-remote",
    group: VERSIONED,
    summary: "print the store URI of a path's pinned (or given) version",
    load: async () => (await versioned()).pathRemote,
  },
  {
    name: "sync",
    group: VERSIONED,
    summary: "copy every manifest entry into a directory",
    load: async () => (await versioned()).sync,
  },
  {
    name: "verify",
    group: VERSIONED,
    summary: "check every manifest entry exists in the bucket and is intact",
    load: async () => (await versioned()).verify,
  },
  {
    name: "lock",
    group: VERSIONED,
    summary: "pin each manifest version's size and SHA-256 in the lock file (--check: verify)",
    load: async () => (await load<typeof import("./lock_command.ts")>("./lock_command.ts")).lock,
  },
  {
    name: "config",
    group: VERSIONED,
    summary: "show each effective setting and where it came from",
    load: async () =>
      (await load<typeof import("./config_command.ts")>("./config_command.ts")).config,
  },
  {
    name: "merge-driver",
    group: VERSIONED,
    summary: "git merge driver: merge the manifest or lock file entry by entry",
    load: async () =>
      (await load<typeof import("./merge_driver_command.ts")>("./merge_driver_command.ts"))
        .mergeDriver,
  },
  {
    name: "prefill",
    group: CI,
    summary: "download every asset of manifests and lists into the cache, in parallel",
    load: async () =>
      (await load<typeof import("./prefill_command.ts")>("./prefill_command.ts")).prefill,
  },
  {
    name: "mirror",
    group: MIRROR,
    summary: "make a store prefix equal to local directories (or the reverse), once or --watch",
    load: async () =>
      (await load<typeof import("./mirror_command.ts")>("./mirror_command.ts")).mirror,
  },
  {
    name: "cache get",
    group: CACHE,
    summary: "download (or revalidate) a URI and print its local path",
    load: async () => (await cache()).get,
  },
  {
    name: "cache ls",
    group: CACHE,
    summary: "list cached files",
    load: async () => (await cache()).ls,
  },
  {
    name: "cache invalidate",
    group: CACHE,
    summary: "force revalidation of URIs on next use",
    load: async () => (await cache()).invalidate,
  },
  {
    name: "cache rm",
    group: CACHE,
    summary: "delete the cached copies of URIs",
    load: async () => (await cache()).rm,
  },
  {
    name: "cache prune",
    group: CACHE,
    summary: "delete old or least recently used files",
    load: async () => (await cache()).prune,
  },
  {
    name: "cache verify",
    group: CACHE,
    summary: "check cached files against their recorded checksums",
    load: async () => (await cache()).verify,
  },
  {
    name: "cache dir",
    group: CACHE,
    summary: "print the cache directory",
    load: async () => (await cache()).dir,
  },
  {
    name: "repo init",
    group: REPO,
    summary: "create a repository: catalog schema and the store's marker",
    load: async () => (await repoAdmin()).init,
  },
  {
    name: "repo add",
    group: REPO,
    summary: "upload a file as a new unpublished record; prints its id",
    load: async () => (await repo()).add,
  },
  {
    name: "repo adopt",
    group: REPO,
    summary: "record content already in the store that no record names (an orphan)",
    load: async () => (await repo()).adopt,
  },
  {
    name: "repo publish",
    group: REPO,
    summary: "publish a record (revives an expired one)",
    load: async () => (await repo()).publish,
  },
  {
    name: "repo expire",
    group: REPO,
    summary: "expire a record",
    load: async () => (await repo()).expire,
  },
  {
    name: "repo purge",
    group: REPO,
    summary: "delete a record's content, keep the record as purged",
    load: async () => (await repo()).purge,
  },
  {
    name: "repo current",
    group: REPO,
    summary: "print the latest published record of a path",
    load: async () => (await repo()).current,
  },
  {
    name: "repo get",
    group: REPO,
    summary: "print a record, or download its content",
    load: async () => (await repo()).get,
  },
  {
    name: "repo ls",
    group: REPO,
    summary: "list records by state, path or tag",
    load: async () => (await repo()).ls,
  },
  {
    name: "repo tag",
    group: REPO,
    summary: "tag a record or a logical path",
    load: async () => (await repo()).tag,
  },
  {
    name: "repo untag",
    group: REPO,
    summary: "remove tags from a record or a logical path",
    load: async () => (await repo()).untag,
  },
  {
    name: "repo find",
    group: REPO,
    summary: "find records by tags (any, all, exclude)",
    load: async () => (await repo()).find,
  },
  {
    name: "repo claim",
    group: REPO,
    summary: "claim the next free published record for a while",
    load: async () => (await repo()).claim,
  },
  {
    name: "repo renew",
    group: REPO,
    summary: "extend a held claim",
    load: async () => (await repo()).renew,
  },
  {
    name: "repo release",
    group: REPO,
    summary: "give up a held claim",
    load: async () => (await repo()).release,
  },
  {
    name: "repo gc",
    group: REPO,
    summary: "expire superseded, purge old, delete unreferenced content",
    load: async () => (await repoAdmin()).gc,
  },
  {
    name: "repo backup",
    group: REPO,
    summary: "write a consistent snapshot of the catalog; prints its URI",
    load: async () => (await repoAdmin()).backup,
  },
  {
    name: "repo restore",
    group: REPO,
    summary: "rebuild a catalog (SQLite or PostgreSQL) from a snapshot",
    load: async () => (await repoAdmin()).restore,
  },
  {
    name: "repo check",
    group: REPO,
    summary: "find missing or corrupt content and orphaned objects",
    load: async () => (await repoAdmin()).check,
  },
  {
    name: "serve",
    group: SERVICE,
    summary: "run the cache service over a store",
    load: async () => (await serveCommands()).serve,
  },
  {
    name: "serve add-token",
    group: SERVICE,
    summary: "create a token for an identity in the service's token file",
    load: async () => (await serveCommands()).addTokenCommand,
  },
  {
    name: "serve expire",
    group: SERVICE,
    summary: "remove every expired cache entry of a store now",
    load: async () => (await serveCommands()).expire,
  },
  {
    name: "cache-client id",
    group: SERVICE,
    summary: "print the cache ID of a JSON object",
    load: async () => (await cacheClient()).id,
  },
  {
    name: "cache-client put",
    group: SERVICE,
    summary: "upload a file to a cache ID",
    load: async () => (await cacheClient()).put,
  },
  {
    name: "cache-client get",
    group: SERVICE,
    summary: "download a cache ID's file",
    load: async () => (await cacheClient()).get,
  },
  {
    name: "cache-client rm",
    group: SERVICE,
    summary: "delete a cache entry",
    load: async () => (await cacheClient()).rm,
  },
];
