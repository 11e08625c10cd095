/**
 * Who is calling: the cache service turns the `Authorization` header into an
 * {@linkcode Identity} whose `tokenId` scopes every cache ID. Two providers:
 *
 * - {@linkcode KBaseAuth}: asks a KBase auth service
 *   (`GET {auth_url}/api/V2/token`), caching answers for a TTL; failures are
 *   never cached. token_id is `{auth_url}:{user}`, as KBase deployments use.
 * - {@linkcode TokenFileAuth}: a local JSON file mapping the hex SHA-256 of
 *   each token to an identity name, reloaded when it changes. token_id is
 *   `token-file:{name}`.
 *
 * @module
 */
import { reportingCallback, thrownText } from "../callback.ts";
import { lineOnStderr } from "../warning_line.ts";
import { type Clock, systemClock } from "../clock.ts";
import { writeFileAtomic } from "../atomic_write.ts";
import { withFileLock } from "../file_lock.ts";
import { linkTarget } from "../link_target.ts";
import { basename, dirname, join, resolve } from "../path.ts";
import { fileKind } from "../regular_file.ts";
import { readUpTo } from "../bytes.ts";
import { readTextCapped } from "../read_capped.ts";
import { counted } from "../counted.ts";
import { causeChain, InvalidInputError, VcError } from "../errors.ts";
import { isNoSpaceError } from "../no_space.ts";
import { isPermissionError } from "../cache/cache_errors.ts";
import { isReadOnlyFs } from "../read_only_fs.ts";
import {
  checkedFetch,
  checkFunction,
  checkOptions,
  checkPathArgument,
  describeValue,
  type OptionNames,
} from "../options_check.ts";
import { sha256Hex } from "../hash.ts";
import { shellWord } from "../shell_word.ts";
import { duplicateKeyAt, jsonSyntaxMessage } from "../json_text.ts";
import { HttpError } from "./http_error.ts";
import { redactSecrets, redactUrl } from "../redact.ts";
import { formatEventLine, stderrLog } from "./log.ts";
import { Limiter } from "../pool.ts";

/** An authenticated caller. */
export interface Identity {
  /** Scopes cache IDs; stored as each entry's owner. */
  tokenId: string;
  /** Short name for logs (never the token). */
  name: string;
}

/**
 * Turns an `Authorization` header into an identity or throws
 * {@linkcode HttpError} 401. Any other error is answered as a 500.
 */
export interface AuthProvider {
  /**
   * Authenticates the header value (non-empty).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import type { AuthProvider } from "./auth.ts";
   * import { createHandler } from "./handler.ts";
   * import { HttpError } from "./http_error.ts";
   * // Your own provider: here a fixed table of API keys.
   * const keys: Record<string, string> = { "key-1": "alice" };
   * const auth: AuthProvider = {
   *   authenticate(authorization) {
   *     const name = keys[authorization.replace(/^bearer\s+/i, "")];
   *     if (name === undefined) return Promise.reject(new HttpError(401, "invalid token"));
   *     return Promise.resolve({ tokenId: `api-key:${name}`, name });
   *   },
   * };
   * assert((await auth.authenticate("Bearer key-1")).name === "alice");
   * await using store = new MemoryStore();
   * const handler = createHandler({ store, auth, log: () => {} });
   * const res = await handler(new Request("http://x/v1/cache_id", {
   *   method: "POST",
   *   headers: { authorization: "key-2", "content-type": "application/json" },
   *   body: "{}",
   * }));
   * assert(res.status === 401 && (await res.json()).error === "invalid token");
   * ```
   */
  authenticate(authorization: string): Promise<Identity>;
}

/**
 * Most auth service lookups one {@linkcode KBaseAuth} runs at once; the rest
 * wait their turn within the lookup's timeout. Failures are never cached, so
 * a client sending made-up tokens opened a connection per request, all at
 * once, until the service had no file descriptors left for its own clients.
 */
export const MAX_AUTH_LOOKUPS = 32;

/** Options for {@linkcode KBaseAuth}. */
export interface KBaseAuthOptions {
  /** Base URL of the auth service, e.g. `https://kbase.us/services/auth`. */
  authUrl: string;
  /**
   * How long a successful lookup is reused (default 5 minutes); never past
   * the token's `expires` nor the answer's `cachefor` (KBase auth2 sends both).
   */
  ttlMs?: number;
  /** Time source for the TTL. */
  clock?: Clock;
  /** HTTP client (default: global fetch). */
  fetch?: typeof fetch;
  /** Most cached tokens kept (default 10,000; oldest dropped first). */
  maxEntries?: number;
  /** How long one lookup may take, answer included (default 10 s; then 504). */
  timeoutMs?: number;
}

