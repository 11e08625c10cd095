/**
 * Runs the cache service over HTTP with `Deno.serve`, with the background
 * expiry sweep and graceful shutdown: when the signal aborts, new requests
 * get 503, the requests in flight finish (uploads included), then the
 * server closes. When `cancel` aborts (the drain is cut short), the uploads
 * in flight are abandoned instead: their store writes aborted, answered
 * 503; the shutdown then waits only for the requests that write, not for
 * downloads, which the process's exit ends.
 *
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import { InvalidInputError } from "../errors.ts";
import { sleep } from "../store/retry.ts";
import {
  CACHE_SERVICE_OPTIONS,
  type CacheHandler,
  type CacheServiceOptions,
  createHandler,
} from "./handler.ts";
import {
  checkNonNegativeNumber,
  checkRequiredOptions,
  type OptionNames,
} from "../options_check.ts";
import { errorResponse, malformedHttp } from "./http_error.ts";
import { formatEventLine, formatLogLine, guardedLog } from "./log.ts";
import { SECURITY_HEADERS } from "./mime.ts";
import { normalizeBasePath } from "./routes.ts";
import { relayFailure } from "./relay_idle.ts";
import {
  DEFAULT_HEADER_TIMEOUT_MS,
  DEFAULT_MAX_IDLE_CONNECTIONS,
  dropEchoedClose,
  serveWithHeadTimeout,
} from "./head_timeout.ts";
import { runSweeps } from "./sweep.ts";

/** Longest wait between two tries to listen again after accepting failed. */
const RELISTEN_MAX_DELAY_MS = 2_000;

/** How long a shutdown waits, once every request is answered, for clients to close their connections. */
const SHUTDOWN_GRACE_MS = 1_000;

/** Options for {@linkcode serveCache}. */
export interface ServeCacheOptions extends CacheServiceOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  hostname?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /**
   * Milliseconds between expiry sweeps (default 1 hour; 0 disables). The
   * first comes at a random moment within the first interval, past the
   * first minute, so instances started together do not sweep at once.
   */
  sweepIntervalMs?: number;
  /**
   * Milliseconds a connection may go without a complete request head while
   * it holds no request in flight (default 60 s; 0: no bound): from its
   * start, or from the end of its last answer (an idle keep-alive
   * connection, or one whose answered request's body never finishes
   * arriving). It is then closed, unanswered, so clients that trickle a
   * head (slowloris) or leave connections open hold a file descriptor for
   * at most that long.
   */
  headerTimeoutMs?: number;
  /**
   * Most connections holding no request in flight (a head not complete
   * yet, or idle after an answer) kept at once (default 512): past it, the
   * one idle longest is closed. Only with `headerTimeoutMs` above 0.
   */
  maxIdleConnections?: number;
  /**
   * Shuts the server down gracefully when aborted. A signal (or `cancel`)
   * aborted before the call rejects it with its reason, listening on nothing.
   */
  signal?: AbortSignal;
  // `cancel` (from CacheServiceOptions) shuts it down too, abandoning the
  // uploads in flight (see the module's notes).
}

/** A running cache service. */
export interface RunningCacheService extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:8080/cache`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The request handler. */
  readonly handler: CacheHandler;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
  /**
   * Stops accepting, finishes requests in flight, stops the sweep.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { serveCache } from "./serve.ts";
   * await using store = new MemoryStore();
   * const service = await serveCache({
   *   store,
   *   auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
   *   port: 0,
   *   log: () => {},
   * });
   * assert((await fetch(`${service.url}/healthz`).then((r) => r.json())).status === "ok");
   * await service.shutdown();
   * await service.finished; // resolved: the port is free
   * await assert.rejects(fetch(`${service.url}/healthz`));
   * ```
   */
  shutdown(): Promise<void>;
}

// The option names serveCache takes (a misspelt one is refused, not ignored).
const SERVE_CACHE_OPTIONS: OptionNames<ServeCacheOptions> = {
  ...CACHE_SERVICE_OPTIONS,
  hostname: true,
  port: true,
  sweepIntervalMs: true,
  headerTimeoutMs: true,
  maxIdleConnections: true,
  signal: true,
};

