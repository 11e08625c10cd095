/**
 * `vc repo …`: records (add, publish, expire, purge, current, get, ls),
 * tags (tag, untag, find) and claims (claim, renew, release). Set-up and
 * maintenance (init, gc, backup, restore, check) are in
 * `repo_admin_commands.ts`. Each command is argument handling and printing
 * around one `Repository` call.
 *
 * @module
 */
import { join } from "node:path";
import { InvalidInputError } from "../errors.ts";
import { parseDateTagKind } from "../repo/date_tags.ts";
import {
  checkTag,
  checkTagToSet,
  normalizeLogicalPath,
  parseRecordId,
  type RepoRecord,
  type TagTarget,
} from "../repo/records.ts";
import { checkHolder, checkNewHolder, liveClaims, MAX_TTL_MS } from "../repo/claims.ts";
import { checkState, type Repository, type RepositoryOptions } from "../repo/repository.ts";
import { parseCatalogRef } from "../repo/marker.ts";
import type { Command, CommandContext } from "./command.ts";
import { countFlag, flagValue, UsageError } from "./errors.ts";
import { refuseShellConvertedPath } from "./msys_path.ts";
import { localPathSetting, uploadFileArg } from "./local_path.ts";
import { refuseSwappedPathAndFile } from "./swapped_arguments.ts";
import { onlyWith, type OptionSpecs } from "./options.ts";
import { table } from "./output.ts";
import { CACHE_OPTIONS, DOWNLOAD_OPTIONS, openAssetCache } from "./settings.ts";
import { cliOpenStore, storeLocationArg } from "./store_options.ts";
import type { ObjectStore } from "../store/types.ts";
import { parseDuration } from "./units.ts";
import { copyLocalOut, writeLocalOut } from "./write_out.ts";
import { shellWord } from "../shell_word.ts";
import { escapedUnicode, spellingDifference } from "../unicode_spelling.ts";
import { visibleEnds } from "../printable.ts";
import { checkProgress, hashProgress, uploadProgress } from "./upload_progress.ts";

/** `--repo` and `--catalog`, shared by every `vc repo` command. */
export const REPO_OPTIONS: OptionSpecs = {
  repo: {
    type: "string",
    valueName: "URI",
    description: "the repository's store (default: $VC_REPO)",
  },
  catalog: {
    type: "string",
    valueName: "URL",
    description:
      "the repository's catalog, named on this machine (default: $VC_REPO_CATALOG); a PostgreSQL " +
      "URL may hold the password, else PGPASSWORD is sent to it (never to a catalog only the " +
      "store's marker names)",
  },
};

/**
 * Options for `Repository.open` from the command line: environment, a
 * run-time PostgreSQL URL from `--catalog`, `--request-timeout` for the
 * content store, and the interrupt signal (Ctrl-C).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openOptions } from "./repo_commands.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * import { Output } from "./output.ts";
 * const io = memoryIo();
 * const o = openOptions({ flags: new Flags({ catalog: "postgres://u:p@h/d" }), io, out: new Output(io) });
 * assert.equal(o.postgresUrl, "postgres://u:p@h/d");
 * ```
 */
export function openOptions(
  ctx: Pick<CommandContext, "flags" | "io" | "out">,
): {
  env: (name: string) => string | undefined;
  onConnectWait: (message: string) => void;
  postgresUrl?: string;
  openStore?: (uri: string) => Promise<ObjectStore>;
  signal?: AbortSignal;
} {
  // The catalog named on this machine (a PostgreSQL one then gets
  // PGPASSWORD), and which a marker naming another is refused for.
  const url = catalogSetting(ctx);
  const openStore = cliOpenStore(ctx);
  return {
    env: (n) => ctx.io.env(n),
    // A PostgreSQL server refusing connections for now, a catalog locked by
    // another process: a warning, as --quiet and --json expect (the
    // library's default writes to stderr), and the bar says what it waits for.
    onConnectWait: (line) => ctx.out.waiting(line),
    ...(url ? { postgresUrl: url } : {}),
    ...(openStore ? { openStore } : {}),
    // Ctrl-C stops the opening too (a store or catalog that never answers).
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
  };
}

/**
 * The catalog named on this machine: `--catalog`, else `VC_REPO_CATALOG`
 * (empty: unset), else `undefined`, checked as `sqlite:PATH` or
 * `postgres://…` before anything is opened or made. A flag that is empty or
 * no catalog is a usage error naming it (exit 2): `--catalog ""` was taken
 * for no flag, and `vc repo init` made the default catalog instead of the
 * one meant; `--catalog foo` failed in the library naming no flag (exit 1).
 * The variable's is a failure naming the variable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { catalogSetting } from "./repo_commands.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ env: { VC_REPO_CATALOG: "sqlite:/srv/c.sqlite" } });
 * assert.equal(catalogSetting({ flags: new Flags({}), io }), "sqlite:/srv/c.sqlite");
 * assert.throws(() => catalogSetting({ flags: new Flags({ catalog: "" }), io }), /--catalog is empty/);
 * assert.throws(() => catalogSetting({ flags: new Flags({ catalog: "foo" }), io }), /--catalog: catalog "foo"/);
 * ```
 */
export function catalogSetting(ctx: Pick<CommandContext, "flags" | "io">): string | undefined {
  const flag = ctx.flags.string("catalog");
  if (flag === undefined) return catalogVariable(ctx);
  if (flag.trim() === "") {
    throw new UsageError("--catalog is empty", {
      hint: "give sqlite:PATH or postgres://user@host:port/database, or leave the flag out",
    });
  }
  flagValue("--catalog", () => parseCatalogRef(flag, "", ctx.io.cwd));
  return flag;
}

/**
 * `VC_REPO_CATALOG` (empty: unset) checked as {@linkcode catalogSetting}
 * checks it: one that is no catalog is an `InvalidInputError` naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { catalogVariable } from "./repo_commands.ts";
 * import { memoryIo } from "./io.ts";
 * assert.equal(catalogVariable({ io: memoryIo({ env: { VC_REPO_CATALOG: "" } }) }), undefined);
 * assert.throws(() => catalogVariable({ io: memoryIo({ env: { VC_REPO_CATALOG: "foo" } }) }), /VC_REPO_CATALOG: catalog "foo"/);
 * ```
 */
