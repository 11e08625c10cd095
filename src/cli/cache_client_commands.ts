/**
 * `vc cache-client id|put|get|rm`: the cache service from the shell. The
 * service URL comes from `--url` or `VC_CACHE_URL`, the token from
 * `--token` or (better, as it stays out of `ps`) `VC_CACHE_TOKEN`.
 *
 * @module
 */
import { signalOption, untilAborted } from "../abort_hub.ts";
import { CacheClient, CacheServiceError } from "../server/client.ts";
import { HttpError } from "../server/http_error.ts";
import { mediaType, storedFilename } from "../server/upload_fields.ts";
import { requestTimeoutFromEnv } from "../store/s3_config.ts";
import { cliStoreOptions } from "./store_options.ts";
import { misspelledVariables } from "./env_spelling.ts";
import type { Command, CommandContext } from "./command.ts";
import { flagValue, UsageError } from "./errors.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { quoted } from "../printable.ts";
import { redactUrl } from "../redact.ts";
import { shellWord } from "../shell_word.ts";
import { localPathArg } from "./local_path.ts";
import { refuseSpecialDest } from "./special_dest.ts";
import { spoolStdin, type StdinSpool } from "./stdin_spool.ts";
import { writeOut } from "./write_out.ts";
import { parseSize } from "./units.ts";
import type { OptionSpecs } from "./options.ts";

const CLIENT_OPTIONS: OptionSpecs = {
  url: {
    type: "string",
    valueName: "URL",
    description: "service URL with any base path (env VC_CACHE_URL)",
  },
  token: {
    type: "string",
    valueName: "TOKEN",
    description: "token for the Authorization header (env VC_CACHE_TOKEN)",
  },
};

/** The service URL given (`--url`, else `VC_CACHE_URL`). */
function serviceUrl(ctx: CommandContext): string | undefined {
  return ctx.flags.string("url") ?? ctx.io.env("VC_CACHE_URL");
}

function client(ctx: CommandContext, extra: { maxDownloadBytes?: number } = {}): CacheClient {
  const url = serviceUrl(ctx);
  const token = ctx.flags.string("token") ?? ctx.io.env("VC_CACHE_TOKEN");
  // A variable set under another name (VC_CACHE_TOKEN_FILE, as `vc serve`
  // reads VC_SERVE_TOKEN_FILE; VC_URL) is the likeliest reason: named.
  const typo = (meant: string) =>
    misspelledVariables((name) => ctx.io.env(name)).find((m) => m.meant === meant)?.name;
  if (url === undefined || url === "") {
    const name = typo("VC_CACHE_URL");
    throw new UsageError("no service URL", {
      hint: name === undefined
        ? "pass --url or set VC_CACHE_URL"
        : `${name} is set, but vc reads no such variable: rename it VC_CACHE_URL, or pass --url`,
    });
  }
  if (token === undefined || token === "") {
    const name = typo("VC_CACHE_TOKEN");
    // A *_FILE variable holds a path: VC_CACHE_TOKEN holds the token itself.
    const value = name?.endsWith("_FILE") ? ctx.io.env(name) : undefined;
    throw new UsageError("no token", {
      hint: name === undefined
        ? "set VC_CACHE_TOKEN (or pass --token)"
        : `${name} is set, but vc reads no such variable: set VC_CACHE_TOKEN to the token` +
          (value ? ` (export VC_CACHE_TOKEN=$(cat ${shellWord(value)}))` : ""),
    });
  }
  // The global --request-timeout (else VC_REQUEST_TIMEOUT) bounds the service's silences too.
  const timeoutMs = cliStoreOptions(ctx).s3?.requestTimeoutMs ??
    requestTimeoutFromEnv((name) => ctx.io.env(name));
  const make = () => new CacheClient({ url, token, timeoutMs, ...extra });
  try {
    // A malformed --url is a usage error naming the flag; from VC_CACHE_URL
    // a failure naming the variable, as VC_CACHE_TOKEN's is.
    return ctx.flags.string("url") === undefined ? make() : flagValue("--url", make);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    if (!e.message.includes("the option token")) {
      if (!(e instanceof InvalidInputError) || ctx.flags.string("url") !== undefined) throw e;
      throw new InvalidInputError(`VC_CACHE_URL: ${e.message}`, { cause: e });
    }
    // A token that cannot be a header value was blamed on --url.
    const message = e.message.slice(e.message.indexOf("CacheClient:"));
    if (ctx.flags.string("token") !== undefined) throw new UsageError(`--token: ${message}`);
    throw new InvalidInputError(`VC_CACHE_TOKEN: ${message}`);
  }
}