const KBASE_AUTH_OPTIONS: OptionNames<KBaseAuthOptions> = {
  authUrl: true,
  ttlMs: true,
  clock: true,
  fetch: true,
  maxEntries: true,
  timeoutMs: true,
};

/**
 * The token of an `Authorization` header: taken bare, as KBase clients send
 * it, or after the `Bearer` scheme (RFC 6750), as a 401's challenge asks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bareToken } from "./auth.ts";
 * assert(bareToken("Bearer tok") === "tok" && bareToken("tok") === "tok");
 * ```
 */
export function bareToken(authorization: string): string {
  return authorization.replace(/^bearer\s+/i, "").trim();
}

/**
 * KBase auth: `GET {auth_url}/api/V2/token` with the caller's token (sent
 * bare, as KBase auth2 reads it, also when the caller gave `Bearer <token>`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KBaseAuth } from "./auth.ts";
 * await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) =>
 *   req.headers.get("authorization") === "good"
 *     ? Response.json({ user: "alice" })
 *     : Response.json({ error: "bad" }, { status: 401 }));
 * const auth = new KBaseAuth({ authUrl: `http://127.0.0.1:${server.addr.port}` });
 * const who = await auth.authenticate("good");
 * assert(who.name === "alice" && who.tokenId.endsWith(":alice"));
 * await assert.rejects(auth.authenticate("bad"), { status: 401 });
 * ```
 */
export class KBaseAuth implements AuthProvider {
  readonly #authUrl: string;
  readonly #tokenIdPrefix: string;
  readonly #ttl: number;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;
  readonly #max: number;
  readonly #timeoutMs: number;
  /** Keyed by the SHA-256 of the header, so tokens are not kept in memory. */
  readonly #cache = new Map<string, { identity: Identity; until: number }>();
  readonly #inFlight = new Map<string, Promise<Identity>>();
  readonly #lookups = new Limiter(MAX_AUTH_LOOKUPS);