export function catalogVariable(ctx: Pick<CommandContext, "io">): string | undefined {
  const value = ctx.io.env("VC_REPO_CATALOG");
  if (value === undefined || value === "") return undefined;
  try {
    parseCatalogRef(value, "", ctx.io.cwd);
  } catch (e) {
    if (e instanceof InvalidInputError) {
      throw new InvalidInputError(`VC_REPO_CATALOG: ${e.message}`, { cause: e });
    }
    throw e;
  }
  return value;
}

/**
 * Opens the repository named by `--repo` or `VC_REPO`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repoUri } from "./repo_commands.ts";
 * import { Flags } from "./args.ts";
 * import { memoryIo } from "./io.ts";
 * assert.equal(repoUri({ flags: new Flags({ repo: "s3://b/r" }), io: memoryIo() }, "repo ls"), "s3://b/r");
 * ```
 */
export function repoUri(ctx: Pick<CommandContext, "flags" | "io">, command: string): string {
  const flag = ctx.flags.string("repo");
  const uri = flag ?? ctx.io.env("VC_REPO");
  if (uri === undefined || uri === "") {
    throw new UsageError(`${command}: which repository?`, {
      hint: "give --repo URI or set VC_REPO (e.g. file:///srv/repo or s3://bucket/repo)",
      command,
    });
  }
  return storeLocationArg(uri, flag === undefined ? undefined : "--repo", "VC_REPO");
}

/**
 * Opens the repository a command names (`--repo` or `VC_REPO`), with
 * `extra` options: on a terminal, `open URI` and the time so far are drawn
 * while it takes over half a second (its marker read from a store slow to
 * answer, a catalog waited for), not a blank terminal for up to the request
 * timeout.
 */
export async function openRepo(
  ctx: CommandContext,
  command: string,
  extra: Pick<RepositoryOptions, "cache"> = {},
): Promise<Repository> {
  const { Repository } = await import("../repo/repository.ts");
  const uri = repoUri(ctx, command);
  using bar = ctx.out.progress(`open ${uri}`);
  const repo = await Repository.open(uri, { ...openOptions(ctx), ...extra });
  bar.done();
  return repo;
}

async function withRepo<T>(
  ctx: CommandContext,
  command: string,
  fn: (repo: Repository) => Promise<T>,
): Promise<T> {
  await using repo = await openRepo(ctx, command);
  return await fn(repo);
}

/**
 * What a lookup that found nothing says of `name` when the repository holds
 * it in another Unicode spelling (lookups compare as written, and the two
 * print alike): the spelling to use, both escaped; undefined otherwise.
 */
async function heldSpellingNote(
  repo: Repository,
  name: { path: string } | { tag: string },
): Promise<string | undefined> {
  const held = await repo.heldSpelling(name);
  if (held === undefined) return undefined;
  const [kind, given] = "path" in name ? ["path", name.path] : ["tag", name.tag];
  return `the repository holds the ${kind} ${escapedUnicode(held)}, spelled otherwise in ` +
    `Unicode than ${escapedUnicode(given)} (${spellingDifference(given, held)}): use its spelling`;
}

/**
 * When a claim found nothing free: the matching published records live
 * claims hold (a worker killed while it held them holds them until their
 * ttl), the first to lapse and how to free one sooner; `undefined` when
 * none is held (an empty queue). Reads at most 1,000 of them (see
 * {@linkcode liveClaims}).
 */
async function heldClaimsNote(
  repo: Repository,
  tag: string | undefined,
  path: string | undefined,
): Promise<string | undefined> {
  const { count, more, first } = await liveClaims(repo.catalog, repo.clock.now(), {
    ...(tag !== undefined ? { tag } : {}),
    ...(path !== undefined ? { path } : {}),
  });
  if (first === undefined) return undefined;
  const what = [
    tag !== undefined ? `with tag ${tag}` : "",
    path !== undefined ? `of ${path}` : "",
  ].filter((s) => s !== "").join(" ");
  const which = `record ${first.id}, held by ${first.claimedBy}`;
  return `${more ? "more than " : ""}${count} published ` +
    `record${count === 1 && !more ? "" : "s"}${what === "" ? "" : ` ${what}`} ${
      count === 1 && !more
        ? `is held by a live claim until ${first.claimUntil} (${which})`
        : `are held by live claims: the first lapses at ${first.claimUntil} (${which})`
    }; a holder that died frees its records then, or sooner with ` +
    "vc repo release ID --holder H (vc repo get ID names the holder)";
}

/**
 * The {@linkcode heldSpellingNote}s of a listing's filters (`ls --path`,
 * `--tag`, `find --any/--all/--exclude`), said on stderr in every mode after
 * the listing: a filter in another spelling than the one held matches
 * nothing, so the listing lacks those records (or, for `--exclude`, still
 * has them), and the names print alike.
 */