function resolvePath(ctx: CommandContext, path: string, what: string): string {
  // Refused when empty or a URI; `./x` is named as `/cwd/x`.
  return localPathArg(ctx.io.cwd, path, what);
}

/**
 * `vc cache-client id JSON`: prints the cache ID of a JSON object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { id } from "./cache_client_commands.ts";
 * assert(id.name === "cache-client id");
 * ```
 */
export const id: Command = {
  name: "cache-client id",
  positionals: ["JSON"],
  required: 1,
  usage: "JSON [--url URL]",
  description:
    "Prints the cache ID for the JSON object (sent as written, so numbers keep their form)\nand reserves a placeholder for a new one.",
  options: CLIENT_OPTIONS,
  examples: [`vc cache-client id '{"tool": "align", "version": 3}'`],
  async run(ctx) {
    checkParamsJson(ctx.args[0]!);
    const result = await client(ctx).id(ctx.args[0]!, signalOption(ctx.io.signal));
    // Another server's ID (or a hostile one's, with terminal escapes) was
    // printed with exit 0, for put, get and rm to refuse as no cache ID.
    if (!CACHE_ID.test(result.cacheId)) {
      throw new CacheServiceError(
        `cache_id: the cache service at ${redactUrl(serviceUrl(ctx)!.trim())} answered the ` +
          `cache ID ${quoted(result.cacheId)}, not 128 lowercase hex digits as a KBase file ` +
          "cache service's (put, get and rm take no other): is --url (VC_CACHE_URL) one?",
        200,
      );
    }
    await ctx.out.data(result, result.cacheId);
  },
};

// JSON that does not parse, or is no object, is a usage error naming it,
// before any request: it was sent as written, and the service's 400 came
// after a round trip, as a failure of the service (exit 1). Only parsed
// here: the text is what is sent, so numbers keep their form.
function checkParamsJson(text: string): void {
  const hint = `give the cache's parameters as one JSON object, quoted for the shell: ` +
    `vc cache-client id '{"tool": "align", "k": 31}'`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`JSON ${quoted(text)} is not valid JSON: ${(error as Error).message}`, {
      hint,
    });
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(`JSON ${quoted(text)} is not a JSON object`, { hint });
  }
}

/**
 * `vc cache-client put ID FILE`: uploads a file (streamed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { put } from "./cache_client_commands.ts";
 * assert(put.options.filename?.type === "string");
 * ```
 */
