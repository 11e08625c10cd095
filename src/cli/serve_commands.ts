/**
 * `vc serve` (the cache service), `vc serve add-token NAME` and
 * `vc serve expire`. The service itself lives in `src/server/`.
 *
 * @module
 */
import { counted } from "../counted.ts";
import { formatBytes } from "../progress.ts";
import {
  addToken,
  type AuthProvider,
  checkIdentityName,
  KBaseAuth,
  sameAuthUrlOtherSpelling,
  TokenFileAuth,
  tokenFileModeWarning,
  tokenIdAuthUrl,
} from "../server/auth.ts";
import { Entries, type SweepResult } from "../server/entries.ts";
import { normalizeBasePath } from "../server/routes.ts";
import { serveCache } from "../server/serve.ts";
import { usageKept } from "../server/quota.ts";
import { firstEntryOwner, probeStore } from "../server/store_probe.ts";
import { readStoreClockNotice } from "../server/store_clock.ts";
import { formatEventLine, LogBuffer } from "../server/log.ts";
import { openStore } from "../store/open.ts";
import { parseUri } from "../uri.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { fileInTheWay } from "../file_status.ts";
import { shellWord } from "../shell_word.ts";
import type { Command, CommandContext } from "./command.ts";
import { onlyWith } from "./options.ts";
import {
  countFlag,
  environmentValue,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  flagValue,
  isAbort,
  UsageError,
} from "./errors.ts";
import { localPathSetting } from "./local_path.ts";
import { cliStoreOptions, storeLocationArg } from "./store_options.ts";
import { parseDuration, parseSize } from "./units.ts";
import { MAX_TIMER_MS, sleep } from "../store/retry.ts";

/** How long a drain cut short by --drain-timeout has to abort its uploads (as after a second signal). */
const ABANDON_GRACE_MS = 5_000;

const STORE_OPTION = {
  store: {
    type: "string",
    valueName: "URI",
    description: "where caches live: s3://bucket/prefix or file:///dir (env VC_SERVE_STORE)",
  },
} as const;

const TOKEN_FILE_OPTION = {
  "token-file": {
    type: "string",
    valueName: "PATH",
    description: "JSON file of sha256(token) → identity name (env VC_SERVE_TOKEN_FILE)",
  },
} as const;

const MiB = 1024 * 1024;

function storeUri(ctx: CommandContext): string {
  const flag = ctx.flags.string("store");
  const uri = flag ?? ctx.io.env("VC_SERVE_STORE");
  if (uri === undefined || uri === "") {
    throw new UsageError("no store given", {
      hint: "pass --store s3://bucket/prefix or --store file:///srv/cache (or set VC_SERVE_STORE)",
    });
  }
  return storeLocationArg(uri, flag === undefined ? undefined : "--store", "VC_SERVE_STORE");
}

/**
 * Throws `NotFoundError` for a `file://` store whose directory does not
 * exist, as a missing S3 bucket fails its first listing: a typo in --store
 * would otherwise serve (or sweep) a new empty store, its first upload
 * making the directory and its parents. `offerNew`: the message says how to
 * start a new store (for `vc serve`; an expiry has nothing to do in one).
 */
async function requireStoreDirectory(
  uri: string,
  { offerNew }: { offerNew: boolean },
): Promise<void> {
  const parsed = parseUri(uri);
  if (parsed.scheme !== "file") return;
  let error: unknown;
  try {
    await Deno.stat(parsed.path);
    return;
  } catch (e) {
    error = e;
  }
  // Under a file (`afile/st`): no mkdir -p of it would start a store there.
  const inTheWay = fileInTheWay(parsed.path, error);
  if (inTheWay !== undefined) {
    throw new InvalidInputError(`store ${uri}: ${inTheWay}; check --store`);
  }
  throw new NotFoundError(
    `store ${uri} does not exist (no directory ${parsed.path}); check --store` +
      (offerNew
        ? `, or create the directory (mkdir -p ${shellWord(parsed.path)}) to start a new store`
        : ""),
  );
}

