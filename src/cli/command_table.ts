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
import type { Command } from "./command.ts";
import type { CommandSummary } from "./help.ts";

const VERSIONED = "Versioned assets (manifest + bucket)";
const CACHE = "Asset cache (any s3:// or file:// URI)";
const CI = "CI";
const MIRROR = "Mirror (directory ⇄ store)";

/** A command as listed: its summary, and how to load its module. */
export interface CommandEntry extends CommandSummary {
  /** Imports the command's module and returns its definition. */
  load(): Promise<Command>;
}

const versioned = () => import("./versioned_commands.ts");
const cache = () => import("./cache_commands.ts");

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
    name: "prefill",
    group: CI,
    summary: "download every asset of manifests and lists into the cache, in parallel",
    load: async () => (await import("./prefill_command.ts")).prefill,
  },
  {
    name: "mirror",
    group: MIRROR,
    summary: "make a store prefix equal to local directories (or the reverse), once or --watch",
    load: async () => (await import("./mirror_command.ts")).mirror,
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
    summary: "force revalidation of a URI on next use",
    load: async () => (await cache()).invalidate,
  },
  {
    name: "cache rm",
    group: CACHE,
    summary: "delete a URI's cached copy",
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
];