export const put: Command = {
  name: "cache-client put",
  positionals: ["ID", "FILE"],
  required: 2,
  usage: "ID FILE [--filename NAME] [--content-type TYPE]",
  description:
    "Uploads FILE (- for standard input, or a pipe such as /dev/stdin: with --filename) as the\ncache's file, replacing any previous one.",
  options: {
    ...CLIENT_OPTIONS,
    filename: {
      type: "string",
      valueName: "NAME",
      description: "filename to store (default: FILE's name)",
    },
    "content-type": { type: "string", valueName: "TYPE", description: "content type to store" },
    "allow-empty": {
      type: "boolean",
      description: "upload an empty standard input or pipe (else exit 1, nothing sent)",
    },
  },
  examples: [
    "vc cache-client put 4b57…08 result.csv",
    "make-report | vc cache-client put 4b57…08 - --filename report.tsv",
  ],
  async run(ctx) {
    const [cacheId, file] = ctx.args as [string, string];
    checkCacheId(cacheId); // before standard input is read
    const filename = ctx.flags.string("filename");
    const type = ctx.flags.string("content-type");
    // A usage error (exit 2) like any malformed flag value, and before
    // standard input is read.
    if (type !== undefined && mediaType(type) === undefined) {
      throw new UsageError(`--content-type ${JSON.stringify(type)} is not a valid media type`);
    }
    // An empty name is no name: every service refuses it (400 "has no
    // filename"), which came only after the whole file or stdin was sent.
    if (filename === "") {
      throw new UsageError("--filename is empty", {
        hint: "give the name to store, e.g. --filename result.tsv, or leave it out for FILE's own",
      });
    }
    // The name the service keeps, as it reads it (the base name of a path):
    // one it refuses (`placeholder`, `..`) is said now, before standard input
    // is read to its end, and the one it keeps is said after.
    let stored: string | undefined;
    if (filename !== undefined) {
      try {
        stored = storedFilename(filename);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        throw new UsageError(`--filename: ${e.message}`);
      }
    }
    // A pipe given as FILE (`/dev/stdin`, `<(make-report)`, a mkfifo) is
    // read as `-` is: it was refused as "not a regular file".
    const pipe = file === "-" ? undefined : await pipeAt(resolvePath(ctx, file, "FILE"));
    const fromStdin = file === "-" || pipe !== undefined;
    if (fromStdin && filename === undefined) {
      const what = pipe === undefined ? "FILE - (standard input)" : `FILE ${file} (a pipe)`;
      throw new UsageError(`${what} needs --filename NAME`, {
        hint: "the service keeps a file name with the content: " +
          `\`vc cache-client put ID ${pipe === undefined ? "-" : shellWord(file)} ` +
          "--filename result.csv`",
      });
    }
    // Read whole before the request: the upload then has a length, and a
    // retry can send it again (see stdin_spool.ts).
    await using spool = fromStdin ? await readStdin(ctx, pipe) : undefined;
    // An empty pipe is what a command that failed gives (`make-report | vc
    // cache-client put ID -`, in a shell without pipefail): uploaded, it
    // replaced the job's good output with an empty file, which later runs
    // downloaded instead of recomputing. An empty FILE is named on purpose.
    if (spool !== undefined && spool.size === 0 && !ctx.flags.boolean("allow-empty")) {
      const what = pipe === undefined ? "standard input" : `the pipe ${file}`;
      throw new InvalidInputError(
        `${what} is empty (as a pipe from a command that failed is, in a shell without ` +
          "pipefail): nothing uploaded, the cache's file stays as it was; " +
          "pass --allow-empty to store an empty file",
      );
    }
    using bar = ctx.out.progress(`upload ${fromStdin ? filename : file}`);
    const path = spool?.path ?? resolvePath(ctx, file, "FILE");
    await client(ctx).put(cacheId, { path }, {
      ...(filename === undefined ? {} : { filename }),
      ...(type === undefined ? {} : { contentType: type }),
      onProgress: bar.onBytes,
      ...signalOption(ctx.io.signal),
    }).catch(async (e) => {
      const error = e instanceof CacheServiceError && e.status === 404 ? idGone(e) : e;
      // A pipe cannot be read again: removing its copy lost the input (the
      // output of a long command, maybe) whenever the upload failed.
      if (spool === undefined || ctx.io.signal?.aborted) throw error;
      throw await keptStdinError(error, spool, cacheId, filename!);
    });
    bar.done();
    // Says the name the service stores when it is not FILE's own.
    const as = stored === undefined ? "" : ` as ${stored}`;
    const what = fromStdin
      ? `${pipe === undefined ? "standard input" : file} (${spool!.size} bytes)`
      : file;
    await ctx.out.status(
      { cacheId, uploaded: file, ...(stored === undefined ? {} : { filename: stored }) },
      `uploaded ${what}${as}`,
    );
  },
};