// Checked as every local path setting is: `--token-file s3://b/t.json`,
// `-`, `~/t.json` (no shell expands it there) and a variable's trailing line
// break named files `./s3:/b/t.json`, `./-`, `./~/t.json` and `t.json\n` that
// `add-token` created and `vc serve` then read, both reporting success.
function tokenFile(ctx: CommandContext): string | undefined {
  const flag = ctx.flags.string("token-file");
  const env = (name: string) => ctx.io.env(name);
  if (flag !== undefined) {
    return flag === "" ? undefined : localPathSetting(ctx.io.cwd, flag, env, "--token-file");
  }
  const path = env("VC_SERVE_TOKEN_FILE");
  if (path === undefined || path === "") return undefined;
  return environmentValue(() =>
    localPathSetting(ctx.io.cwd, path, env, "VC_SERVE_TOKEN_FILE", "VC_SERVE_TOKEN_FILE")
  );
}

function sizeFlag(ctx: CommandContext, flag: string): number | undefined {
  const text = ctx.flags.string(flag);
  return text === undefined ? undefined : parseSize(text, `--${flag}`);
}

/**
 * `vc serve`: runs the cache service until interrupted (SIGINT/SIGTERM
 * finish the requests in flight, then exit; a drain cut short aborts the
 * uploads in flight, then fails as interrupted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serve } from "./serve_commands.ts";
 * assert(serve.name === "serve" && serve.options["base-path"]?.type === "string");
 * ```
 */
