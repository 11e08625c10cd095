/**
 * The lean entry of `vc path`: answers a warm hit (a pinned version already
 * in the cache) with a fraction of the full command line's modules, and
 * hands everything else to it. It loads no command table, no cache or store
 * class and no download code, which is what makes a bundled `vc` start
 * nearly as fast as an empty `deno run`.
 *
 * The rule that keeps its answers identical to the full `vc path`: it prints
 * only on a hit that the full command would serve the same way, with no
 * message and no store contact, and in every other case (a cold miss, an
 * override, a flag it does not take, a setting it does not check, any
 * error) it prints nothing and returns `undefined`, so the full command runs
 * and decides, errors included. Settings, manifest, lock file and cache
 * record are read by the same functions the full command uses.
 *
 * @module
 */
import { isAbsolute, resolve } from "../path.ts";
import { warmLookup } from "../cache/warm_lookup.ts";
import { openToEveryUser } from "../cache/cache_dir.ts";
import { inertJson, printable } from "../printable.ts";
import { resolveS3EndpointUrl } from "../store/s3_config.ts";
import { joinUri } from "../uri.ts";
import {
  classifyValue,
  manifestLockPath,
  MAX_MANIFEST_BYTES,
  parseManifest,
} from "../versioned/manifest.ts";
import { defaultLockFile, lockKey, parseLockFile } from "../versioned/lock_file.ts";
import { utf8OrUndefined } from "../utf8.ts";
import { normalizeVersionedPath, versionedKey } from "../versioned/naming.ts";
import { isVersion } from "../versioned/version.ts";
import { Flags, parseCommandArgs } from "./args.ts";
import { EXIT_OK, exitCodeFor, formatError, verboseRequested } from "./errors.ts";
import type { CliIo } from "./io.ts";
import type { OutputMode } from "./output.ts";
import { VERSIONED_OPTIONS, versionedSettings } from "./settings_resolve.ts";

/**
 * Runs `vc path` (`args` as given to `vc`) when it is a warm hit and
 * resolves to its exit code; resolves to `undefined`, having printed
 * nothing, when the full command line must run instead. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hotPath } from "./hot_path.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ env: { HOME: "/nonexistent" } });
 * // Not `path`, or a cold cache: the full command line's job.
 * assert.equal(await hotPath(["ls"], io), undefined);
 * assert.equal(await hotPath(["path", "/x.csv", "--bucket", "s3://b"], io), undefined);
 * assert.equal(io.stdout(), "");
 * ```
 */
export async function hotPath(args: readonly string[], io: CliIo): Promise<number | undefined> {
  if (args[0] !== "path") return undefined;
  let found: { local: string; doc: Record<string, string>; mode: OutputMode } | undefined;
  // Errors met here are never shown (a missing config or lock file is the
  // common case, and any other hands the command on), so none captures a
  // stack: Deno builds an error for every missing file, and the stack is most
  // of its cost. The limit is back before anything else runs.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    found = await lookup(args.slice(1), io);
  } catch {
    return undefined; // the full command reports it, or does what this does not
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (found === undefined) return undefined;
  // A path that cannot be printed as a line: the full command refuses it.
  if (found.mode !== "json" && printable(found.local) !== found.local) return undefined;
  try {
    // What `Output.data` prints (its progress-bar machinery is not needed):
    // one JSON document with --json, its controls escaped as there, else the
    // path, also with --quiet.
    const text = found.mode === "json" ? inertJson(found.doc, 2) : found.local;
    const bytes = new TextEncoder().encode(text + "\n");
    // Synchronously where the process can (see readSmallFile).
    if (io.writeStdoutSync) io.writeStdoutSync(bytes);
    else await io.writeStdout(bytes);
    return EXIT_OK;
  } catch (error) {
    // As the full command line does: a reader that went away is no failure.
    if (error instanceof Deno.errors.BrokenPipe) return EXIT_OK;
    // -v as well as --verbose: as the full command line reads it.
    io.writeStderr(formatError(error, { verbose: verboseRequested(args) }));
    return exitCodeFor(error);
  }
}

