/**
 * A bound on connections that hold no request (slowloris). `Deno.serve`
 * (2.9.6) has no timeout for a request head: a client that trickles one, a
 * byte at a time, or never finishes it, or leaves its connection open after
 * an answer (also one whose refused request's body never finishes arriving,
 * which Deno waits for to drain it) held a file descriptor until it closed
 * the connection, so their number was bounded only by the open-file limit.
 *
 * Here the service accepts connections itself and serves each with Deno's
 * own per-connection server (`serveHttpOnConnection`, the one `Deno.serve`
 * runs per connection), so it knows when a connection has no request in
 * flight: from its start, and from the end of each answer, it has
 * `headerTimeoutMs` to bring a complete request head, or it is closed,
 * unanswered; a connection whose answer says `Connection: close` is closed
 * soon after that answer is sent, a request pipelined behind it neither
 * handed to the handler nor answered (RFC 9112 §9.6); and when more than
 * `maxIdleConnections` hold no request, the one idle longest is closed, so
 * a flood of them cannot take every file descriptor while good clients,
 * whose heads come at once, are served. A request in flight (a slow upload
 * or download) is never cut by this bound: its body has bounds of its own.
 *
 * Where Deno does not offer that server (another runtime version), this
 * returns undefined and `Deno.serve` is used, without the bound.
 *
 * One bad connection never stops the others: a connection reset before it
 * is accepted (a load balancer's TCP check, a port scan) is let go, and so
 * is one Deno's per-connection server throws for (closed, reported to
 * `onConnectionError`); only a failure that is not about one connection (no
 * file descriptor left) ends the accept loop. Should that server fail for
 * {@linkcode BROKEN_AFTER} connections in a row, not one served between
 * (its internal API changed), it is not used again: the loop ends, and the
 * caller's listening again gets `Deno.serve`.
 *
 * @module
 */
import { malformedHttp } from "./http_error.ts";
import { MAX_TIMER_MS } from "../store/retry.ts";

/** Default for `headerTimeoutMs`: as Node's `headersTimeout` and nginx's `client_header_timeout`. */
export const DEFAULT_HEADER_TIMEOUT_MS = 60_000;

/**
 * How long a connection whose answer says `Connection: close` is kept after
 * it (at most `headerTimeoutMs`), reading what its client still sends, as
 * Apache's lingering close does.
 */
const LINGER_MS = 250;

/** A timer this much past its time found the event loop busy (see `wait`). */
const LATE_MS = 100;

/** Default for `maxIdleConnections`: well under the usual open-file limit of 1024. */
export const DEFAULT_MAX_IDLE_CONNECTIONS = 512;

type ServeConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: Deno.ServeHandler<Deno.NetAddr>,
  onError: (error: unknown) => Response | Promise<Response>,
  onListen: (scheme: string) => void,
) => Deno.HttpServer<Deno.NetAddr>;

/** Per-connection server failures in a row, none served between, after which it is not used again. */
export const BROKEN_AFTER = 3;

/** Set once Deno's per-connection server failed {@linkcode BROKEN_AFTER} times in a row. */
let broken = false;

/**
 * Whether `accept` failed for one connection only (its client reset or
 * aborted it before it was accepted), not for the listener.
 */
function connectionGone(error: unknown): boolean {
  if (
    error instanceof Deno.errors.NotConnected || error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted
  ) return true;
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" &&
    ["ENOTCONN", "ECONNRESET", "ECONNABORTED", "EPROTO", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]
      .includes(code);
}

/** Whether `headers`' `Connection` holds the `close` option (RFC 9110 §7.6.1: a list). */
function saysClose(headers: Headers): boolean {
  return /(^|,)\s*close\s*(,|$)/i.test(headers.get("connection") ?? "");
}