  /** Creates the provider. */
  constructor(options: KBaseAuthOptions) {
    checkOptions("KBaseAuth", options, KBASE_AUTH_OPTIONS);
    const authUrl: unknown = options?.authUrl;
    if (typeof authUrl !== "string") {
      throw new InvalidInputError(
        `KBaseAuth: the option authUrl must be a string, got ${describeValue(authUrl)}${
          authUrl instanceof URL ? ": pass its href" : ""
        }`,
      );
    }
    let url: URL | undefined;
    try {
      url = new URL(options.authUrl);
    } catch {
      url = undefined;
    }
    // Anything else would be a 502 on every request, long after the start.
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new InvalidInputError(
        `auth URL ${JSON.stringify(redactUrl(options.authUrl))} is not an http(s) URL ` +
          `(e.g. https://kbase.us/services/auth)`,
      );
    }
    // fetch sends a URL's user:password as Basic auth in place of the
    // caller's token (every caller would be checked as the service itself),
    // and the token_id would hand them to every client; a query or fragment
    // would end up before /api/V2/token, asking another URL. The message
    // shows the part at fault, its secrets masked: stripped of it, the URL
    // named would be one that is fine.
    if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
      throw new InvalidInputError(
        `auth URL ${JSON.stringify(redactUrl(options.authUrl))} must not carry credentials, ` +
          `a query or a fragment (e.g. https://kbase.us/services/auth)`,
      );
    }
    // Trimmed, as URL parsing takes it: the path is appended to the text, and
    // `--auth-url "https://h/auth "` started a service whose every lookup
    // failed (502) on `https://h/auth /api/V2/token`.
    const configured = options.authUrl.trim();
    this.#authUrl = configured.replace(/\/+$/, "");
    // The token_id keeps the URL as configured, a trailing slash included, as
    // the KBase server's does: a deployment moved to vc with the URL it had
    // keeps the cache IDs its clients computed (they hash the token_id).
    this.#tokenIdPrefix = configured;
    this.#ttl = options.ttlMs ?? 300_000;
    this.#clock = options.clock ?? systemClock;
    this.#fetch = options.fetch == null ? fetch : checkedFetch("KBaseAuth", options.fetch);
    this.#max = options.maxEntries ?? 10_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Looks the token up (or reuses a recent answer).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { KBaseAuth } from "./auth.ts";
   * let lookups = 0;
   * const auth = new KBaseAuth({
   *   authUrl: "https://auth.example.org/services/auth",
   *   // Stands in for the auth service: GET {authUrl}/api/V2/token.
   *   fetch: (_url, init) => {
   *     lookups++;
   *     const ok = new Headers(init?.headers).get("authorization") === "tok-a";
   *     return Promise.resolve(
   *       ok ? Response.json({ user: "alice" }) : Response.json({ error: "bad" }, { status: 401 }),
   *     );
   *   },
   * });
   * const who = await auth.authenticate("tok-a");
   * assert(who.tokenId === "https://auth.example.org/services/auth:alice");
   * await auth.authenticate("tok-a"); // a recent answer is reused
   * assert(lookups === 1);
   * await assert.rejects(auth.authenticate("tok-x"), { status: 401 });
   * ```
   */
  authenticate(authorization: string): Promise<Identity> {
    // KBase auth2 takes the whole header as the token: `Bearer <token>` (as
    // the 401's challenge asks) was refused there, though the token file
    // accepts it. One cached answer per token, whichever form it came in.
    const token = bareToken(authorization);
    const key = sha256Hex(token);
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.until > this.#clock.now()) return Promise.resolve(hit.identity);
    // One lookup per token at a time: concurrent requests share it.
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending;
    const lookup = this.#lookup(token).then(({ identity, expires, cachefor }) => {
      this.#cache.delete(key);
      // Never past the token's own expiry, nor longer than the auth service
      // says to cache it: an expired token is refused as soon as it expires.
      const now = this.#clock.now();
      // An answer that says the token has already expired (the auth
      // service's clock behind ours, a stale answer from a cache in between)
      // is no grant: before, it was let in on every request, each one asking
      // the auth service again.
      if (expires !== undefined && expires <= now) throw new HttpError(401, "invalid token");
      const until = Math.min(now + this.#ttl, expires ?? Infinity, now + (cachefor ?? Infinity));
      if (until > now) {
        if (this.#cache.size >= this.#max) this.#cache.delete(this.#cache.keys().next().value!);
        this.#cache.set(key, { identity, until });
      }
      return identity;
    }).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, lookup);
    return lookup;
  }

  // The auth service failing is not the client's fault, nor an error of
  // this server's: 502 (a bad answer or none) or 504 (too slow). Its URL
  // stays out of the answer (it may be an internal address).
  async #lookup(token: string): Promise<TokenAnswer> {
    const service = "the auth service";
    const url = `${this.#authUrl}/api/V2/token`;
    // The log line's detail (never the answer's): which URL, and the cause.
    // Before, the log said only "the auth service unreachable", leaving the
    // operator to guess between a wrong --auth-url, a refused connection and
    // a DNS failure.
    const failed = (status: number, message: string, cause?: unknown) =>
      new HttpError(status, message, {
        ...(cause === undefined ? {} : { cause }),
        detail: `GET ${redactUrl(url)}${cause === undefined ? "" : `: ${causeChain(cause)}`}`,
      });
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const tooSlow = (e: unknown) =>
      signal.aborted
        ? failed(504, `${service} did not answer within ${this.#timeoutMs} ms`, e)
        : undefined;
    let res: Response;
    let text: string;
    try {
      // The wait for a turn counts against the timeout: the caller waits either way.
      ({ res, text } = await this.#lookups.run(async () => {
        const res = await this.#fetch(url, {
          headers: { authorization: token, accept: "application/json" },
          // Not followed: fetch drops the token on a redirect to another
          // origin (an `http://` auth URL sent on to `https://`), and the
          // answer for no token was then taken as the caller's: a 401 for
          // every valid token, or whatever user the new place names.
          redirect: "manual",
          signal,
        });
        return { res, text: await boundedText(res, MAX_AUTH_ANSWER) };
      }, signal));
    } catch (e) {
      // The fetch option's own misuse (no Response): this server's to fix, not the auth service's.
      if (e instanceof HttpError || e instanceof InvalidInputError) throw e;
      throw tooSlow(e) ?? failed(502, `${service} is unreachable`, e);
    }
    if (res.status === 401 || res.status === 403 || res.status === 400) {
      throw new HttpError(401, "invalid token");
    }
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get("location");
      throw failed(
        502,
        `${service} answered ${res.status}, a redirect (not followed: give the auth URL it redirects to)`,
        location === null ? undefined : new Error(`redirected to ${redactUrl(location)}`),
      );
    }
    if (!res.ok) throw failed(502, `${service} answered ${res.status}`);
    let answer: { user?: unknown; expires?: unknown; cachefor?: unknown } | null;
    try {
      answer = JSON.parse(text);
    } catch (e) {
      // The parser's message quotes the answer's first characters, cut: an
      // answer echoing the token ("tok-abc… is invalid") put its start into
      // the log. The token is starred before the answer is parsed for it.
      let quoted = e;
      try {
        JSON.parse(redactSecrets(text, [token]));
      } catch (again) {
        quoted = again;
      }
      throw failed(502, `${service} sent invalid JSON`, quoted);
    }
    const user = answer?.user;
    if (typeof user !== "string" || user === "") {
      throw failed(502, `${service} sent no user name`);
    }
    return {
      identity: { tokenId: `${this.#tokenIdPrefix}:${user}`, name: user },
      ...(isTime(answer?.expires) ? { expires: answer.expires } : {}),
      ...(isTime(answer?.cachefor) ? { cachefor: answer.cachefor } : {}),
    };
  }
}