async function lookup(
  rest: readonly string[],
  io: CliIo,
): Promise<{ local: string; doc: Record<string, string>; mode: OutputMode } | undefined> {
  // `vc path PATH [VERSION]` without flags, the usual call, needs no parser:
  // what it would return for plain words is the words and no flags.
  const plain = rest.length >= 1 && rest.length <= 2 && rest.every((a) => !a.startsWith("-"));
  const { flags, positionals } = plain
    ? { flags: new Flags({}), positionals: [...rest] }
    : parseCommandArgs(rest, {
      command: "path",
      options: VERSIONED_OPTIONS,
      positionals: ["PATH", "VERSION"],
      required: 1,
    });
  // Help, and the flags whose checks live in the store and cache classes.
  if (flags.boolean("help") || flags.string("request-timeout") !== undefined) return undefined;
  // The cache validates VC_LOCK_WAIT, VC_REVALIDATE_TIMEOUT and
  // VC_ON_UNREACHABLE when it is created.
  for (const name of ["VC_LOCK_WAIT", "VC_REVALIDATE_TIMEOUT", "VC_ON_UNREACHABLE"]) {
    if ((io.env(name) ?? "") !== "") return undefined;
  }
  const [given, version] = positionals as [string, string | undefined];
  const v = versionedSettings({ io, flags });
  if (v.bucket === undefined) return undefined;
  // An ignored deno.json "vc" block: the full command warns about it.
  if (v.settings.ignoredProjectPath !== undefined) return undefined;
  if (v.settings.untrustedProjectPaths !== undefined) return undefined;
  const lockFile = resolve(v.lock ?? defaultLockFile(v.manifest));
  if (lockFile === v.manifest || lockFile === manifestLockPath(v.manifest)) return undefined;
  const path = normalizeVersionedPath(given);
  let pinned: string;
  if (version === undefined) {
    const text = readSmallFile(v.manifest);
    if (text === undefined) return undefined;
    const value = parseManifest(text, v.manifest)[path];
    if (value === undefined) return undefined;
    const meaning = classifyValue(value, v.manifest);
    if (meaning.kind === "override") return undefined;
    pinned = meaning.version;
  } else {
    if (!isVersion(version)) return undefined;
    pinned = version;
  }
  const lockText = readSmallFile(lockFile);
  // A lock file --lock or VC_LOCK names that is not there: the full command says so.
  if (lockText === undefined && v.lock !== undefined) return undefined;
  const lock = lockText === undefined
    ? undefined
    : parseLockFile(lockText, lockFile)[lockKey(path, pinned)];
  if (lock === undefined && v.frozen) return undefined;
  const cacheDir = isAbsolute(v.settings.cacheDir)
    ? v.settings.cacheDir
    : resolve(io.cwd, v.settings.cacheDir);
  // A cache dir every user may write to: the full command warns about it.
  if (openToEveryUser(cacheDir) !== undefined) return undefined;
  const local = await warmLookup(joinUri(v.bucket, versionedKey(path, pinned)), {
    cacheDir,
    // A malformed endpoint throws: the full command reports it.
    endpoint: resolveS3EndpointUrl({}, (name) => io.env(name)),
    integrity: lock,
  });
  if (local === undefined) return undefined;
  const mode: OutputMode = flags.boolean("json")
    ? "json"
    : flags.boolean("quiet")
    ? "quiet"
    : "human";
  // The version read, given or pinned: the full command names it too.
  return { local, doc: { path, version: pinned, local }, mode };
}

/**
 * The text of a manifest or lock file, `undefined` when it is missing; throws
 * for anything the full command's reader would refuse or treat otherwise (not
 * a regular file, bigger than a manifest may be). Read synchronously: the
 * first asynchronous file operation of a process starts Deno's I/O thread
 * pool, which costs a warm `vc path` about as much CPU time as all its reads.
 * Decoded as that reader decodes (strict UTF-8).
 */
function readSmallFile(path: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  // Lock files may be bigger than manifests: such a one is the full command's to read.
  if (!info.isFile || info.size > MAX_MANIFEST_BYTES) {
    throw new RangeError(`${path}: not read here`);
  }
  // Not UTF-8: the full command says what is wrong with it.
  const text = utf8OrUndefined(Deno.readFileSync(path));
  if (text === undefined) throw new RangeError(`${path}: not UTF-8`);
  return text;
}