/**
 * Drops the `Connection: close` of an answer to a request that asked for the
 * close itself (`Connection: close`, as Python's `urllib.request` sends on
 * every request): Deno's HTTP server adds its own to that answer, so the
 * service's made the header come twice. The connection closes all the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dropEchoedClose } from "./head_timeout.ts";
 * const answer = new Response("busy", { status: 503, headers: { connection: "close" } });
 * dropEchoedClose(new Request("http://x/", { headers: { connection: "close" } }), answer);
 * assert(answer.headers.get("connection") === null);
 * ```
 */
export function dropEchoedClose(request: Request, response: Response): void {
  if (!saysClose(request.headers) || !saysClose(response.headers)) return;
  try {
    response.headers.delete("connection");
  } catch { /* an answer whose headers are immutable keeps them, twice or not */ }
}

/**
 * Aborts `close`, the signal of one connection's server, when that
 * connection may have closed already: its client left, and Deno closed the
 * connection before its `finished` settled (there is no telling before).
 * Deno's abort listener then throws `BadResource` from the event dispatch,
 * where no caller can catch it: reported as uncaught, it ended the process
 * (`vc serve` died when many clients left mid-download at once, past
 * `maxIdleConnections`). That error, and only while this abort runs, is let
 * go: the connection it names is closed already.
 */
function abortOpen(close: AbortController): void {
  const closedAlready = (event: ErrorEvent) => {
    if (event.error instanceof Deno.errors.BadResource) event.preventDefault();
  };
  globalThis.addEventListener("error", closedAlready);
  try {
    close.abort();
  } finally {
    globalThis.removeEventListener("error", closedAlready);
  }
}

/** Deno's per-connection server, when this runtime has it. */
function connectionServer(): ServeConnection | undefined {
  if (broken) return undefined;
  // deno-lint-ignore no-explicit-any
  const internal = (Deno as any)[(Deno as any).internal];
  const serve = internal?.serveHttpOnConnection;
  return typeof serve === "function" ? serve : undefined;
}

/** Options of {@linkcode serveWithHeadTimeout}. */
export interface HeadTimeoutServeOptions {
  /** Interface to listen on. */
  hostname: string;
  /** Port (0: a free one). */
  port: number;
  /** Milliseconds a connection with no request in flight may take to bring a request head. */
  headerTimeoutMs: number;
  /**
   * Most connections with no request in flight held at once: past it, the
   * one idle longest is closed (a client that completes its head at once
   * is never idle long enough to be the one).
   */
  maxIdleConnections: number;
  /** Called with the address once listening. */
  onListen: (addr: Deno.NetAddr) => void;
  /** As `Deno.serve`'s. */
  onError: (error: unknown) => Response | Promise<Response>;
  /**
   * Told of a connection given up on, not a request's (no handler ran):
   * Deno's per-connection server threw for it. `remote`: its client.
   */
  onConnectionError?: (error: unknown, remote: Deno.NetAddr | undefined) => void;
}

/**
 * Serves as `Deno.serve` does, closing connections that hold no request for
 * `headerTimeoutMs`, and the one idle longest when more than
 * `maxIdleConnections` hold none (see the module's notes); undefined where the runtime
 * lacks the per-connection server. `finished` rejects when accepting fails
 * (as `Deno.serve`'s does), `shutdown` stops accepting and waits for each
 * connection as `Deno.serve`'s does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveWithHeadTimeout } from "./head_timeout.ts";
 * const server = serveWithHeadTimeout({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   headerTimeoutMs: 100,
 *   maxIdleConnections: 10,
 *   onListen: () => {},
 *   onError: () => new Response("error", { status: 500 }),
 * }, () => new Response("ok"));
 * if (server !== undefined) {
 *   const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 *   assert((await res.text()) === "ok");
 *   await server.shutdown();
 * }
 * ```
 */