export const serve: Command = {
  name: "serve",
  positionals: [],
  required: 0,
  usage: "--store URI (--token-file PATH | --auth-url URL) [--port N] [--host H] [--base-path P]",
  description: [
    "Runs the cache service (KBase file cache API v1) over a store. The service keeps no",
    "state of its own, so several instances can serve one store. Logs one JSON line per",
    "request on stderr. SIGINT/SIGTERM stop it after the requests in flight finish (exit 0);",
    "uploads not done 5 s after Ctrl-C, --drain-timeout after SIGTERM, or at a second",
    "signal, are aborted in the store (answered 503), and it exits 130.",
  ].join("\n"),
  options: {
    ...STORE_OPTION,
    ...TOKEN_FILE_OPTION,
    "auth-url": {
      type: "string",
      valueName: "URL",
      description: "KBase auth service to check tokens with (instead of --token-file)",
    },
    // Only KBase lookups are cached: with a token file the value would go unread, unchecked.
    ...onlyWith({
      "auth-cache-ttl": {
        type: "string",
        valueName: "DURATION",
        description: "how long KBase token lookups are reused (default 5m)",
      },
    }, ["auth-url"]),
    port: { type: "string", valueName: "N", description: "port to listen on (default 8080)" },
    host: {
      type: "string",
      valueName: "HOST",
      description: "interface to listen on (default 127.0.0.1; 0.0.0.0 for all)",
    },
    "base-path": {
      type: "string",
      valueName: "PATH",
      description: "prefix of every route, e.g. /cache behind a proxy",
    },
    "max-upload-bytes": {
      type: "string",
      valueName: "SIZE",
      description: "largest file an upload may carry (default 10GiB)",
    },
    "max-json-bytes": {
      type: "string",
      valueName: "SIZE",
      description: "largest cache_id JSON body (default 1MiB; the KBase server has no limit)",
    },
    "max-uploads": {
      type: "string",
      valueName: "N",
      description:
        "uploads streamed to the store at once; later ones wait (default 32, ~14 MiB each)",
    },
    "max-uploads-per-identity": {
      type: "string",
      valueName: "N",
      description:
        "of those, the most one identity's uploads hold at once; its others wait (default all)",
    },
    "max-downloads-per-identity": {
      type: "string",
      valueName: "N",
      description:
        "the most downloads one identity has in flight at once; its others wait (default none)",
    },
    "max-bytes-per-identity": {
      type: "string",
      valueName: "SIZE",
      description: "storage quota of each identity (default none)",
    },
    "sweep-interval": {
      type: "string",
      valueName: "DURATION",
      description: "time between background expiry sweeps (default 1h; 0 disables)",
    },
    "body-idle-timeout": {
      type: "string",
      valueName: "DURATION",
      description:
        "give up (408) a request whose body sends nothing (an upload: under 1 KiB) this long, and cut a download not sent within it plus its length at 64 KiB/s (default 60s; 0: never)",
    },
    "header-timeout": {
      type: "string",
      valueName: "DURATION",
      description:
        "close, unanswered, a connection holding no request that has not sent a whole request head this long since it opened or since its last answer (slowloris, idle keep-alive; default 60s; 0: never)",
    },
    "max-idle-connections": {
      type: "string",
      valueName: "N",
      description:
        "connections holding no request (a head not yet whole, idle after an answer) kept at once; past it the one idle longest is closed (default 512)",
    },
    "upload-queue-timeout": {
      type: "string",
      valueName: "DURATION",
      description:
        "answer 503 (Retry-After: 5) to an upload that waited this long for a slot (default 60s; 0: waits on)",
    },
    "download-queue-timeout": {
      type: "string",
      valueName: "DURATION",
      description:
        "answer 503 (Retry-After: 5) to a download past --max-downloads-per-identity that waited this long for a slot (default 60s; 0: waits on)",
    },
    "drain-timeout": {
      type: "string",
      valueName: "DURATION",
      description:
        "cut a SIGTERM drain short after this long, as a second signal does: uploads still in flight aborted in the store (503), exit 130 (default none: the requests take as long as they take)",
    },
    "upload-min-rate": {
      type: "string",
      valueName: "SIZE",
      description:
        "give up (408) an upload slower than this per second on average after its first --body-idle-timeout (default 16KiB; 0: never)",
    },
  },
  examples: [
    "vc serve --store file:///srv/cache --token-file /etc/vc/tokens.json --port 8080",
    "vc serve --store s3://bucket/cache --auth-url https://kbase.us/services/auth --base-path /cache",
  ],
  async run(ctx) {
    const storeLocation = storeUri(ctx); // first: a mistyped --store says so before anything else
    const authUrl = ctx.flags.string("auth-url");
    const file = tokenFile(ctx);
    if ((authUrl === undefined) === (file === undefined)) {
      throw new UsageError("give exactly one of --token-file and --auth-url", {
        hint: "create a token file with: vc serve add-token NAME --token-file tokens.json",
      });
    }
    const ttl = ctx.flags.string("auth-cache-ttl");
    // One write per batch of log lines (at most 50 ms late), flushed on shutdown.
    const logs = new LogBuffer((text) => ctx.io.writeStderr(text));
    const tokens = file === undefined ? undefined : new TokenFileAuth({
      path: file,
      // In the service's log, beside the requests whose tokens it explains.
      onReloadError: (e) => logs.line(formatEventLine("token-file", { error: e.message })),
    });
    const auth: AuthProvider = tokens ?? flagValue("--auth-url", () =>
      new KBaseAuth({
        authUrl: authUrl!,
        ...(ttl === undefined ? {} : { ttlMs: parseDuration(ttl, "--auth-cache-ttl") }),
      }));
    // Digits only: Number() reads "" and " " as 0 (a random port, silently),
    // and "0x1F90" or "1e3" as ports nobody typed.
    const port = countFlag(ctx.flags.string("port") ?? "8080", "--port", "serve", 65535, 0);
    // Blank or with whitespace at an end, it reached the listen call after the
    // store was opened and probed, and failed there (exit 1), not as the flag.
    const host = ctx.flags.string("host") ?? "127.0.0.1";
    if (host.trim() === "" || host.trim() !== host) {
      throw new UsageError(`--host: invalid interface ${JSON.stringify(host)}`, {
        hint: "give an address or host name: 127.0.0.1 (the default), 0.0.0.0 for all",
      });
    }
    // Parsed with the other flags, before the store is looked at: a typo
    // here waited out an unreachable store's probe, or was hidden behind a
    // missing store directory's error (exit 1, not 2).
    const sweepText = ctx.flags.string("sweep-interval");
    const sweep = sweepText === undefined
      ? undefined
      : parseDuration(sweepText, "--sweep-interval");
    const bodyIdleText = ctx.flags.string("body-idle-timeout");
    const bodyIdle = bodyIdleText === undefined
      ? undefined
      : parseDuration(bodyIdleText, "--body-idle-timeout");
    const headerText = ctx.flags.string("header-timeout");
    const headerTimeout = headerText === undefined
      ? undefined
      : parseDuration(headerText, "--header-timeout");
    const idleConnsText = ctx.flags.string("max-idle-connections");
    const maxIdleConnections = idleConnsText === undefined
      ? undefined
      : countFlag(idleConnsText, "--max-idle-connections", "serve", 1_000_000);
    const queueText = ctx.flags.string("upload-queue-timeout");
    const uploadQueue = queueText === undefined
      ? undefined
      : parseDuration(queueText, "--upload-queue-timeout");
    const downloadQueueText = ctx.flags.string("download-queue-timeout");
    const downloadQueue = downloadQueueText === undefined
      ? undefined
      : parseDuration(downloadQueueText, "--download-queue-timeout");
    const drainText = ctx.flags.string("drain-timeout");
    const drainMs = drainText === undefined ? 0 : parseDuration(drainText, "--drain-timeout");
    const uploadMinRate = sizeFlag(ctx, "upload-min-rate");
    const maxUpload = sizeFlag(ctx, "max-upload-bytes");
    const maxJson = sizeFlag(ctx, "max-json-bytes");
    const maxUploadsText = ctx.flags.string("max-uploads");
    const maxUploads = maxUploadsText === undefined
      ? undefined
      : countFlag(maxUploadsText, "--max-uploads", "serve", 100_000);
    const perIdentityText = ctx.flags.string("max-uploads-per-identity");
    const maxUploadsPerIdentity = perIdentityText === undefined
      ? undefined
      : countFlag(perIdentityText, "--max-uploads-per-identity", "serve", 100_000);
    const downloadsText = ctx.flags.string("max-downloads-per-identity");
    const maxDownloadsPerIdentity = downloadsText === undefined
      ? undefined
      : countFlag(downloadsText, "--max-downloads-per-identity", "serve", 100_000);
    const quota = sizeFlag(ctx, "max-bytes-per-identity");
    const basePath = ctx.flags.string("base-path");
    if (basePath !== undefined) flagValue("--base-path", () => normalizeBasePath(basePath));
    // An upload's size is unknown until its end, so S3 gets it in parts held
    // in memory: small parts, two at a time, keep a 1 GiB upload under 256 MiB
    // of RSS (measured: 4 × 8 MiB parts peaked at 348 MiB, S3Store copies
    // each part several times). Parts grow with --max-upload-bytes so the
    // largest allowed upload fits S3's 10,000 parts.
    const partSize = Math.max(5 * MiB, Math.ceil((maxUpload ?? 10 * 1024 * MiB) / 10_000));
    // After every flag: a missing or unreadable token file hid a bad --port,
    // met only once the file was fixed.
    if (file !== undefined) {
      try {
        await Deno.stat(file);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
        throw new UsageError(`token file ${file} does not exist`, {
          hint: `create it with: vc serve add-token NAME --token-file ${shellWord(file)}`,
        });
      }
      // A token file that does not parse would fail every request (500): say so now.
      await tokens!.check();
      const loose = await tokenFileModeWarning(file);
      if (loose !== undefined) ctx.out.warn(loose);
    }
    // Before it listens, as a missing bucket (the probe below) stops it.
    await requireStoreDirectory(storeLocation, { offerNew: true });
    const store = await openStore(storeLocation, {
      // Own HTTP/1.1 connections for the many small requests (http: endpoints).
      s3: {
        ...cliStoreOptions(ctx).s3,
        partSize,
        multipartThreshold: partSize,
        concurrency: 2,
        http1: true,
      },
    });
    // --drain-timeout: a SIGTERM drain that outlasts it is cut short as a
    // second signal cuts it (a service manager's SIGKILL at its own timeout
    // left S3 multipart uploads open and the buffered log lines unwritten).
    const drainOver = drainMs > 0 && ctx.io.signal !== undefined
      ? new AbortController()
      : undefined;
    const cancel = drainOver === undefined
      ? ctx.io.cancel
      : ctx.io.cancel === undefined
      ? drainOver.signal
      : AbortSignal.any([ctx.io.cancel, drainOver.signal]);
    let drainTimer: ReturnType<typeof setTimeout> | undefined;
    const stopWaiting = new AbortController();
    if (drainOver !== undefined) {
      ctx.io.signal?.addEventListener("abort", () => {
        drainTimer = setTimeout(() => {
          if (cancel?.aborted) return; // a second signal came first
          ctx.out.warn(
            `the requests in flight were not done within --drain-timeout ${drainText}: ` +
              `uploads still arriving are aborted (answered 503) and downloads cut`,
          );
          drainOver.abort(new DOMException("interrupted", "AbortError"));
        }, Math.min(drainMs, MAX_TIMER_MS)); // setTimeout fires at once past that
      }, { once: true });
    }
    try {
      // Refused credentials or a missing bucket: no point listening.
      const signal = ctx.io.signal;
      // On a terminal, `check STORE` and the time so far while the store is
      // slow to answer (its probe waits up to 10 s): a blank terminal looked
      // hung. Gone before `listening on`, and the request log after it.
      using bar = ctx.out.progress(`check ${store.url}`);
      const probe = await probeStore(store, signal === undefined ? {} : { signal });
      if (!probe.ok) {
        // A warning like any command's (its form, inert names, no colour off a terminal).
        ctx.out.warn(
          `the store cannot be reached now (${probe.unavailable.message}); ` +
            `starting anyway: requests get 503 until it answers`,
        );
      } else if (
        quota !== undefined && probe.holdsFiles &&
        !(await usageKept(store, signal === undefined ? {} : { signal }).catch(() => true))
      ) {
        // Files uploaded before the quota was turned on are counted nowhere.
        ctx.out.warn(
          `the store holds files but keeps no usage for --max-bytes-per-identity: the files ` +
            `uploaded before the quota was turned on are not counted, yet their removal takes ` +
            `them off (the usage can go below zero, leaving room past the quota); run ` +
            `vc serve expire --recount-usage`,
        );
      } else if (
        quota === undefined &&
        await usageKept(store, signal === undefined ? {} : { signal }).catch(() => false)
      ) {
        // Instances with a quota count this store's usage: this one's uploads
        // would be left out, and their removal there taken off all the same.
        ctx.out.warn(
          `the store keeps usage for --max-bytes-per-identity, which this instance was not given: ` +
            `its uploads are not counted, yet their removal by an instance with a quota takes ` +
            `them off (the usage can go below zero, leaving room past the quota); give every ` +
            `instance the same --max-bytes-per-identity, then run vc serve expire --recount-usage`,
        );
      }
      // Expiry checks this clock against the store's: a store that tells
      // no time, or a clock far off, is said before the first sweep.
      if (probe.ok) {
        const notice = await readStoreClockNotice(store, signal === undefined ? {} : { signal });
        if (notice !== undefined) ctx.out.warn(notice.message);
      }
      const entriesUrl = authUrl !== undefined && probe.ok && probe.holdsFiles
        ? tokenIdAuthUrl(
          await firstEntryOwner(store, signal === undefined ? {} : { signal }) ?? "",
        )
        : undefined;
      if (entriesUrl !== undefined && sameAuthUrlOtherSpelling(entriesUrl, authUrl!.trim())) {
        // The token_id keeps the URL as written: every cache ID would differ
        // from those the entries were made under, every old cache a miss.
        ctx.out.warn(
          `the store's entries were made with --auth-url ${entriesUrl} (its first entry's ` +
            `owner), and this instance was given ${authUrl!.trim()}: cache IDs are derived ` +
            `from the URL as written, so this instance's clients get other cache IDs than ` +
            `those entries have (every one a miss here) and the other spelling's IDs are ` +
            `refused (403); give every instance the same --auth-url, spelled alike`,
        );
      }
      bar.done();
      const service = await serveCache({
        store,
        auth,
        port,
        hostname: host,
        ...(basePath === undefined ? {} : { basePath }),
        ...(maxUpload === undefined ? {} : { maxUploadBytes: maxUpload }),
        ...(maxUploads === undefined ? {} : { maxUploads }),
        ...(maxUploadsPerIdentity === undefined ? {} : { maxUploadsPerIdentity }),
        ...(maxDownloadsPerIdentity === undefined ? {} : { maxDownloadsPerIdentity }),
        ...(maxJson === undefined ? {} : { maxJsonBytes: maxJson }),
        ...(quota === undefined ? {} : { maxBytesPerIdentity: quota }),
        ...(sweep === undefined ? {} : { sweepIntervalMs: sweep }),
        ...(bodyIdle === undefined ? {} : { bodyIdleTimeoutMs: bodyIdle }),
        ...(headerTimeout === undefined ? {} : { headerTimeoutMs: headerTimeout }),
        ...(maxIdleConnections === undefined ? {} : { maxIdleConnections }),
        ...(uploadQueue === undefined ? {} : { uploadQueueTimeoutMs: uploadQueue }),
        ...(downloadQueue === undefined ? {} : { downloadQueueTimeoutMs: downloadQueue }),
        ...(uploadMinRate === undefined ? {} : { uploadMinRate }),
        ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
        // The drain was cut short: uploads in flight are aborted in the store.
        ...(cancel === undefined ? {} : { cancel }),
        log: logs.line,
      });
      await ctx.out.data({ url: service.url, store: store.url }, `listening on ${service.url}`);
      // A first Ctrl-C or SIGTERM: the requests in flight finish first (an
      // upload to a slow store, seconds): said on a terminal, as the last
      // line is once it stopped, rather than a `^C` with the shell's prompt
      // after it. Off a terminal stderr stays the request log, a JSON line
      // each, for what reads it.
      const stopping = () =>
        ctx.out.stopping(
          "stopping: letting the requests in flight finish, new ones get 503 " +
            "(Ctrl-C again aborts the uploads)",
        );
      if (ctx.io.stderrIsTerminal) {
        if (signal?.aborted) stopping();
        else signal?.addEventListener("abort", stopping, { once: true });
      }
      await (drainOver === undefined ? service.finished : Promise.race([
        service.finished,
        // As a second signal's: aborts not done 5 s after the cut end the wait.
        new Promise<void>((resolve) =>
          drainOver.signal.addEventListener(
            "abort",
            () => void sleep(ABANDON_GRACE_MS, stopWaiting.signal).then(resolve, () => {}),
            { once: true },
          )
        ),
      ]));
      // Not drained but abandoned: fails as interrupted (130).
      cancel?.throwIfAborted();
    } finally {
      stopWaiting.abort();
      clearTimeout(drainTimer);
      logs.flush();
      await store.close();
    }
    // The last line, after the request log's last lines (on a terminal, see above).
    if (ctx.io.stderrIsTerminal) ctx.out.info("serve stopped");
  },
};