/**
 * The failed upload's error, after keeping standard input's copy: it names
 * the file and the command that sends it again.
 */
async function keptStdinError(
  error: unknown,
  spool: StdinSpool,
  cacheId: string,
  filename: string,
): Promise<unknown> {
  if (!(error instanceof Error)) return error;
  let kept: string;
  try {
    const path = await spool.keep();
    // After a 404 the ID is gone: the upload goes to the one asked for anew.
    const id = error instanceof CacheServiceError && error.status === 404 ? "NEW_ID" : cacheId;
    kept = `standard input (${spool.size} bytes) is kept in ${path}: send it again with ` +
      `\`vc cache-client put ${id} ${shellWord(path)} --filename ${shellWord(filename)}\`, ` +
      "then remove it";
  } catch (e) {
    kept = `standard input could not be kept (${(e as Error).message})`;
  }
  error.message = `${error.message}; ${kept}`;
  return error;
}

/**
 * An upload's 404: the service's words (`Cache ID not found`) say nothing of
 * why nor what to do. A placeholder lasts 7 days from when its ID was last
 * asked for, and a deleted ID is gone: asking again makes it anew.
 */
function idGone(e: CacheServiceError): CacheServiceError {
  return new CacheServiceError(
    `${e.message}: a cache ID takes a file for 7 days after it was last asked for, and a ` +
      "deleted one is gone; ask for it again (`vc cache-client id PARAMS`) and upload to the ID " +
      "it prints",
    e.status,
    { cause: e },
  );
}

/** A cache ID: as the service's isCacheId (src/server/cache_id.ts), without its node:crypto. */
const CACHE_ID = /^[0-9a-f]{128}$/;

// A malformed ID is a usage error, named, before anything is read or sent:
// the service would answer "Cache ID not found", which `get` took for a
// cache with no file, and `put ID -` only after reading all of stdin.
function checkCacheId(id: string): void {
  if (CACHE_ID.test(id)) return;
  throw new UsageError(`ID ${quoted(id)} is not a cache ID`, {
    hint: "a cache ID is 128 lowercase hex digits, as `vc cache-client id` prints it",
  });
}

/** `path` when it is (or links to) a FIFO, a pipe to read once; else undefined. */
async function pipeAt(path: string): Promise<string | undefined> {
  const info = await Deno.stat(path).catch(() => undefined);
  return info?.isFifo ? path : undefined;
}

/** Standard input (or the pipe at `pipe`) in a temp file, with progress while it is read. */
async function readStdin(ctx: CommandContext, pipe?: string): Promise<StdinSpool> {
  using bar = ctx.out.progress(`read ${pipe ?? "standard input"}`);
  // Opening a FIFO waits for its writer: a Ctrl-C stops that wait too.
  const input = pipe === undefined
    ? undefined
    : (await untilAborted(Deno.open(pipe, { read: true }), ctx.io.signal)).readable;
  const spool = await spoolStdin({
    ...(input === undefined ? {} : { input }),
    onBytes: (bytes) => bar.onBytes({ bytes }),
    ...signalOption(ctx.io.signal),
  });
  bar.done();
  return spool;
}

/**
 * `vc cache-client get ID [DEST]`: downloads to DEST, or to stdout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { get } from "./cache_client_commands.ts";
 * assert(get.required === 1);
 * ```
 */