/**
 * A KBase token answer: the user, and (KBase auth2) when the token expires
 * and how long the service may cache the answer, both in milliseconds.
 */
interface TokenAnswer {
  identity: Identity;
  /** Epoch milliseconds the token expires at. */
  expires?: number;
  /** Milliseconds the answer may be cached for. */
  cachefor?: number;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * Largest auth answer read. A KBase token answer is a few hundred bytes; one
 * read whole with no cap (a misbehaving service or a proxy page in between)
 * took the service's memory up by its size for every token looked up at once.
 */
const MAX_AUTH_ANSWER = 1 << 20;

/** The body as text, or `HttpError` 502 once it passes `max` bytes (not read further). */
async function boundedText(res: Response, max: number): Promise<string> {
  if (res.body === null) return "";
  const bytes = await readUpTo(res.body, max);
  if (bytes === undefined) {
    throw new HttpError(502, `the auth service sent an answer over ${max} bytes`);
  }
  return new TextDecoder().decode(bytes);
}

/** Options for {@linkcode TokenFileAuth}. */
export interface TokenFileAuthOptions {
  /** Path of the JSON token file. */
  path: string;
  /**
   * Told once for each changed version of the file that cannot be read or
   * parsed while the last good tokens stay in use (default: a JSON line on
   * stderr). The error's message names the file.
   */
  onReloadError?: (error: Error) => void;
}

const TOKEN_FILE_AUTH_OPTIONS: OptionNames<TokenFileAuthOptions> = {
  path: true,
  onReloadError: true,
};

/**
 * A local token file: `{"<sha256 hex of token>": "name", ...}`. The file is
 * re-read when its modification time or size changes (one synchronous
 * `stat` per request), so `vc serve add-token` takes effect without a restart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addToken, TokenFileAuth } from "./auth.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/tokens.json`;
 *   const token = await addToken(path, "alice");
 *   const who = await new TokenFileAuth({ path }).authenticate(token);
 *   assert(who.tokenId === "token-file:alice");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class TokenFileAuth implements AuthProvider {
  readonly #path: string;
  readonly #onReloadError: (error: Error) => void;
  #stamp = "";
  /** The version of the file last found broken (not read again until it changes). */
  #badStamp = "";
  /**
   * Whether the file was last read within {@linkcode RACY_MS} of its
   * modification time: a same-size rewrite in that window can keep the
   * stamp (timestamps move in clock ticks), so it is read again.
   */
  #racy = false;
  /** The text of the version in use, and of the last broken one told. */
  #goodText: string | undefined;
  #badText: string | undefined;
  /** The identity of each token's SHA-256 (hex), one object per name. */
  #names = new Map<string, Identity>();

  /** Creates the provider (the file is read on first use). */
  constructor(options: TokenFileAuthOptions) {
    checkOptions("TokenFileAuth", options, TOKEN_FILE_AUTH_OPTIONS);
    checkPathArgument("TokenFileAuth: the option path", options?.path);
    this.#path = options.path;
    // One that throws (or whose promise rejects) is told on stderr, and the
    // request goes on with the last good tokens: it failed the request with
    // what it threw, or ended the process as an unhandled rejection.
    this.#onReloadError = options.onReloadError === undefined
      ? ((e) => stderrLog(formatEventLine("token-file", { error: e.message })))
      : reportingCallback("onReloadError", options.onReloadError, (e) => {
        try {
          lineOnStderr(
            `vc serve: the onReloadError callback threw: ${thrownText(e)}; the last good ` +
              `tokens of ${options.path} stay in use`,
          );
        } catch {
          // stderr itself is gone: nowhere left to tell.
        }
      });
  }