/**
 * `vc serve add-token NAME`: prints a new token for NAME and adds its hash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addTokenCommand } from "./serve_commands.ts";
 * assert(addTokenCommand.name === "serve add-token");
 * ```
 */
export const addTokenCommand: Command = {
  name: "serve add-token",
  positionals: ["NAME"],
  required: 1,
  usage: "NAME --token-file PATH",
  description: [
    "Creates a random token for the identity NAME, adds its SHA-256 to the token file",
    "(created if missing, written atomically) and prints the token. The token is not",
    "stored anywhere: keep it. A running `vc serve` picks the change up at once.",
  ].join("\n"),
  options: { ...TOKEN_FILE_OPTION },
  examples: ["vc serve add-token alice --token-file /etc/vc/tokens.json"],
  async run(ctx) {
    const file = tokenFile(ctx);
    if (file === undefined) {
      // The variable is as good as the flag (the help says so): name both,
      // as `vc serve` names VC_SERVE_STORE beside --store.
      throw new UsageError("no token file given", {
        hint: "pass --token-file /etc/vc/tokens.json (or set VC_SERVE_TOKEN_FILE)",
      });
    }
    const name = ctx.args[0]!;
    // A malformed NAME is a usage error (exit 2), as a missing one is.
    flagValue("NAME", () => checkIdentityName(name));
    const token = await addToken(file, name, { onWarning: (w) => ctx.out.warn(w.message) });
    await ctx.out.data({ name, token, tokenFile: file }, token);
    // The mode is kept on a rewrite: one any user may write stays so.
    const loose = await tokenFileModeWarning(file);
    if (loose !== undefined) ctx.out.warn(loose);
  },
};