async function warnHeldSpellings(
  ctx: CommandContext,
  repo: Repository,
  names: ({ path: string } | { tag: string })[],
): Promise<void> {
  const seen = new Set<string>();
  for (const name of names) {
    const text = "path" in name ? name.path : name.tag;
    // A name all in ASCII has a twin only through K, ; and ` (the Kelvin
    // sign, the Greek question mark and varia are their NFC singletons):
    // 1000 `--any` tags in ASCII cost no lookup (a round trip each on PostgreSQL).
    if (/^\p{ASCII}*$/u.test(text) && !/[K;`]/.test(text)) continue;
    const key = "path" in name ? `p${text}` : `t${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const note = await heldSpellingNote(repo, name);
    if (note !== undefined) ctx.out.warn(note);
  }
}

/**
 * One line per record for people: id, state, size, path, tags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordLines } from "./repo_commands.ts";
 * const lines = recordLines([{ id: 1, state: "published", size: 3, path: "/a", tags: ["x"] }]);
 * assert.match(lines[0]!, /^ID/);
 * assert.match(lines[1]!, /^1 +published +3 +\/a +x$/);
 * ```
 */
export function recordLines(
  records: readonly Pick<RepoRecord, "id" | "state" | "size" | "path" | "tags">[],
): string[] {
  return table([RECORD_HEADER, ...records.map(recordRow)]);
}

const RECORD_HEADER = ["ID", "STATE", "SIZE", "PATH", "TAGS"];

// A record's claim, as `vc repo get ID` shows it: the holder of a worker
// killed before it kept what `claim` printed was seen only in `--json`, and
// nothing else said why `claim` passed the record over until its ttl ran out.
// Its until may have passed (a lapsed claim stays recorded until another
// claim takes the record), which the time itself says.
function claimLines(r: Pick<RepoRecord, "claimedBy" | "claimUntil">): string[] {
  return r.claimedBy === null ? [] : [`claimed by ${r.claimedBy} until ${r.claimUntil}`];
}

// `vc repo ls` and `vc repo find` end with who holds each record and until
// when: a lead listing the work in progress saw no claim but in `--json`,
// nor one a dead worker left. `(lapsed)` once its until is not after `now`
// (the repository's clock, as claims are judged), which frees the record.
const LISTING_HEADER = [...RECORD_HEADER, "CLAIM"];

function listingRow(now: number): (r: RepoRecord) => string[] {
  return (r) => {
    const lapsed = r.claimUntil !== null && Date.parse(r.claimUntil) <= now;
    return [
      ...recordRow(r),
      r.claimedBy === null
        ? ""
        : `${r.claimedBy} until ${r.claimUntil}${lapsed ? " (lapsed)" : ""}`,
    ];
  };
}

function recordRow(r: Pick<RepoRecord, "id" | "state" | "size" | "path" | "tags">): string[] {
  // A path recorded with whitespace at an end (restored from a snapshot, or
  // recorded before new names were checked) in JSON quotes: `/a.csv ` beside
  // `/a.csv` would print as the same row.
  return [String(r.id), r.state, String(r.size), visibleEnds(r.path), r.tags.join(",")];
}

// A malformed tag or logical path on the command line is a usage error
// (exit 2), as a malformed ID or versioned PATH is; the repository would
// refuse it too, but as a failure (exit 1), and only once it is open.
// `check`: checkTagToSet for tags being set; a lookup or untag takes any tag
// a catalog may hold.
function tagsArg(text: string, what: string, check = checkTag): string[] {
  const items = text.split(",").map((t) => t.trim());
  // Each tag once, in the order given.
  const tags = [...new Set(items.filter((t) => t !== ""))];
  // Empty, or only commas and spaces: a list meant to hold tags (a variable
  // left empty?) would silently add or select none (`add --tag "$T"` would
  // add a record no `claim --tag` finds, `find --exclude "$T"` exclude none).
  if (tags.length === 0) {
    throw new UsageError(
      text.trim() === ""
        ? `${what}: tags ${JSON.stringify(text)} name no tag (empty)`
        : `${what}: tags ${JSON.stringify(text)} name no tag (only commas and spaces)`,
    );
  }
  // One empty item (`--tag "$A,$B"` with B unset, `a,,b`) is the same
  // mistake for one tag: dropping it added the record without that tag.
  if (items.includes("")) {
    throw new UsageError(`${what}: tags ${JSON.stringify(text)} hold an empty item`, {
      hint: `give each tag once between commas: ${tags.join(",")}`,
    });
  }
  return flagValue(what, () => tags.map((tag) => check(tag)));
}

// An empty --tag or --path (a variable left empty) is refused, not read as
// no filter: `repo claim --path ""` would claim a record of any path.
function tagArg(text: string | undefined, what: string): string | undefined {
  return text === undefined ? undefined : flagValue(what, () => checkTag(text));
}

function pathArg(text: string, what: string): string;
function pathArg(text: string | undefined, what: string): string | undefined;
function pathArg(text: string | undefined, what: string): string | undefined {
  if (text === undefined) return undefined;
  refuseShellConvertedPath(text, what);
  return flagValue(what, () => normalizeLogicalPath(text));
}

function idArg(ctx: CommandContext): number {
  // A mistyped id is a usage error (exit 2), like any malformed argument.
  return flagValue("ID", () => parseRecordId(ctx.args[0]!));
}

/** `--limit N` as a positive integer, or undefined when not given. */
function limitArg(ctx: CommandContext, command: string): number | undefined {
  const text = ctx.flags.string("limit");
  return text === undefined ? undefined : countFlag(text, "--limit", command, Infinity);
}

function ttlFlag(ctx: CommandContext, command: string): number {
  const text = ctx.flags.string("ttl");
  if (text === undefined) {
    throw new UsageError(`${command}: give --ttl (seconds, or a duration like 5m)`, { command });
  }
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) * 1000 : parseDuration(text, "--ttl");
  // Claims are timed in whole ms: under half a ms would be a claim that lapsed already.
  // Finite too: digits past a double's range read as an endless claim.
  if (!(Math.round(ms) > 0) || !Number.isFinite(ms)) {
    throw new UsageError(
      `--ttl ${JSON.stringify(text)} is not a finite duration of at least 1 ms`,
    );
  }
  // Said here, naming what was typed, before the repository is opened: the
  // repository's own check is a failure (exit 1) counted in ms.
  if (ms > MAX_TTL_MS) {
    throw new UsageError(
      `--ttl ${JSON.stringify(text)} is longer than the 366 days a claim may last; ${
        // `renew` itself is what renews: "renew the claim instead" named the
        // command refused.
        command === "repo renew"
          ? "renew it for less, and again before that runs out"
          : "claim for less, and renew the claim before that runs out"}`,
    );
  }
  return ms;
}

function transition(
  name: "publish" | "expire" | "purge",
  description: string,
): Command {
  return {
    name: `repo ${name}`,
    positionals: ["ID"],
    required: 1,
    usage: "ID [--repo URI]",
    description,
    options: REPO_OPTIONS,
    examples: [`vc repo ${name} 42 --repo file:///srv/repo`],
    async run(ctx) {
      const id = idArg(ctx); // a malformed id is refused before the repository is opened
      const [record, current, already, ended] = await withRepo(
        ctx,
        `repo ${name}`,
        async (repo) => {
          // A rerun of publish or expire changes nothing (the first time
          // stays), which `1 published /a.csv` again read as an action. Not
          // said of purge, whose rerun deletes content a failed DELETE left.
          // Read in the change's own transaction: a claim released or taken
          // by another process just before is seen as the change found it.
          let before: RepoRecord | undefined;
          const record = await repo[name](
            id,
            name === "purge" ? {} : { onBefore: (found) => before = found },
          );
          return [
            record,
            name === "publish" ? await repo.current(record.path) : undefined,
            before?.state === record.state,
            // An expire ends a live claim: its holder (a worker at it) learns
            // only at its next renew or release, and the operator not at all.
            name === "expire" && before?.state === "published" && before.claimedBy !== null &&
              before.claimUntil !== null && Date.parse(before.claimUntil) > repo.clock.now()
              ? { holder: before.claimedBy, until: before.claimUntil }
              : undefined,
          ] as const;
        },
      );
      await ctx.out.status(
        record,
        `${record.id} ${record.state} ${record.path}${
          already ? " (already: nothing changed)" : ""
        }`,
      );
      if (ended !== undefined) {
        ctx.out.warn(
          `record ${record.id} was held by a live claim of ${ended.holder} until ${ended.until}, ` +
            "which this expire ended: that holder's renew and release now fail (ClaimLostError), " +
            `and the record is no longer claimable (\`vc repo publish ${record.id}\` makes it ` +
            "claimable again)",
        );
      }
      // A rollback by reviving an older version does nothing while a newer
      // one is published: "newest" is the highest id, for current and gc.
      if (current !== undefined && current.id !== record.id) {
        ctx.out.warn(
          `record ${record.id} is published, but record ${current.id}, a newer version of ` +
            `${record.path}, is published too and stays its current one (vc repo current), and ` +
            `gc expires record ${record.id} as superseded: to roll back to it, ` +
            `\`vc repo expire ${current.id}\``,
        );
      }
    },
  };
}

/** `vc repo add PATH FILE [--tag T,U] [--date-tag hour|day|week|month]`: prints the new id. */
export const add: Command = {
  name: "repo add",
  positionals: ["PATH", "FILE"],
  required: 2,
  usage: "PATH FILE [--tag T,U] [--date-tag hour|day|week|month] [--repo URI]",
  description:
    "Uploads FILE as a new, unpublished version of the logical PATH (Content-MD5 checked)\nand prints the new record's id.",
  options: {
    ...REPO_OPTIONS,
    tag: { type: "string", valueName: "T,U", description: "tags, comma-separated" },
    "date-tag": {
      type: "string",
      valueName: "KIND",
      description: "add date tags (hour → hour/day/week/month, day → day/week/month, week, month)",
    },
  },
  examples: [
    "vc repo add /raw/2026-11-30.csv ./today.csv --tag raw --date-tag day",
  ],
  async run(ctx) {
    const [path, file] = ctx.args as [string, string];
    await refuseSwappedPathAndFile("repo add", ctx.io.cwd, path, file);
    pathArg(path, "PATH");
    const tagText = ctx.flags.string("tag");
    const tags = tagText !== undefined ? tagsArg(tagText, "--tag", checkTagToSet) : undefined;
    const dateText = ctx.flags.string("date-tag");
    const dateTag = dateText !== undefined
      ? flagValue("--date-tag", () => parseDateTagKind(dateText))
      : undefined;
    // Checked before the repository is opened, which "-" would only waste.
    const source = uploadFileArg(ctx.io.cwd, file, "repo add");
    const record = await withRepo(ctx, "repo add", async (repo) => {
      using bar = ctx.out.progress(`upload ${path}`);
      const size = (await Deno.stat(source).catch(() => undefined))?.size;
      const onUpload = uploadProgress(bar);
      const r = await repo.add(path, source, {
        ...(tags ? { tags } : {}),
        ...(dateTag ? { dateTag } : {}),
        onProgress: (bytes) => onUpload({ bytes, total: size }),
        onHashProgress: hashProgress(bar),
        onCheckProgress: checkProgress(bar),
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      });
      bar.done();
      return r;
    });
    await ctx.out.data(record, String(record.id));
  },
};

/** `vc repo adopt KEY PATH`: records content already in the store. */
export const adopt: Command = {
  name: "repo adopt",
  positionals: ["KEY", "PATH"],
  required: 2,
  usage: "KEY PATH [--tag T,U] [--hash] [--grace 7d] [--repo URI]",
  description:
    "Records the content object KEY, already in the repository's store and named by no record\n" +
    "(an orphan vc repo check lists), as a new, unpublished version of the logical PATH, without\n" +
    "downloading or uploading it again; prints the new record's id. Its size and MD5 are the\n" +
    "store's (a plain-MD5 ETag or the vc-md5 metadata every add stores); an object the store\n" +
    "states no MD5 of (multipart or SSE-KMS, written by another tool) needs --hash. Refused: a\n" +
    "key outside the repository's content, one a record already names, and an object younger\n" +
    "than --grace (an add in flight, maybe; content gc keeps since a restore is taken whatever\n" +
    "its age). Publish it within gc's --grace, which purges unpublished records older than that.",
  options: {
    ...REPO_OPTIONS,
    tag: { type: "string", valueName: "T,U", description: "tags, comma-separated" },
    hash: {
      type: "boolean",
      description:
        "download and hash an object whose ETag is not its MD5, refusing one whose vc-md5 " +
        "metadata lies (shows progress)",
    },
    grace: {
      type: "string",
      valueName: "D",
      description:
        "refuse an object younger than this: an add in flight (default 7d, gc's; 0: any)",
    },
  },
  examples: [
    "vc repo adopt content/3f/3f2a9c1e-0d4b-4f1a-9a57-1c2b3d4e5f60.csv /raw/2026-11-30.csv",
    "vc repo check --json | jq -r '.orphans[].key, (.keptRestored // [])[].key'",
    "vc repo adopt content/7a/7a0b.bin /models/big.bin --hash --tag restored",
  ],
  async run(ctx) {
    const [key, path] = ctx.args as [string, string];
    pathArg(path, "PATH");
    const tagText = ctx.flags.string("tag");
    const tags = tagText !== undefined ? tagsArg(tagText, "--tag", checkTagToSet) : undefined;
    const hash = ctx.flags.boolean("hash");
    const grace = ctx.flags.string("grace");
    const graceMs = grace === undefined ? undefined : parseDuration(grace, "--grace");
    const record = await withRepo(ctx, "repo adopt", async (repo) => {
      using bar = ctx.out.progress(`adopt ${key}`);
      const r = await repo.adopt(key, path, {
        ...(tags ? { tags } : {}),
        ...(hash ? { hash, onHashProgress: hashProgress(bar) } : {}),
        ...(graceMs === undefined ? {} : { graceMs }),
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      });
      bar.done();
      return r;
    });
    await ctx.out.data(record, String(record.id));
  },
};

/** `vc repo publish ID`. */
export const publish: Command = transition(
  "publish",
  "Publishes a record (an expired one is revived; a republish keeps the first publish time).",
);
/** `vc repo expire ID`. */
export const expire: Command = transition("expire", "Expires a record, published or not.");
/** `vc repo purge ID`. */
export const purge: Command = transition(
  "purge",
  "Deletes a record's content and keeps the record as purged. A published record is refused.",
);

/** `vc repo current PATH`: the latest published record of a path. */
export const current: Command = {
  name: "repo current",
  positionals: ["PATH"],
  required: 1,
  usage: "PATH [--repo URI]",
  description: "Prints the latest published (not expired) record of PATH; exit 1 when none.",
  options: REPO_OPTIONS,
  examples: ["vc repo current /raw/latest.csv --json"],
  async run(ctx) {
    const path = pathArg(ctx.args[0]!, "PATH");
    const [record, twin] = await withRepo(ctx, "repo current", async (repo) => {
      const record = await repo.current(path);
      return [record, record === undefined ? await heldSpellingNote(repo, { path }) : undefined];
    });
    if (record === undefined) {
      // JSON says it with null on stdout; exit 1 needs its reason on stderr
      // in every mode (--quiet and --json too), as for every command.
      if (ctx.out.mode === "json") await ctx.out.data(null, "");
      ctx.out.failure(
        twin === undefined
          ? `no published record of ${visibleEnds(path)}`
          : `no published record of ${escapedUnicode(path)}; ${twin}`,
      );
      return 1;
    }
    await ctx.out.data(record, recordLines([record]));
    return 0;
  },
};

/** `vc repo get ID [--to FILE | --local]`. */
export const get: Command = {
  name: "repo get",
  positionals: ["ID"],
  required: 1,
  usage: "ID [--to FILE | --local] [--repo URI]",
  description:
    "Prints a record. --to copies its content to FILE and --local prints the path of its\ncached copy, both downloaded through the asset cache with the MD5 verified.",
  options: {
    ...REPO_OPTIONS,
    to: {
      type: "string",
      valueName: "FILE",
      description:
        "copy the content to FILE (into FILE/<name> when FILE is a directory or ends in /; - for stdout)",
    },
    local: { type: "boolean", description: "print the local (cached) path of the content" },
    // The download goes through the asset cache, whose directory VC_CACHE_DIR
    // named while --cache-dir was an unknown flag here. Not --offline: opening
    // the repository reads its marker from the store all the same. Without
    // --to or --local nothing is downloaded: refused then, not ignored.
    ...onlyWith({ "cache-dir": CACHE_OPTIONS["cache-dir"]!, ...DOWNLOAD_OPTIONS }, ["to", "local"]),
  },
  examples: [
    "vc repo get 42 --json",
    "vc repo get 42 --to ./input.csv",
    "vc repo get 42 --to - | head",
  ],
  async run(ctx) {
    const id = idArg(ctx);
    const toArg = ctx.flags.string("to");
    // The usage offers one or the other: with both, --local was silently dropped.
    if (toArg !== undefined && ctx.flags.boolean("local")) {
      throw new UsageError("give --to FILE or --local, not both", { command: "repo get" });
    }
    // "-" is stdout, as in `vc get PATH -` and `vc cache-client get ID -`: it
    // was a file named "-" left in the working directory.
    const toStdout = toArg === "-";
    if (toStdout) {
      ctx.out.rawContent(
        "repo get",
        "drop --json for the content, or give --to FILE (or --local) with --json",
      );
    }
    // Checked before the download, which a URI or an empty value would only waste.
    const to = toArg === undefined || toStdout
      ? undefined
      : localPathSetting(ctx.io.cwd, toArg, (name) => ctx.io.env(name), "--to");
    const local = ctx.flags.boolean("local");
    if (to === undefined && !local && !toStdout) {
      const record = await withRepo(ctx, "repo get", (repo) => repo.get(id));
      await ctx.out.data(record, [...recordLines([record]), ...claimLines(record)]);
      return;
    }
    await using cache = openAssetCache(ctx);
    await using repo = await openRepo(ctx, "repo get", { cache });
    // The file written, checked before the download, as `vc get PATH DEST`
    // checks it: a DEST refused only after it (the repository's marker, a
    // pipe) had the user wait for a GB's download, then say no.
    const copy = to === undefined ? undefined : await copyTarget(repo, id, toArg!, to);
    let path: string;
    {
      using bar = ctx.out.progress(`download record ${id}`);
      path = await repo.download(id, {
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
        onProgress: bar.onBytes,
        onCheckProgress: checkProgress(bar),
      });
      bar.done();
    }
    ctx.io.signal?.throwIfAborted();
    // Served, since it was asked for by id (a rollback, a rerun), but said:
    // an expired record is no longer for consumption, and a worker holding
    // an old id would otherwise read superseded data without a word.
    const record = await repo.get(id);
    if (record.state === "expired") {
      ctx.out.warn(
        `record ${id} (${record.path}) is expired, no longer published: ` +
          `\`vc repo current ${shellWord(record.path)}\` names its published version, if any`,
      );
    }
    if (toStdout) {
      await writeLocalOut(ctx, path, `copy record ${id}`, {
        what: `record ${id} (${record.path})`,
        toFile: `vc repo get ${id} --to FILE`,
        command: "repo get",
      });
    } else if (copy !== undefined) {
      await copyLocalOut(ctx, path, copy.target, `copy record ${id}`);
      await ctx.out.status({ id, path: copy.dest }, `wrote record ${id} to ${copy.dest}`);
    } else {
      // A cache dir holding a newline would print as another path: refused, exact in --json.
      await ctx.out.path({ id, path }, path, `the local path of record ${id}`);
    }
  },
};

/**
 * Where `vc repo get ID --to` writes (`dest`, and `target`, the file a
 * symbolic link there leads to), refused as a usage error when that is none
 * a copy may replace: a pipe or device, one of the repository's own files,
 * or, into a directory, a record whose name is no file name there.
 */
async function copyTarget(
  repo: Repository,
  id: number,
  toArg: string,
  to: string,
): Promise<{ dest: string; target: string }> {
  let dest = to;
  // Like cp: into an existing directory, under the record's file name; as
  // for `vc get`, "out/" names a directory even before it exists.
  const info = await Deno.stat(dest).catch(() => undefined);
  if (info?.isDirectory || /[\\/]$/.test(toArg)) {
    // The record's name is its logical path's last segment, which is no
    // file name on Windows when it is `CON`, `aux.txt`, `a.` or `a:b`
    // (a device, another file, a stream): refused there, as `vc sync`
    // and `vc mirror` refuse such a name, instead of writing elsewhere.
    const logical = (await repo.get(id)).path;
    // Its last `/` segment, not the platform's basename: on Windows that
    // also splits at `\`, and `/x/a\b.csv` would be written as `b.csv`.
    const name = logical.slice(logical.lastIndexOf("/") + 1);
    const { localPathProblem } = await import("../file_names.ts");
    // A catalog edited by hand may hold `/raw/..`: its last segment
    // would name DIR's parent, or DIR itself, not a file in it.
    const why = name === "" || name === "." || name === ".."
      ? `its last segment ${JSON.stringify(name)} is no file name`
      : localPathProblem(name);
    if (why !== undefined) {
      throw new InvalidInputError(
        `cannot write record ${id} (${logical}) into ${dest}: ${why}; give --to FILE`,
      );
    }
    dest = join(dest, name);
  }
  // `/dev/stdout` into a pipe names no file a copy can replace.
  const { refuseSpecialDest } = await import("./special_dest.ts");
  await refuseSpecialDest(dest, `vc repo get ${id} --to -`, "--to");
  // A FILE that is a symbolic link is written through, as `curl -o` and
  // `vc cache-client get` do: the copy's rename would replace the link
  // and leave its target, which others read, as it was.
  const { linkTarget } = await import("../link_target.ts");
  const target = await linkTarget(dest, "--to");
  // Over the marker, the catalog or a content object, the copy would
  // destroy the repository or change another record's content.
  const { repositoryFileAt } = await import("../repo/own_files.ts");
  const own = await repositoryFileAt(repo.store.url, repo.marker, target);
  if (own !== undefined) {
    throw new UsageError(`--to ${dest} is ${own}`, {
      command: "repo get",
      hint: "copy to a file of your own; --local prints the cached copy's path to read",
    });
  }
  return { dest, target };
}

/** `vc repo ls [--state S] [--path P] [--tag T] [--limit N]`. */
export const ls: Command = {
  name: "repo ls",
  positionals: [],
  required: 0,
  usage: "[--state S] [--path P] [--tag T] [--limit N] [--repo URI]",
  description: "Lists records, oldest first (newest first with --limit).",
  options: {
    ...REPO_OPTIONS,
    state: {
      type: "string",
      valueName: "S",
      description: "unpublished, published, expired or purged",
    },
    path: { type: "string", valueName: "P", description: "versions of logical path P" },
    tag: { type: "string", valueName: "T", description: "records carrying tag T" },
    limit: { type: "string", valueName: "N", description: "at most N records" },
  },
  examples: ["vc repo ls --state published --tag raw", "vc repo ls --path /raw/a.csv --json"],
  async run(ctx) {
    const f = ctx.flags;
    const stateText = f.string("state");
    const state = stateText !== undefined
      ? flagValue("--state", () => checkState(stateText))
      : undefined;
    const path = pathArg(f.string("path"), "--path");
    const tag = tagArg(f.string("tag"), "--tag");
    const limit = limitArg(ctx, "repo ls");
    // Printed a page at a time as read: a catalog of millions of records
    // is never held whole.
    await withRepo(ctx, "repo ls", async (repo) => {
      await ctx.out.tablePages(
        repo.listPages({
          ...(state ? { state } : {}),
          ...(path ? { path } : {}),
          ...(tag ? { tag } : {}),
          ...(limit !== undefined ? { limit } : {}),
        }),
        LISTING_HEADER,
        listingRow(repo.clock.now()),
      );
      await warnHeldSpellings(ctx, repo, [...(path ? [{ path }] : []), ...(tag ? [{ tag }] : [])]);
    });
  },
};

function tagCommand(name: "tag" | "untag"): Command {
  return {
    name: `repo ${name}`,
    positionals: ["TARGET", "TAGS"],
    required: 2,
    commaListLast: true,
    usage: "ID|/PATH T[,U…] [--repo URI]",
    description: `${
      name === "tag" ? "Adds tags to" : "Removes tags from"
    } a record (by id) or a logical path (starting with /;\nevery version of the path carries its tags).`,
    options: REPO_OPTIONS,
    examples: [`vc repo ${name} 42 done`, `vc repo ${name} /raw/a.csv important,eu`],
    async run(ctx) {
      const [target, tagText] = ctx.args as [string, string];
      // Anything else would be taken as a path (`abc` as `/abc`): a mistyped
      // id would tag a path nobody meant.
      refuseShellConvertedPath(target, "TARGET", { slashRequired: true });
      if (!/^\d+$/.test(target) && !target.startsWith("/")) {
        throw new UsageError(
          `repo ${name}: ${
            JSON.stringify(target)
          } is neither a record id (digits) nor a logical path (starting with /)`,
        );
      }
      // Typed: a project without exactOptionalPropertyTypes widens the two
      // literals to `{ id; path?: undefined } | …`, where `"id" in` narrows nothing.
      const where: TagTarget = /^\d+$/.test(target)
        ? { id: flagValue("TARGET", () => parseRecordId(target)) }
        : { path: pathArg(target, "TARGET") };
      const tags = tagsArg(tagText, "TAGS", name === "tag" ? checkTagToSet : checkTag);
      let inherited: { path: string; tags: string[] } | undefined;
      // A path no record has yet: legal (its versions get the tags when
      // added), but as likely a typo of one that has records: said.
      let noRecords = false;
      // Of the tags not changed, and a path with no record: the spellings the
      // repository holds of them, which print alike.
      const twins: string[] = [];
      const changed = await withRepo(ctx, `repo ${name}`, async (repo) => {
        const changed = await repo[name](where, tags);
        if ("path" in where) {
          noRecords = (await repo.list({ path: where.path, limit: 1 })).length === 0;
        }
        const names = tags.filter((t) => !changed.includes(t)).map((tag) => ({ tag }));
        const lookups = noRecords && "path" in where ? [{ path: where.path }, ...names] : names;
        for (const lookup of lookups) {
          const note = await heldSpellingNote(repo, lookup);
          if (note !== undefined) twins.push(note);
        }
        // A record shows its path's tags too: one of those is not the record's
        // to remove. What it still shows after the untag is on its path, also
        // a tag just removed from the record itself.
        if (name === "untag" && "id" in where) {
          const record = await repo.get(where.id);
          const onPath = tags.filter((t) => record.tags.includes(t));
          if (onPath.length > 0) inherited = { path: record.path, tags: onPath };
        }
        return changed;
      });
      // Said apart, so a mistyped tag does not read as removed (or added).
      const unchanged = tags.filter((t) => !changed.includes(t));
      const done = name === "tag" ? "tagged" : "untagged";
      const parts = [];
      if (changed.length > 0) parts.push(`${done} ${target}: ${changed.join(",")}`);
      if (unchanged.length > 0) {
        parts.push(
          `${name === "tag" ? "already tagged" : "not tagged"} ${target}: ${unchanged.join(",")}`,
        );
      }
      if (inherited !== undefined) {
        parts.push(
          `${inherited.tags.join(",")} ${inherited.tags.length === 1 ? "is" : "are"} on its ` +
            `path: vc repo untag ${shellWord(inherited.path)} ${inherited.tags.join(",")}`,
        );
      }
      if (noRecords) {
        parts.push(
          `no record has path ${target} yet${
            name === "tag" ? ": the tags apply to its versions once added" : ""
          } (check the path: vc repo ls --path ${shellWord(target)})`,
        );
      }
      parts.push(...twins);
      await ctx.out.status(
        { target: where, tags, op: name, changed, unchanged, ...(noRecords ? { noRecords } : {}) },
        parts.join("; "),
      );
    },
  };
}

/** `vc repo tag ID|PATH TAGS`. */
export const tag: Command = tagCommand("tag");
/** `vc repo untag ID|PATH TAGS`. */
export const untag: Command = tagCommand("untag");

/** `vc repo find --any T --all T --exclude T [--published]`. */
export const find: Command = {
  name: "repo find",
  positionals: [],
  required: 0,
  usage: "[--any T,U] [--all T,U] [--exclude T,U] [--published] [--limit N] [--repo URI]",
  // `vc repo find gold`, `vc repo find --tag gold`: the tags go in --any or --all.
  extraHint: (extra) =>
    `the tags to find go in --any (any of them) or --all: vc repo find --any ${
      shellWord(extra.join(","))
    }`,
  unknownFlagHint: (name) =>
    name === "tag" || name === "tags"
      ? "the tags to find go in --any T,U (any of them) or --all T,U (all of them)"
      : undefined,
  description:
    "Records with any of --any, all of --all and none of --exclude (which needs --any or --all),\noldest first, as claim hands them out (--limit N: the N oldest).",
  options: {
    ...REPO_OPTIONS,
    any: { type: "string", valueName: "T,U", description: "carries at least one of these" },
    all: { type: "string", valueName: "T,U", description: "carries all of these" },
    exclude: { type: "string", valueName: "T,U", description: "carries none of these" },
    published: { type: "boolean", description: "only published records" },
    limit: { type: "string", valueName: "N", description: "at most N records" },
  },
  examples: ["vc repo find --any day:2026-11-30 --exclude done --published"],
  async run(ctx) {
    const f = ctx.flags;
    const list = (name: string) => {
      const text = f.string(name);
      return text === undefined ? [] : tagsArg(text, `--${name}`);
    };
    // All three checked before the repository opens.
    const any = list("any");
    const all = list("all");
    const exclude = list("exclude");
    if (any.length === 0 && all.length === 0) {
      throw new UsageError(
        exclude.length > 0
          ? "--exclude alone would select almost everything; add --any or --all tags"
          : "give tags to find (--any, --all, optionally --exclude)",
        { command: "repo find" },
      );
    }
    const limit = limitArg(ctx, "repo find");
    await withRepo(ctx, "repo find", async (repo) => {
      await ctx.out.tablePages(
        repo.findPages({
          any,
          all,
          exclude,
          published: f.boolean("published"),
          ...(limit !== undefined ? { limit } : {}),
        }),
        LISTING_HEADER,
        listingRow(repo.clock.now()),
      );
      await warnHeldSpellings(ctx, repo, [...any, ...all, ...exclude].map((tag) => ({ tag })));
    });
  },
};

const CLAIM_OPTIONS: OptionSpecs = {
  ...REPO_OPTIONS,
  ttl: {
    type: "string",
    valueName: "T",
    description: "claim lifetime: seconds or 30s, 5m, 1h (at most 366d)",
  },
  holder: { type: "string", valueName: "H", description: "who holds the claim" },
};

/** `vc repo claim [--tag T] [--path P] --ttl 300`. */
export const claim: Command = {
  name: "repo claim",
  positionals: [],
  required: 0,
  usage: "--ttl T [--tag T] [--path P] [--holder H] [--repo URI]",
  description:
    "Hands the next unclaimed published record to this caller alone until the ttl passes.\nPrints it with its holder (needed by renew/release); with --json, null when none is free.",
  options: {
    ...CLAIM_OPTIONS,
    tag: { type: "string", valueName: "T", description: "only records carrying tag T" },
    path: { type: "string", valueName: "P", description: "only versions of logical path P" },
  },
  examples: ["vc repo claim --tag todo --ttl 5m --json"],
  async run(ctx) {
    const ttlMs = ttlFlag(ctx, "repo claim");
    const f = ctx.flags;
    const tagName = tagArg(f.string("tag"), "--tag");
    const path = pathArg(f.string("path"), "--path");
    const holderText = f.string("holder");
    // An empty --holder ("$WORKER" unset) is refused like a blank one, not
    // replaced by a generated holder that a later renew --holder "" cannot name.
    const holder = holderText === undefined
      ? undefined
      : flagValue("--holder", () => checkNewHolder(holderText));
    const [claimed, twins] = await withRepo(ctx, "repo claim", async (repo) => {
      const claimed = await repo.claim({
        ttlMs,
        ...(tagName ? { tag: tagName } : {}),
        ...(path ? { path } : {}),
        ...(holder !== undefined ? { holder } : {}),
      });
      if (claimed !== undefined) return [claimed, []];
      const notes = await Promise.all([
        heldClaimsNote(repo, tagName || undefined, path || undefined),
        path ? heldSpellingNote(repo, { path }) : undefined,
        tagName ? heldSpellingNote(repo, { tag: tagName }) : undefined,
      ]);
      return [claimed, notes.filter((n) => n !== undefined)];
    });
    if (claimed === undefined) {
      if (ctx.out.mode === "json") await ctx.out.data(null, "");
      else ctx.out.info("nothing to claim");
      // Said in every mode: an empty queue and a misspelt one look alike.
      for (const note of twins) ctx.out.warn(note);
      return;
    }
    await ctx.out.data(claimed, [
      ...recordLines([claimed.record]),
      `holder ${claimed.holder} until ${claimed.until}`,
    ]);
  },
};

/** `vc repo renew ID --holder H --ttl T`. */
export const renew: Command = {
  name: "repo renew",
  positionals: ["ID"],
  required: 1,
  usage: "ID --holder H --ttl T [--repo URI]",
  description:
    "Extends a held claim to ttl from now. A claim whose ttl passed has ended and is not\nrenewed (claim again): renew before its until.",
  options: CLAIM_OPTIONS,
  examples: ["vc repo renew 42 --holder worker-1 --ttl 5m"],
  async run(ctx) {
    const id = idArg(ctx);
    const holder = holderFlag(ctx, "repo renew");
    const ttlMs = ttlFlag(ctx, "repo renew");
    const claimed = await withRepo(ctx, "repo renew", (repo) => repo.renew(id, holder, ttlMs));
    await ctx.out.status(claimed, `renewed ${claimed.record.id} until ${claimed.until}`);
  },
};

/** `vc repo release ID --holder H`. */
export const release: Command = {
  name: "repo release",
  positionals: ["ID"],
  required: 1,
  usage: "ID --holder H [--untag T,U] [--tag T,U] [--repo URI]",
  description:
    "Gives up a held claim. With --untag/--tag, marks the work done in the same step, only\nwhile this holder still holds the claim (one lost meanwhile: refused, no tag changed).",
  options: {
    ...REPO_OPTIONS,
    holder: CLAIM_OPTIONS.holder!,
    untag: { type: "string", valueName: "T,U", description: "remove these tags (todo)" },
    tag: { type: "string", valueName: "T,U", description: "add these tags (done)" },
  },
  examples: [
    "vc repo release 42 --holder worker-1",
    "vc repo release 42 --holder worker-1 --untag todo --tag done",
  ],
  async run(ctx) {
    const id = idArg(ctx);
    const holder = holderFlag(ctx, "repo release");
    const list = (name: string) => {
      const text = ctx.flags.string(name);
      return text === undefined
        ? []
        : tagsArg(text, `--${name}`, name === "tag" ? checkTagToSet : checkTag);
    };
    // Its tags before, to say what the release changed: a mistyped --untag
    // (or a tag its path carries) must not read as removed, as the record
    // stays in the queue. Read in the release's transaction: a change
    // another process made just before is not taken for the release's.
    let had: readonly string[] = [];
    const options = {
      untag: list("untag"),
      tag: list("tag"),
      onBefore: (found: RepoRecord) => had = found.tags,
    };
    const record = await withRepo(
      ctx,
      "repo release",
      (repo) => repo.release(id, holder, options),
    );
    const untagged = options.untag.filter((t) => had.includes(t) && !record.tags.includes(t));
    const tagged = options.tag.filter((t) => !had.includes(t));
    const changed = [
      ...untagged.length > 0 ? [`untagged ${untagged.join(",")}`] : [],
      ...tagged.length > 0 ? [`tagged ${tagged.join(",")}`] : [],
    ];
    await ctx.out.status(
      record,
      `released ${record.id}${changed.length > 0 ? ` (${changed.join(", ")})` : ""}`,
    );
    // Said apart, as `vc repo untag` does.
    const notTagged = options.untag.filter((t) => !had.includes(t));
    const onPath = options.untag.filter((t) => had.includes(t) && record.tags.includes(t));
    const already = options.tag.filter((t) => had.includes(t));
    if (notTagged.length > 0) ctx.out.warn(`not tagged ${record.id}: ${notTagged.join(",")}`);
    if (already.length > 0) ctx.out.warn(`already tagged ${record.id}: ${already.join(",")}`);
    if (onPath.length > 0) {
      ctx.out.warn(
        `${onPath.join(",")} ${onPath.length === 1 ? "is" : "are"} on its path: ` +
          `vc repo untag ${shellWord(record.path)} ${onPath.join(",")}`,
      );
    }
  },
};

function holderFlag(ctx: CommandContext, command: string): string {
  const holder = ctx.flags.string("holder");
  if (!holder) {
    throw new UsageError(`${command}: give --holder (printed by vc repo claim)`, { command });
  }
  return flagValue("--holder", () => checkHolder(holder));
}