export const get: Command = {
  name: "cache-client get",
  positionals: ["ID", "DEST"],
  required: 1,
  usage: "ID [DEST] [--max-bytes SIZE]",
  description:
    "Writes the cache's file to the file DEST (atomically; not a directory), or to stdout\nwithout DEST. Exits 1 when the cache has no file.",
  options: {
    ...CLIENT_OPTIONS,
    "max-bytes": {
      type: "string",
      valueName: "SIZE",
      description: "fail a download larger than this (e.g. 2GiB; default: no limit)",
    },
  },
  examples: [
    "vc cache-client get 4b57…08 result.csv",
    "vc cache-client get 4b57…08 | head",
    "vc cache-client get 4b57…08 result.csv --max-bytes 2GiB",
  ],
  async run(ctx) {
    const [cacheId, dest] = ctx.args as [string, string | undefined];
    checkCacheId(cacheId);
    const maxBytes = ctx.flags.string("max-bytes");
    const c = client(
      ctx,
      maxBytes === undefined ? {} : { maxDownloadBytes: parseSize(maxBytes, "--max-bytes") },
    );
    if (dest === undefined || dest === "-") {
      ctx.out.rawContent(
        "cache-client get",
        "drop --json for the content, or give a DEST file: `vc cache-client get ID DEST --json`",
      );
      const res = await c.get(cacheId, signalOption(ctx.io.signal));
      if (res === undefined || res.body === null) throw noFile(cacheId);
      // A large file to a pipe or a file drew nothing for minutes: its bytes
      // on stderr, as `download DEST` draws them (never with stdout on the terminal).
      const length = Number(res.headers.get("content-length") ?? NaN);
      await writeOut(ctx, res.body, {
        label: `download ${cacheId.slice(0, 12)}…`,
        total: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
        progress: (bar) => bar.onBytes,
        content: {
          what: `the file of cache ${cacheId.slice(0, 12)}…`,
          toFile: `vc cache-client get ${cacheId} FILE`,
          command: "cache-client get",
        },
      });
      return;
    }
    // The service's file name is not known here, so DEST must name the file;
    // a directory would only fail after the download, at the atomic rename.
    const path = resolvePath(ctx, dest, "DEST");
    const info = await Deno.stat(path).catch(() => undefined);
    // "out/" (or "out\", as Windows writes it, and as `vc get` reads it)
    // names a directory even before it exists.
    if (info?.isDirectory || /[\\/]$/.test(dest)) {
      throw new UsageError(`DEST ${dest} is a directory`, {
        hint: `name the file to write, e.g. ${dest.replace(/[\\/]*$/, "")}/result.tsv`,
      });
    }
    // A FIFO, device or /dev/stdout (a link to a pipe) is no file to
    // replace: said before the request, with the command that writes to stdout.
    await refuseSpecialDest(path, `vc cache-client get ${cacheId} -`);
    using bar = ctx.out.progress(`download ${dest}`);
    if (
      !await c.download(cacheId, path, {
        onProgress: bar.onBytes,
        ...signalOption(ctx.io.signal),
      })
    ) {
      bar.done();
      throw noFile(cacheId);
    }
    bar.done();
    // The file written, absolute, as `vc get` and `vc repo get` name it: DEST
    // as typed printed a bare "copy.tsv", and a relative `path` in --json.
    await ctx.out.status({ cacheId, path }, `downloaded ${cacheId} to ${path}`);
  },
};

// A failure like any other, through the command line's error writer: the
// error line also with --quiet, the JSON error document with --json (a
// warning and exit 1 gave neither).
function noFile(cacheId: string): NotFoundError {
  return new NotFoundError(`cache ${cacheId} has no file`);
}

/**
 * `vc cache-client rm ID`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rm } from "./cache_client_commands.ts";
 * assert(rm.name === "cache-client rm");
 * ```
 */
export const rm: Command = {
  name: "cache-client rm",
  positionals: ["ID"],
  required: 1,
  usage: "ID",
  description: "Deletes the cache entry.",
  options: CLIENT_OPTIONS,
  examples: ["vc cache-client rm 4b57…08"],
  async run(ctx) {
    checkCacheId(ctx.args[0]!);
    await client(ctx).rm(ctx.args[0]!, signalOption(ctx.io.signal));
    await ctx.out.status({ cacheId: ctx.args[0], removed: true }, `removed ${ctx.args[0]}`);
  },
};