  /**
   * Reads the token file now: throws when it cannot be read or parsed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TokenFileAuth } from "./auth.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const path = `${dir}/tokens.json`;
   *   await Deno.writeTextFile(path, "{not json");
   *   // At start-up: a broken token file stops the service before its first request.
   *   await assert.rejects(new TokenFileAuth({ path }).check());
   *   await Deno.writeTextFile(path, "{}");
   *   await new TokenFileAuth({ path }).check();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async check(): Promise<void> {
    await this.#reload();
  }

  /**
   * Finds the token's name; 401 when the file does not list it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { addToken, TokenFileAuth } from "./auth.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const path = `${dir}/tokens.json`;
   *   const auth = new TokenFileAuth({ path });
   *   await assert.rejects(auth.authenticate("anything"), { status: 401 }); // no file: no tokens
   *   const token = await addToken(path, "alice"); // taken up without a restart
   *   assert((await auth.authenticate(`Bearer ${token}`)).name === "alice");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async authenticate(authorization: string): Promise<Identity> {
    await this.#reload();
    // Hashed at each request (~6 µs), nothing remembered per header: a cache
    // keyed by the header kept every caller's token in the service's memory
    // (a heap snapshot or core dump held them, though the file holds hashes
    // only), and each spelling of one valid token (`Bearer` and 1, 2, …
    // 60,000 spaces) was an entry of its own: 1,000 headers of 64 KiB kept
    // 64 MiB until the file changed.
    const identity = this.#names.get(sha256Hex(bareToken(authorization)));
    if (identity === undefined) throw new HttpError(401, "invalid token");
    return identity;
  }

  async #reload(): Promise<void> {
    let st: Deno.FileInfo;
    try {
      // Synchronous: one stat syscall of a local file costs microseconds,
      // while the async op (a hop to the blocking pool and back) took 15% of
      // the service's time in the stress bench.
      st = Deno.statSync(this.#path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        // A symlink loop, a directory on the path made a file or made
        // unreadable: as a file that cannot be read, the last good tokens
        // stay, told once. Before, every request was answered 500 with a
        // stack trace in the log until the path was fixed.
        if (this.#stamp === "") throw e;
        this.#racy = false;
        const message = e instanceof Error ? e.message : String(e);
        const stamp = `unreadable:${message}`;
        if (stamp === this.#badStamp) return;
        const error = new InvalidInputError(`token file ${this.#path}: ${message}`, { cause: e });
        this.#keepLastGood(stamp, undefined, error);
        return;
      }
      // A removed token file revokes every token.
      this.#names = new Map();
      this.#stamp = "missing";
      this.#goodText = undefined;
      this.#racy = false;
      return;
    }
    const stamp = `${st.mtime?.getTime()}:${st.size}:${st.ino ?? ""}`;
    // Reachable again: a later failure of the same kind is told again.
    if (this.#badStamp.startsWith("unreadable:")) this.#badStamp = "";
    if (!this.#racy && (stamp === this.#stamp || stamp === this.#badStamp)) return;
    // A file changed within a clock tick of an earlier read, to the same size
    // and in place, keeps its stamp: before, a token revoked that way (or a
    // broken version fixed that way) stayed as it was read until the file
    // next changed. Such a version is read again until its time is older.
    const mtime = st.mtime?.getTime();
    this.#racy = mtime !== undefined && Math.abs(Date.now() - mtime) < RACY_MS;
    let text: string | undefined;
    try {
      text = (await readTokenFile(this.#path)) ?? "";
      if (text !== this.#goodText) {
        this.#names = identities(parseTokenFile(this.#path, text));
        this.#goodText = text;
      }
    } catch (e) {
      // Half-written by an editor? Keep the last good tokens until it parses.
      // Only the first read throws (`check()` at start-up): once running, a
      // file removed and then written back broken (an editor that deletes
      // before it saves) keeps the tokens of the removal, none, rather than
      // answering every request 500, with a stack trace, re-reading the file.
      if (this.#stamp === "") throw e;
      this.#keepLastGood(stamp, text, e);
      return;
    }
    this.#stamp = stamp;
    this.#badStamp = "";
    this.#badText = undefined;
  }

  // Said once per broken version, and not read again until it changes
  // (but for a version seconds old, read again as above, told once):
  // before, a mistyped edit was silent (the new token just got 401) and
  // every request read and parsed the broken file again.
  #keepLastGood(stamp: string, text: string | undefined, e: unknown): void {
    this.#badStamp = stamp;
    // Told once per broken text, however often a recent one is read again.
    if (text !== undefined && text === this.#badText) return;
    this.#badText = text;
    const error = e instanceof Error ? e : new Error(String(e));
    this.#onReloadError(
      new InvalidInputError(
        `${error.message}; keeping the ${
          counted(this.#names.size, "token")
        } of its last good version`,
        { cause: e },
      ),
    );
  }
}

/**
 * How close to its modification time a token file read may be and still be
 * read again at the next request (timestamps move in ticks of up to a few
 * ms on Linux, 2 s on FAT).
 */
const RACY_MS = 2_000;

// A token file holds a line per token: a few KB for a team.
const MAX_TOKEN_FILE_BYTES = 16 * 1024 * 1024;

// The token file's text (undefined when it is missing). Looked at before it
// is opened: opening a FIFO blocks until something writes to it (a FIFO as
// the token file hung `vc serve`'s every request and `vc serve add-token`),
// and a device (`/dev/zero`) or a huge file was read until memory ran out.
// `given` is the path as the user gave it (`path` may be the file a link
// there leads to): the error names it, and where a link leads.
async function readTokenFile(path: string, given = path): Promise<string | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  if (!info.isFile) {
    const to = await linkTarget(given, "token file").catch(() => undefined);
    const named = to === undefined || to === resolve(given) ? given : `${given} (a link to ${to})`;
    throw new InvalidInputError(
      `token file ${named} is ${fileKind(info)}, not a regular file`,
    );
  }
  return await readTextCapped(path, {
    maxBytes: MAX_TOKEN_FILE_BYTES,
    what: "token file",
    allowMissing: true,
  });
}