/**
 * Starts the cache service.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { serveCache } from "./serve.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using service = await serveCache({
 *     store: new FsStore(dir),
 *     auth: { authenticate: () => Promise.reject(new Error("unused")) },
 *     port: 0,
 *     log: () => {},
 *   });
 *   const res = await fetch(`${service.url}/healthz`);
 *   assert((await res.json()).status === "ok");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function serveCache(options: ServeCacheOptions): Promise<RunningCacheService> {
  let draining = false;
  let handler: CacheHandler;
  // Options refused reject the promise, as a port that cannot be listened on
  // does below: a caller's `.catch()` sees them, not a synchronous throw.
  try {
    checkRequiredOptions("serveCache", options, SERVE_CACHE_OPTIONS);
    // NaN (or a negative) failed `interval > 0`: no sweep ever ran, unsaid.
    checkNonNegativeNumber("serveCache: the option sweepIntervalMs", options.sweepIntervalMs);
    checkNonNegativeNumber("serveCache: the option headerTimeoutMs", options.headerTimeoutMs);
    if (
      options.maxIdleConnections !== undefined &&
      !(Number.isInteger(options.maxIdleConnections) && options.maxIdleConnections >= 1)
    ) {
      throw new InvalidInputError(
        `serveCache: the option maxIdleConnections must be a whole number of 1 or more, ` +
          `not ${String(options.maxIdleConnections)}`,
      );
    }
    // The handler gets its own options only: it refuses the server's.
    const {
      hostname: _h,
      port: _p,
      sweepIntervalMs: _s,
      headerTimeoutMs: _ht,
      maxIdleConnections: _mic,
      signal: _signal,
      ...service
    } = options;
    handler = createHandler({ ...service, shuttingDown: () => draining });
  } catch (error) {
    return Promise.reject(error);
  }
  // An abort event fires once, when the signal aborts: a signal aborted
  // before the call would never shut the service down, which then served
  // for good. Nothing is listened on for it.
  const aborted = [options.signal, options.cancel].find((signal) => signal?.aborted);
  if (aborted !== undefined) return Promise.reject(aborted.reason);
  const clock: Clock = options.clock ?? systemClock;
  const log = guardedLog(options.log ?? ((line: string) => console.error(line)));
  // Stops the background work on shutdown: the sweeps, and listening again.
  const stopBackground = new AbortController();
  // Resolved when a shutdown stops waiting for connections (see shutdown).
  const { promise: connectionsLeft, resolve: leaveConnections } = Promise.withResolvers<void>();
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  // Requests in flight, and those of them that write to the store (all but
  // GET and HEAD). Once `cancel` aborts, the uploads are aborted and end
  // soon; a download to a slow client is not waited for.
  let active = 0;
  let writing = 0;
  let idle: (() => void) | undefined;
  const settled = (): boolean =>
    active === 0 || (options.cancel?.aborted === true && writing === 0);
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 8080;
  const logError = (message: string): void =>
    log(formatLogLine({
      time: new Date().toISOString(),
      request_id: "-",
      method: "-",
      route: "unknown",
      status: 500,
      bytes_in: 0,
      bytes_out: 0,
      ms: 0,
      error: message,
    }));
  const onError = (e: unknown): Response => {
    // A download's body that failed mid-way (its store's file cut short, a
    // stall): its request's own line tells it already.
    if (relayFailure(e)) return errorResponse(500, "internal error", SECURITY_HEADERS);
    logError(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return errorResponse(500, "internal error", SECURITY_HEADERS);
  };
  // A connection given up on before any request of it reached the handler
  // (see head_timeout.ts): a line naming its client, as a request's has.
  const onConnectionError = (e: unknown, remote: Deno.NetAddr | undefined): void =>
    log(formatLogLine({
      time: new Date().toISOString(),
      request_id: "-",
      method: "-",
      route: "unknown",
      status: malformedHttp(e) ? 400 : 500,
      bytes_in: 0,
      bytes_out: 0,
      ms: 0,
      ...(remote?.transport === "tcp" ? { remote: remote.hostname } : {}),
      error: malformedHttp(e)
        ? `malformed request (${(e as Error).message}): its connection was closed, unanswered`
        : e instanceof Error
        ? e.message
        : String(e),
    }));
  const headerTimeoutMs = options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS;
  const maxIdleConnections = options.maxIdleConnections ?? DEFAULT_MAX_IDLE_CONNECTIONS;
  // Connections with no request in flight are closed after headerTimeoutMs
  // (slowloris, see head_timeout.ts); Deno.serve where that cannot be done.
  const listen = (on: number, onListen: (addr: Deno.NetAddr) => void) =>
    (headerTimeoutMs > 0 && headerTimeoutMs < Infinity
      ? serveWithHeadTimeout(
        {
          hostname,
          port: on,
          headerTimeoutMs,
          maxIdleConnections,
          onListen,
          onError,
          onConnectionError,
        },
        handle,
      )
      : undefined) ??
      Deno.serve({ hostname, port: on, onListen, onError }, async (request, info) => {
        const response = await handle(request, info);
        // Deno adds its own close to the answer of a request that asked for it.
        dropEchoedClose(request, response);
        return response;
      });
  const handle = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
    // Draining: Deno's own shutdown cuts request bodies still arriving, so
    // in-flight requests finish first and new ones are turned away: the
    // handler answers them 503 (logged and counted; before, they bypassed
    // it and left no log line), and they are not waited for.
    if (draining) return handler(request, info);
    const writes = request.method !== "GET" && request.method !== "HEAD";
    active++;
    if (writes) writing++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      active--;
      if (writes) writing--;
      if (settled()) idle?.();
    };
    info.completed.catch(() => {}).finally(done);
    // A download cut past its bound no longer holds a drain, even while
    // Deno.serve still relays a store's body it cannot stop.
    return handler(request, {
      completed: info.completed,
      remoteAddr: info.remoteAddr,
      onCut: done,
    });
  };
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = listen(port, (addr) => resolve(addr));
  } catch (error) {
    // A taken port, an address this host does not have, an unknown host name.
    return Promise.reject(
      new InvalidInputError(
        `cannot listen on ${hostname}:${port}: ${(error as Error).message}`,
        { cause: error },
      ),
    );
  }
  let stopping: Promise<void> | undefined;
  // Deno.serve's accept loop ends on its first failure, e.g. when every file
  // descriptor is taken (idle connections a client opened and left): the
  // service would stop. It listens again on the same port instead, trying
  // until descriptors are free again.
  const serving = (async () => {
    const { port: bound } = await listening;
    while (true) {
      try {
        await Promise.race([server.finished, connectionsLeft]);
        return; // shut down
      } catch (e) {
        if (stopBackground.signal.aborted) return;
        // Deno's per-connection server broke (see head_timeout.ts): no
        // descriptors are lacking.
        const hint = e instanceof Error && e.message.includes("serving with Deno.serve")
          ? ""
          : " (raise the open-file limit, ulimit -n, or put a proxy in front)";
        logError(
          `accepting connections failed: ${(e as Error).message}; listening again on ` +
            `${hostname}:${bound}${hint}`,
        );
      }
      for (let delay = 100;; delay = Math.min(delay * 2, RELISTEN_MAX_DELAY_MS)) {
        if (!await sleep(delay, stopBackground.signal).then(() => true, () => false)) return;
        // A shutdown between the sleep's end and here: a listener made now
        // would never be shut down, and the shutdown would wait for it.
        if (stopBackground.signal.aborted) return;
        try {
          server = listen(bound, () => {});
          break;
        } catch (e) {
          logError(`cannot listen on ${hostname}:${bound} again: ${(e as Error).message}`);
        }
      }
    }
  })();
  const interval = options.sweepIntervalMs ?? 3_600_000;
  const sweeping = interval > 0
    ? runSweeps(handler.entries, {
      intervalMs: interval,
      firstDelayMs: firstSweepDelay(interval),
      clock,
      signal: stopBackground.signal,
      onSweep: (r) =>
        log(formatEventLine("sweep", r instanceof Error ? { error: r.message } : { ...r })),
    })
    : Promise.resolve();
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      stopBackground.abort();
      draining = true;
      if (!settled()) {
        const { promise, resolve } = Promise.withResolvers<void>();
        idle = resolve;
        await promise;
      }
      // Every request is answered. Deno's graceful shutdown closes the
      // listener, lets the last answers go out, then waits for every
      // connection to end, also those their clients leave open, idle or with
      // a request body never read (a refused upload whose client sends no
      // more): forever. Past a grace period they are left to their clients
      // (or to the process's exit); a request they still send gets 503.
      // (Aborting Deno.serve's signal would close them, but throws from
      // inside Deno once a graceful shutdown has started.)
      const graceOver = new AbortController();
      const closed = await Promise.race([
        // A listener that failed is closed already.
        server.shutdown().then(() => true, () => true),
        sleep(SHUTDOWN_GRACE_MS, graceOver.signal).then(() => false, () => false),
      ]);
      graceOver.abort();
      if (!closed) {
        server.unref();
        leaveConnections();
      }
      await serving;
      await sweeping;
    })();
    return stopping;
  };
  options.signal?.addEventListener("abort", () => void shutdown(), { once: true });
  options.cancel?.addEventListener("abort", () => {
    void shutdown();
    // A drain already under way may now wait for fewer requests.
    if (settled()) idle?.();
  }, { once: true });
  const finished = serving.then(() => sweeping);
  return listening.then((addr) => {
    const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
    const base = normalizeBasePath(options.basePath);
    return {
      url: `http://${host}:${addr.port}${base}`,
      port: addr.port,
      handler,
      finished,
      shutdown,
      [Symbol.asyncDispose]: shutdown,
    };
  });
}

/** No sweep in an instance's first minute: a crash loop does not list the store on every start. */
const FIRST_SWEEP_AFTER_MS = 60_000;

/**
 * When an instance sweeps first: a random moment within its first interval,
 * past its first minute (see `SweepLoopOptions.firstDelayMs` in sweep.ts).
 */
function firstSweepDelay(interval: number): number {
  const least = Math.min(interval, FIRST_SWEEP_AFTER_MS);
  return least + Math.floor(Math.random() * (interval - least));
}