/**
 * `vc serve expire`: removes every expired entry now and prints counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expire } from "./serve_commands.ts";
 * assert(expire.name === "serve expire");
 * ```
 */
export const expire: Command = {
  name: "serve expire",
  positionals: [],
  required: 0,
  usage: "--store URI",
  description: [
    "Removes every expired cache entry of the store (and data objects left by crashed",
    "uploads), then prints what it removed. Safe while servers run.",
  ].join("\n"),
  options: {
    ...STORE_OPTION,
    "recount-usage": {
      type: "boolean",
      description: "also recount every identity's usage for --max-bytes-per-identity",
    },
  },
  examples: [
    "vc serve expire --store s3://bucket/cache",
    "vc serve expire --store s3://bucket/cache --recount-usage",
  ],
  async run(ctx) {
    const uri = storeUri(ctx);
    // A directory store that does not exist holds nothing to expire: a typo
    // in --store, which a cron job would otherwise repeat silently.
    await requireStoreDirectory(uri, { offerNew: false });
    const store = await openStore(uri, cliStoreOptions(ctx));
    try {
      // Servers with a quota may share the store: what this removes comes
      // off the usage they keep.
      using bar = ctx.out.progress("expire");
      // What it removed so far: said when Ctrl-C stops it (the rejection has no result).
      const soFar = { scanned: 0, removed: 0, freedBytes: 0, bytesRemoved: 0 };
      // A clock ahead is said by the sweep's refusal; no time, or a clock
      // behind, here (the sweep goes on).
      const notice = await readStoreClockNotice(
        store,
        ctx.io.signal === undefined ? {} : { signal: ctx.io.signal },
      );
      if (notice !== undefined && notice.kind !== "ahead") ctx.out.warn(notice.message);
      let result: SweepResult;
      try {
        result = await new Entries(store, { keepUsage: true }).sweep({
          ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
          recountUsage: ctx.flags.boolean("recount-usage"),
          onProgress: (p) => {
            soFar.scanned = p.done;
            soFar.removed = p.removed ?? soFar.removed;
            soFar.freedBytes = p.freedBytes ?? soFar.freedBytes;
            soFar.bytesRemoved = soFar.freedBytes; // its first name, kept in --json
            bar.onItems(p);
          },
        });
      } catch (error) {
        if (!isAbort(error)) throw error;
        bar.done();
        return await expireInterrupted(ctx, soFar);
      }
      bar.done();
      // What it removed: a confirmation, which --quiet drops; entries the
      // store refused are the result (exit 1), said with --quiet, and on
      // stderr too with --json (a cron job's log names them).
      const lines = [
        `removed ${result.removed} expired of ${counted(result.scanned, "entry", "entries")} (${
          formatBytes(result.freedBytes)
        }), ${counted(result.orphansRemoved, "orphaned data object")}, ${
          counted(result.uploadsAborted, "abandoned upload")
        }${
          result.uploadsUnchecked === undefined
            ? ""
            : ` (uploads not checked: ${result.uploadsUnchecked})`
        }${
          result.identities === undefined
            ? ""
            : `; usage recounted for ${counted(result.identities, "identity", "identities")}`
        }`,
        // A line each: every line printed is made inert on its own.
        ...(result.abandoned ?? []).map((name) => `removed ${name}, left by an abandoned upload`),
        ...(result.uploadsLive ?? []).map((name) =>
          `kept ${name}, a day old but still taking parts (a client sending it)`
        ),
        ...(result.unreadable === undefined ? [] : [
          `${result.unreadable.length} left in place, not an entry's metadata:`,
          ...result.unreadable.map((line) => `  ${line}`),
        ]),
        ...(result.failed === undefined ? [] : [
          `${result.failed.length} expired not removed (the store refused; the next run tries again):`,
          ...result.failed.map((line) => `  ${line}`),
        ]),
      ];
      if (result.failed === undefined) await ctx.out.status(result, lines);
      else await ctx.out.report(result, lines, true);
      // A cron job learns that something is stuck.
      return result.failed === undefined ? 0 : EXIT_FAILURE;
    } finally {
      await store.close();
    }
  },
};

/**
 * `vc serve expire` stopped by Ctrl-C or SIGTERM: what it removed before
 * (that stays removed, the rest in place), as its last line (also with
 * --quiet) and, with --json, as the document on stdout (`interrupted:
 * true`); exit 130.
 */
async function expireInterrupted(
  ctx: CommandContext,
  soFar: { scanned: number; removed: number; freedBytes: number; bytesRemoved: number },
): Promise<number> {
  await ctx.out.interrupted(
    soFar,
    `serve expire interrupted: removed ${
      counted(soFar.removed, "expired entry", "expired entries")
    } (${formatBytes(soFar.freedBytes)}) of ${soFar.scanned} looked at before it stopped; ` +
      "the rest stays (vc serve expire run again goes on)",
  );
  return EXIT_INTERRUPTED;
}