// Each token's identity, keyed by its hash: one object per name, shared by
// the requests of every token of that name.
function identities(names: Map<string, string>): Map<string, Identity> {
  const byName = new Map<string, Identity>();
  const out = new Map<string, Identity>();
  for (const [hash, name] of names) {
    let identity = byName.get(name);
    if (identity === undefined) {
      byName.set(name, identity = { tokenId: `token-file:${name}`, name });
    }
    out.set(hash, identity);
  }
  return out;
}

function parseTokenFile(path: string, text: string): Map<string, string> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(jsonSyntaxMessage(`token file ${path}`, text, e), { cause: e });
  }
  // JSON.parse keeps the last of a hash given twice: which name was meant?
  const twice = duplicateKeyAt(text);
  if (twice !== undefined) {
    throw new InvalidInputError(
      `token file ${path} at line ${twice.line}, column ${twice.column}: the hash ${
        JSON.stringify(twice.key.slice(0, 100))
      } is given more than once (one name per token)`,
    );
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new InvalidInputError(`token file ${path} must hold a JSON object of sha256 hex → name`);
  }
  const names = new Map<string, string>();
  for (const [hash, name] of Object.entries(doc)) {
    const entry = `token file ${path}: entry ${JSON.stringify(hash.slice(0, 100))}`;
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      throw new InvalidInputError(
        `${entry}: the key must be the token's SHA-256, 64 lowercase hex digits ` +
          `(as \`printf %s TOKEN | sha256sum\` prints it)`,
      );
    }
    if (typeof name !== "string" || name === "") {
      throw new InvalidInputError(
        `${entry}: the value must be the identity's name, a non-empty string, not ${
          typeof name === "string" ? "an empty one" : JSON.stringify(name)?.slice(0, 100)
        }`,
      );
    }
    names.set(hash, name);
  }
  return names;
}

/**
 * A warning when any user of the machine may rewrite the token file (mode
 * `o+w`, the file a symlink points to checked), else `undefined`. Whoever
 * writes it can add a token under any name and read, replace or delete that
 * identity's caches, as sshd's StrictModes guards `authorized_keys` against.
 * Never on Windows (`os`, default this platform): there the mode is made up
 * from the read-only attribute (every writable file reads 0666) and access is
 * the file's ACL's, so the warning came at every start, asking for a `chmod`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addToken, tokenFileModeWarning } from "./auth.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/tokens.json`;
 *   await addToken(path, "alice"); // created 0600
 *   assert((await tokenFileModeWarning(path)) === undefined);
 *   if (Deno.build.os !== "windows") {
 *     await Deno.chmod(path, 0o666);
 *     assert((await tokenFileModeWarning(path))?.includes("chmod o-w"));
 *     assert((await tokenFileModeWarning(path, "windows")) === undefined);
 *   }
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function tokenFileModeWarning(
  path: string,
  os: typeof Deno.build.os = Deno.build.os,
): Promise<string | undefined> {
  if (os === "windows") return undefined;
  const mode = (await Deno.stat(path)).mode;
  if (mode === null || (mode & 0o002) === 0) return undefined;
  return `token file ${path} is writable by every user (mode ${
    (mode & 0o7777).toString(8).padStart(4, "0")
  }): anyone on this machine can add a token for any identity and use its caches; ` +
    `run: chmod o-w ${shellWord(path)}`;
}

/**
 * Refuses an identity name {@linkcode addToken} would not write (checked
 * apart so the command line can refuse it before touching the token file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIdentityName } from "./auth.ts";
 * checkIdentityName("alice@example.org");
 * assert.throws(() => checkIdentityName("a b"), /identity name "a b"/);
 * ```
 */