export function serveWithHeadTimeout(
  options: HeadTimeoutServeOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): Deno.HttpServer<Deno.NetAddr> | undefined {
  const serveConnection = connectionServer();
  if (serveConnection === undefined) return undefined;
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const addr = listener.addr;
  // Each connection's server, with its signal: one aborted (closed) is not
  // shut down again, only waited for.
  const servers = new Map<Deno.HttpServer<Deno.NetAddr>, AbortSignal>();
  let closing = false;
  let referenced = true;
  // The connections with no request in flight, the one idle longest first
  // (a Set keeps its insertion order).
  const idle = new Set<{ end: () => void }>();
  // The connections holding a request left unanswered after a closing
  // answer, till their linger ends: a graceful shutdown would wait for it.
  const dropped = new Set<{ end: () => void }>();
  // Per-connection server failures since one was last served.
  let failures = 0;
  const report = (error: unknown, remote: Deno.NetAddr | undefined): void => {
    try {
      options.onConnectionError?.(error, remote);
    } catch { /* a logger's failure does not stop the loop */ }
  };
  const serve = (conn: Deno.Conn): void => {
    const close = new AbortController();
    let ended = false;
    // Closes the connection, unless it or the whole server is shutting down
    // already: Deno throws, uncaught, for the abort of a closed server.
    const end = () => {
      if (ended || closing || close.signal.aborted) return;
      abortOpen(close);
    };
    const entry = { end };
    let inFlight = 0;
    // Set once an answer on this connection says `Connection: close`: no
    // request after it is served (RFC 9112 §9.6), whichever its client
    // pipelined behind it; the connection ends with the linger.
    let closeSent = false;
    // Set once a request came while another was in flight, neither with a
    // Host: only HTTP/2 multiplexes (HTTP/1.x answers one request at a time),
    // and it carries `:authority` instead. Deno tells a handler no protocol
    // version, and a missing Host alone is no sign of it: an HTTP/1.1 client
    // that omits Host had its requests pipelined behind a closing answer served.
    let multiplexed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A timer that fires late (the event loop was busy: a head that came in
    // time may not have been handed over yet) waits once more before the
    // close: a good client's request is not cut for the service's stall.
    // A bound past a timer's longest delay (`--header-timeout 30d`) is
    // waited for in steps: one timer for it fired at once, and closed every
    // connection 1 ms after it opened or was answered.
    const wait = (ms: number, once: boolean, due = performance.now() + ms) => {
      const step = Math.min(ms, MAX_TIMER_MS);
      const armed = setTimeout(() => {
        if (step < ms) wait(ms - step, once, due);
        else if (once && performance.now() - due > LATE_MS) wait(Math.min(ms, LINGER_MS), false);
        else end();
      }, step);
      Deno.unrefTimer(armed);
      timer = armed;
    };
    const arm = () => {
      wait(options.headerTimeoutMs, true);
      idle.add(entry);
      if (idle.size > options.maxIdleConnections) {
        const longest = idle.values().next().value!;
        idle.delete(longest);
        longest.end();
      }
    };
    close.signal.addEventListener("abort", () => {
      idle.delete(entry);
      dropped.delete(entry);
    }, { once: true });
    arm();
    const remote = conn.remoteAddr as Deno.NetAddr;
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = serveConnection(
        conn,
        close.signal,
        async (request, info) => {
          // A request that came after a closing answer (read during the
          // linger: the close is this wrapper's, so Deno parses on) is not
          // handed to the handler, and left unanswered, not even an error,
          // until the linger's timer closes the connection. Before, it was
          // served, and its keep-alive answer cancelled the close.
          if (closeSent) {
            dropped.add(entry);
            return new Promise<Response>(() => {});
          }
          clearTimeout(timer);
          timer = undefined;
          idle.delete(entry);
          if (inFlight > 0 && !request.headers.has("host")) multiplexed = true;
          inFlight++;
          let closeAfter = false;
          info.completed.catch(() => {}).finally(() => {
            // A connection already finished (its client left) is idle no
            // more: counted, it would make a live one be closed for room.
            if (--inFlight > 0 || ended || close.signal.aborted) return;
            if (!closeAfter) return arm();
            // Not at once: a close with the client's bytes still unread makes
            // the kernel send a reset, which can lose the answer before its
            // client reads it. Meanwhile the rest is read and let go.
            // (Not waited for longer when late: reading that rest is what
            // keeps the loop busy.)
            wait(Math.min(options.headerTimeoutMs, LINGER_MS), false);
          });
          const response = await handler(request, info);
          // An answer that says `Connection: close` (a body left unread: a
          // 408, a queued upload's 503) closes its connection once sent:
          // Deno.serve kept it open, draining the body, for as long as the
          // client went on sending it, or never sent the rest.
          closeAfter = saysClose(response.headers);
          // Over HTTP/2 (a client that opened with its preface: `curl
          // --http2-prior-knowledge`, a proxy's h2c) the close is its
          // stream's alone: the requests on the connection's other streams
          // are answered. Before, every one after it was left unanswered, for
          // good. Told by its streams in flight at once (`multiplexed`). A
          // connection that never had two is closed as HTTP/1.1's is.
          if (closeAfter && !multiplexed) closeSent = true;
          dropEchoedClose(request, response);
          return response;
        },
        options.onError,
        () => {},
      );
    } catch (e) {
      clearTimeout(timer);
      ended = true;
      idle.delete(entry);
      try {
        conn.close();
      } catch { /* closed */ }
      // Its client left: nothing to tell.
      if (connectionGone(e)) return;
      report(e, remote);
      if (++failures >= BROKEN_AFTER) {
        broken = true;
        throw new Error(
          `Deno's per-connection server failed for ${failures} connections in a row ` +
            `(${e instanceof Error ? e.message : String(e)}); serving with Deno.serve, ` +
            `without the header timeout`,
          { cause: e },
        );
      }
      return;
    }
    failures = 0;
    if (!referenced) server.unref();
    servers.set(server, close.signal);
    // A request Deno's parser refused past its head (a chunk size not in
    // hex): no handler ran, nothing was answered, and the operator is told
    // (the error names what broke, never the body's bytes). A client that
    // reset its connection is not news.
    server.finished.catch((e) => {
      if (malformedHttp(e)) report(e, remote);
    }).finally(() => {
      clearTimeout(timer);
      ended = true;
      idle.delete(entry);
      dropped.delete(entry);
      servers.delete(server);
    });
  };
  const accepting = (async () => {
    while (true) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (closing) return;
        // Reset by its client before it was accepted: the next one is.
        if (connectionGone(e)) continue;
        // As Deno.serve's loop: the first failure (no file descriptor left)
        // ends it; the caller listens again.
        try {
          listener.close();
        } catch { /* closed */ }
        throw e;
      }
      if (closing) {
        conn.close();
        continue;
      }
      try {
        serve(conn);
      } catch (e) {
        // Deno's per-connection server is broken here: the caller listens again, with Deno.serve.
        try {
          listener.close();
        } catch { /* closed */ }
        throw e;
      }
    }
  })();
  const finished = accepting.then(async () => {
    await Promise.all([...servers.keys()].map((s) => s.finished.catch(() => {})));
  });
  // Deno.serve's finished never rejects unhandled: neither does this.
  finished.catch(() => {});
  options.onListen(addr as Deno.NetAddr);
  return {
    addr: addr as Deno.NetAddr,
    finished,
    ref() {
      referenced = true;
      listener.ref();
      for (const server of servers.keys()) server.ref();
    },
    unref() {
      referenced = false;
      listener.unref();
      for (const server of servers.keys()) server.unref();
    },
    async shutdown() {
      if (!closing) {
        // Their answers were sent; what is left is never answered.
        for (const entry of [...dropped]) entry.end();
        closing = true;
        try {
          listener.close();
        } catch { /* closed after a failure */ }
      }
      // A graceful shutdown of a connection already closed would wait for
      // the request it left unanswered: forever.
      await Promise.all(
        [...servers].map(([s, aborted]) =>
          (aborted.aborted ? s.finished : s.shutdown()).catch(() => {})
        ),
      );
      await finished.catch(() => {});
    },
    [Symbol.asyncDispose]() {
      return this.shutdown();
    },
  };
}