export function checkIdentityName(name: string): void {
  // A number (`42`) or `true` would pass the pattern as its string, and be
  // written to the token file as a JSON number the file's reader refuses.
  if (typeof name !== "string" || !/^[A-Za-z0-9._@-]{1,128}$/.test(name)) {
    throw new InvalidInputError(
      `identity name ${
        typeof name === "string" ? JSON.stringify(name) : describeValue(name)
      } must be a string: 1-128 of A-Z a-z 0-9 . _ @ -`,
    );
  }
}

/** The options {@linkcode addToken} takes. */
const ADD_TOKEN_OPTIONS = { onWarning: true } as const;

/**
 * Creates a random token for `name`, adds its hash to the token file
 * (created when missing with mode 0600; an existing one, or the file a
 * symlink at `path` points to (created there when the link dangles), is
 * rewritten atomically keeping its mode and,
 * when run as root, its owner and group) and returns the
 * token, which is stored nowhere else. Two at once take turns (a lock beside
 * the file); on a file system that gives no locks they take turns within
 * the process only, and `onWarning` is told so once per process (default:
 * a `warning:` line on stderr; `vc serve add-token` passes its own).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addToken } from "./auth.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const token = await addToken(`${dir}/t.json`, "bob");
 *   const doc = JSON.parse(await Deno.readTextFile(`${dir}/t.json`));
 *   assert(Object.values(doc).includes("bob") && !JSON.stringify(doc).includes(token));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function addToken(
  path: string,
  name: string,
  options: { onWarning?: ((warning: { message: string }) => void) | undefined } = {},
): Promise<string> {
  checkPathArgument("addToken(): the token file", path);
  checkIdentityName(name);
  checkOptions("addToken()", options, ADD_TOKEN_OPTIONS);
  if (options.onWarning !== undefined) {
    checkFunction("addToken(): the option onWarning", options.onWarning);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  // Read, add, write under the file's lock: two add-tokens at once (two
  // operators, a script adding several) each kept only their own token
  // before, printing tokens the file no longer held.
  // A symlinked file (a config manager's, a Kubernetes secret's) is
  // rewritten where it points: replacing the link left its target, which
  // others may read, without the token. A dangling link is written where
  // it points too (as `>` does): at its own name the file would replace the
  // link an operator set up.
  const target = await linkTarget(path, "token file");
  const lockOptions = options.onWarning === undefined ? {} : { onWarning: options.onWarning };
  // Taking the lock (made beside the file) and writing fail on a full or
  // read-only disk: said of the token file, not in the system's words alone.
  let reading = false;
  try {
    await withFileLock(tokenFileLockPath(target), async () => {
      reading = true;
      // An empty file holds no tokens yet, as a missing one: made beforehand
      // with the owner and mode the service needs (`install -m 0640 -g vc
      // /dev/null tokens.json`), it was refused as invalid JSON.
      const text = await readTokenFile(target, path);
      const names = parseTokenFile(path, text === undefined || text.trim() === "" ? "{}" : text);
      names.set(sha256Hex(token), name);
      const doc = Object.fromEntries(names);
      reading = false;
      const before = await Deno.stat(target).catch(() => undefined);
      // An existing file keeps its owner and group, as its mode: a file
      // `root:vc 0640` that root rewrote came back `root:root 0600`, which the
      // service running as `vc` could no longer read. Only root may give a
      // file away; anyone else writes it as their own, as before. The temp
      // file is locked while written, and those a `kill -9` left beside the
      // file (which no sweep saw: they stayed for good) are removed.
      // The file's own indent and line breaks (four spaces, a Windows
      // editor's CRLF): the token added is one more line in its diff.
      const indent = /^\{[ \t]*\r?\n([ \t]+)"/.exec(text ?? "")?.[1] ?? "  ";
      const eol = text?.includes("\r\n") ? "\r\n" : "\n";
      const body = JSON.stringify(doc, null, indent).replaceAll("\n", eol) + eol;
      await writeFileAtomic(target, body, {
        sweepAbandoned: true,
        mode: before?.mode == null ? 0o600 : before.mode & 0o7777,
      });
    }, lockOptions);
  } catch (error) {
    if (reading) throw error;
    throw tokenFileWriteError(target, error);
  }
  return token;
}

/**
 * `cause`, from taking the lock of the token file `target` or writing it,
 * as an error naming the file and why (vc's own errors are returned as
 * they are).
 */
function tokenFileWriteError(target: string, cause: unknown): unknown {
  if (cause instanceof VcError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  const why = isNoSpaceError(cause)
    ? "no space left on its device: free space there"
    : isReadOnlyFs(cause)
    ? "it is on a read-only file system"
    : isPermissionError(cause)
    ? "this user may not write it or its directory: run as the file's owner"
    : undefined;
  return new VcError(
    `cannot write token file ${target}: ${why === undefined ? message : `${why} (${message})`}; ` +
      "no token was added",
    { cause },
  );
}

/**
 * The lock file {@linkcode addToken} holds while it rewrites a token file:
 * `.<name>.lock` beside it (the token file itself is replaced by rename, so
 * it cannot carry the lock). A script that edits the file should hold it too
 * (an exclusive `flock`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenFileLockPath } from "./auth.ts";
 * assert.equal(tokenFileLockPath("/etc/vc/tokens.json"), "/etc/vc/.tokens.json.lock");
 * ```
 */
export function tokenFileLockPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.lock`);
}

/**
 * Whether two token_ids are one KBase user's under two spellings of one auth
 * URL (`https://h/auth` and `https://h/auth/`, the host's case, a default
 * port): {@linkcode KBaseAuth} keeps the URL as configured in the token_id,
 * as KBase deployments do, so instances of the service on one store given
 * the URL spelled otherwise take the same user for two owners. Identical
 * token_ids, other users, and token_ids that are not `{http(s) URL}:{user}`
 * are not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameUserOtherAuthUrl } from "./auth.ts";
 * assert(sameUserOtherAuthUrl("https://h/auth:alice", "https://h/auth/:alice"));
 * assert(sameUserOtherAuthUrl("https://H:443/auth:alice", "https://h/auth:alice"));
 * assert(!sameUserOtherAuthUrl("https://h/auth:alice", "https://h/auth:alice"));
 * assert(!sameUserOtherAuthUrl("https://h/auth:alice", "https://h/auth/:bob"));
 * assert(!sameUserOtherAuthUrl("https://h/auth:alice", "https://other/auth:alice"));
 * assert(!sameUserOtherAuthUrl("token-file:alice", "https://h/auth:alice"));
 * ```
 */
export function sameUserOtherAuthUrl(a: string, b: string): boolean {
  if (a === b) return false;
  const [urlA, userA] = splitTokenId(a);
  const [urlB, userB] = splitTokenId(b);
  return userA !== "" && userA === userB && sameAuthUrlOtherSpelling(urlA, urlB);
}

/**
 * Whether `a` and `b` are two spellings of one http(s) URL (a trailing
 * slash, the host's case, a default port): one auth service, which
 * {@linkcode KBaseAuth} puts in token_ids as written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameAuthUrlOtherSpelling } from "./auth.ts";
 * assert(sameAuthUrlOtherSpelling("https://h/auth/", "https://h/auth"));
 * assert(!sameAuthUrlOtherSpelling("https://h/auth", "https://h/auth"));
 * assert(!sameAuthUrlOtherSpelling("https://h/auth", "https://h/other"));
 * assert(!sameAuthUrlOtherSpelling("token-file", "https://h/auth"));
 * ```
 */
export function sameAuthUrlOtherSpelling(a: string, b: string): boolean {
  if (a === b) return false;
  const canonical = (text: string) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.href.replace(/\/+$/, "");
  };
  const left = canonical(a);
  return left !== undefined && left === canonical(b);
}

/**
 * The auth URL in the token_id `owner` when it is a {@linkcode KBaseAuth}
 * one (`{http(s) URL}:{user}`), else undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenIdAuthUrl } from "./auth.ts";
 * assert.equal(tokenIdAuthUrl("https://h:8443/auth/:alice"), "https://h:8443/auth/");
 * assert.equal(tokenIdAuthUrl("token-file:alice"), undefined);
 * ```
 */
export function tokenIdAuthUrl(owner: string): string | undefined {
  const [url, user] = splitTokenId(owner);
  return user !== "" && /^https?:\/\//i.test(url) ? url : undefined;
}

/** A token_id's part before its last `:` and the user after it. */
function splitTokenId(tokenId: string): [string, string] {
  const at = tokenId.lastIndexOf(":");
  return at < 0 ? [tokenId, ""] : [tokenId.slice(0, at), tokenId.slice(at + 1)];
}
