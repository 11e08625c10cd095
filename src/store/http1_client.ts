/**
 * A small HTTP/1.1 client over plain TCP with keep-alive, for the many small
 * requests of `vc serve` to an `http://` S3 endpoint (MinIO, Ceph, the fake
 * S3). `fetch` spends most of a small request in building `Request` and
 * `Headers` objects and in its ops (about 150 µs of CPU per small PUT in the
 * stress bench); one `write` and usually one `read` per request here cost
 * about half. It knows only what S3 needs: one request at a time per
 * connection, `Content-Length` request bodies, and responses framed by
 * `Content-Length`, `chunked` or the end of the connection.
 *
 * Responses are real `Response` objects. A body of known length up to
 * `wholeBodyLimit` is read before the response is returned (and handed out
 * as bytes too); longer or chunked bodies stream from the connection, which
 * goes back to the pool once the body was read to its end (a cancelled body
 * closes it). Aborting `signal` closes the connection, failing whatever is
 * pending, including a streaming body.
 *
 * No TLS, no proxies, no redirects, no decompression (nothing asks for it):
 * callers use `fetch` for those.
 *
 * @module
 */
import { onAbort } from "../abort_hub.ts";
import type { RequestUrl } from "./request_url.ts";
import { envGranted } from "../permission_granted.ts";
import { codePointLabel, inertJson } from "../printable.ts";

/** One request. */
export interface Http1Request {
  /** Method, upper case. */
  method: string;
  /** `http:` URL (a `URL`, or a {@linkcode RequestUrl}); `pathname` and `search` are sent as they are (already encoded). */
  url: RequestUrl;
  /** Header names and values (`host` and `content-length` are set here). */
  headers: Record<string, string>;
  /** Request body. */
  body?: Uint8Array | undefined;
  /** Closes the connection and fails the request (or its body) when aborted. */
  signal?: AbortSignal | undefined;
  /**
   * Called once the response's head is read (with 0), then as a body read
   * whole arrives (with the bytes so far): a caller's timeout can follow it.
   */
  onBodyBytes?: ((bytes: number) => void) | undefined;
}

/** A response, with the body's bytes when they were read whole. */
export interface Http1Response {
  /** The response (its body unread). */
  response: Response;
  /** The whole body, when it was read before returning (also `response`'s body). */
  bytes: Uint8Array | undefined;
}

/**
 * A response as parts, without a `Response` object (building one, with its
 * `Headers`, costs more CPU than the rest of a small request here).
 */
export interface Http1Exchange {
  /** Status code. */
  status: number;
  /** Reason phrase. */
  statusText: string;
  /** Header names (lower case) and values, in the order received. */
  headers: [string, string][];
  /** The whole body, when it was read before returning (`body` is null then). */
  bytes: Uint8Array | undefined;
  /** The body to stream, when not read whole; null when there is none. */
  body: ReadableStream<Uint8Array> | null;
}

/** Options of {@linkcode Http1Client}. */
export interface Http1ClientOptions {
  /** Bodies of a known length up to this are read whole before returning (default 1 MiB). */
  wholeBodyLimit?: number;
  /** Idle connections older than this are not reused (default 4 s: below common server timeouts). */
  idleMs?: number;
  /** Most idle connections kept per host (default 256). */
  maxIdle?: number;
}

const CR = 13;
const LF = 10;
const encoder = new TextEncoder();
const asciiDecoder = new TextDecoder();
// Field values fetch would refuse (control characters other than tab, or
// characters that are not one byte): they would let a value end a header.
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const NON_ASCII = /[^\t\x20-\x7e]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** One pooled TCP connection with its read buffer. */
class Connection {
  readonly conn: Deno.TcpConn;
  buf = new Uint8Array(16 * 1024);
  start = 0;
  end = 0;
  idleSince = 0;
  closed = false;
  /** In the pool, waiting for a request (see {@linkcode Connection.watchIdle}). */
  idle = false;
  /** The read started while idle; the next fill takes its result. */
  #pending: Promise<boolean> | undefined;

  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  get buffered(): number {
    return this.end - this.start;
  }

  /** Reads more bytes into the buffer; false at the end of the stream. */
  fill(): Promise<boolean> {
    const pending = this.#pending;
    if (pending === undefined) return this.#read();
    this.#pending = undefined;
    return pending;
  }

  /**
   * Reads while pooled: bytes nobody asked for (past a response, a second
   * response without a request) would otherwise be taken for the answer to
   * the next request sent here, another object's bytes that its own ETag
   * verifies. Anything that arrives (or the end) while idle closes the
   * connection; a request that takes it first gets the read's result.
   */
  watchIdle(): void {
    this.idle = true;
    // A pooled connection waits for nothing of the program's: its read must
    // not keep the process alive (a script that never closes its cache
    // would otherwise run until the server drops the connection).
    this.conn.unref();
    const read = this.#read();
    this.#pending = read;
    read.then(() => {
      if (this.idle) this.close();
    }, () => this.close());
  }

  async #read(): Promise<boolean> {
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    } else if (this.end === this.buf.length) {
      if (this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      } else {
        const bigger = new Uint8Array(this.buf.length * 2);
        bigger.set(this.buf);
        this.buf = bigger;
      }
    }
    const n = await this.conn.read(this.buf.subarray(this.end));
    if (n === null) return false;
    this.end += n;
    return true;
  }

  /** Takes up to `max` buffered bytes (a copy). */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.buffered);
    const out = this.buf.slice(this.start, this.start + n);
    this.start += n;
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** How a response body is delimited. */
type Framing = { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" } | {
  kind: "close";
};

/**
 * HTTP/1.1 keep-alive client for plain `http:` URLs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Http1Client } from "./http1_client.ts";
 * await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} },
 *   async (req) => new Response(`${req.method} ${await req.text()}`));
 * const client = new Http1Client();
 * try {
 *   const url = new URL(`http://127.0.0.1:${server.addr.port}/k`);
 *   const { response, bytes } = await client.request({
 *     method: "PUT", url, headers: {}, body: new TextEncoder().encode("hi"),
 *   });
 *   assert.equal(response.status, 200);
 *   assert.equal(new TextDecoder().decode(bytes), "PUT hi");
 * } finally {
 *   client.close();
 * }
 * ```
 */
export class Http1Client {
  readonly #wholeLimit: number;
  readonly #idleMs: number;
  readonly #maxIdle: number;
  readonly #idle = new Map<string, Connection[]>();
  /** Connections in use (closed by {@linkcode Http1Client.close} too). */
  readonly #busy = new Set<Connection>();
  #closed = false;

  /** Creates the client; connections are made on demand. */
  constructor(options: Http1ClientOptions = {}) {
    this.#wholeLimit = options.wholeBodyLimit ?? 1024 * 1024;
    this.#idleMs = options.idleMs ?? 4_000;
    this.#maxIdle = options.maxIdle ?? 256;
  }

  /**
   * Sends one request and returns its response once the head (and a body of
   * known length up to the whole-body limit) arrived. Network failures throw
   * a `TypeError` naming the URL with the cause, as `fetch` does.
   */
  async request(req: Http1Request): Promise<Http1Response> {
    const out = await this.exchange(req);
    return { response: makeResponse(out), bytes: out.bytes };
  }

  /**
   * {@linkcode Http1Client.request} without the `Response`: status, header
   * pairs, and the body as bytes (read whole) or as a stream.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Http1Client } from "./http1_client.ts";
   * await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} },
   *   () => new Response("hello", { headers: { "x-amz-meta-a": "b" } }));
   * const client = new Http1Client();
   * try {
   *   const url = new URL(`http://127.0.0.1:${server.addr.port}/k`);
   *   const out = await client.exchange({ method: "GET", url, headers: {} });
   *   assert.equal(out.status, 200);
   *   assert.deepEqual(out.headers.find(([name]) => name === "x-amz-meta-a"), ["x-amz-meta-a", "b"]);
   *   assert.equal(new TextDecoder().decode(out.bytes), "hello");
   *   assert.equal(out.body, null);
   * } finally {
   *   client.close();
   * }
   * ```
   */
  exchange(req: Http1Request): Promise<Http1Exchange> {
    return this.#exchange(req, false);
  }

  async #exchange(req: Http1Request, retried: boolean): Promise<Http1Exchange> {
    if (req.url.protocol !== "http:") {
      throw new TypeError(`Http1Client speaks plain http only, not ${req.url.protocol}`);
    }
    const head = encodeHead(req);
    req.signal?.throwIfAborted();
    const origin = req.url.host;
    // A pooled connection is taken at once: no promise, no turn of the queue.
    let conn = this.#pooled(origin);
    const reused = conn !== undefined;
    if (conn === undefined) {
      try {
        conn = await this.#connect(req.url, req.signal);
      } catch (error) {
        throw wrapError(req, error); // refused, unknown host: named like fetch names them
      }
    }
    this.#busy.add(conn);
    const stopListening = onAbort(req.signal, () => conn.close());
    let streaming = false;
    let answered = false;
    try {
      req.signal?.throwIfAborted(); // aborted while connecting
      await writeAll(conn, head, req.body);
      const parsed = await readHead(conn, req.method);
      answered = true;
      const framing = parsed.framing;
      const done = (reusable: boolean) => {
        stopListening();
        this.#busy.delete(conn);
        if (reusable && parsed.keepAlive && !this.#closed) this.#release(origin, conn);
        else conn.close();
      };
      const out = (bytes: Uint8Array | undefined, body: ReadableStream<Uint8Array> | null) => ({
        status: parsed.status,
        statusText: parsed.statusText,
        headers: parsed.headers,
        bytes,
        body,
      });
      if (framing.kind === "none") {
        done(true);
        return out(undefined, null);
      }
      req.onBodyBytes?.(0);
      if (framing.kind === "length" && framing.length <= this.#wholeLimit) {
        while (conn.buffered < framing.length) {
          if (!(await conn.fill())) throw new Error("connection closed before the body ended");
          req.onBodyBytes?.(Math.min(conn.buffered, framing.length));
        }
        const bytes = conn.take(framing.length);
        done(true);
        return out(bytes, null);
      }
      streaming = true;
      return out(undefined, bodyStream(conn, framing, done, req.signal));
    } catch (error) {
      conn.close();
      if (reused && !answered && !retried && !req.signal?.aborted && isPeerClose(error)) {
        // A pooled connection the server closed while it was idle (its
        // keep-alive timeout is shorter than ours): the ones pooled before it
        // are older, so closed too. Drop them and ask once on a new one,
        // instead of failing every retry on another dead connection.
        // (This attempt's listener and busy mark go in `finally`.)
        this.#dropIdle(origin);
        return await this.#exchange(req, true);
      }
      throw wrapError(req, error);
    } finally {
      if (!streaming) {
        stopListening();
        this.#busy.delete(conn);
      }
    }
  }

  #dropIdle(origin: string): void {
    const pool = this.#idle.get(origin);
    if (pool === undefined) return;
    this.#idle.delete(origin);
    for (const conn of pool) conn.close();
  }

  /** An idle connection to `host` (`host:port`) to reuse, if one is pooled and usable. */
  #pooled(host: string): Connection | undefined {
    const pool = this.#idle.get(host);
    if (pool !== undefined) {
      // Oldest first (pooled in the order released): those idle too long
      // are closed here, not only when the pool is emptied down to them, so
      // a burst's connections do not stay open (half-closed by the server).
      const now = Date.now();
      let stale = 0;
      while (stale < pool.length && now - pool[stale]!.idleSince >= this.#idleMs) {
        pool[stale++]!.close();
      }
      if (stale > 0) pool.splice(0, stale);
      while (pool.length > 0) {
        const conn = pool.pop()!;
        conn.idle = false;
        conn.conn.ref(); // in use again: its reads keep the process alive
        // Bytes that arrived while idle, before the watch closed it: not ours.
        if (conn.buffered > 0) conn.close();
        if (!conn.closed) return conn;
      }
    }
    return undefined;
  }

  /** A new connection for `url`, given up when `signal` aborts. */
  async #connect(url: RequestUrl, signal: AbortSignal | undefined): Promise<Connection> {
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port === "" ? 80 : Number(url.port);
    // The request's abort (its timeout) must reach the connect too: an
    // endpoint that drops SYNs (a black-hole port, a firewall) would
    // otherwise hold it for the kernel's connect timeout (minutes), keeping
    // the process alive past the error. A signal of its own, so an abort
    // after the connect never closes the connection once it is pooled.
    const connecting = signal === undefined ? undefined : new AbortController();
    const stop = connecting === undefined ? undefined : onAbort(signal, () => connecting.abort());
    let tcp: Deno.TcpConn;
    try {
      tcp = await Deno.connect({
        hostname,
        port,
        ...(connecting === undefined ? {} : { signal: connecting.signal }),
      });
    } finally {
      stop?.();
    }
    tcp.setNoDelay(true);
    return new Connection(tcp);
  }

  #release(origin: string, conn: Connection): void {
    if (conn.buffered > 0) {
      // Bytes past the response: the server is not speaking one response
      // per request. Do not reuse.
      conn.close();
      return;
    }
    let pool = this.#idle.get(origin);
    if (pool === undefined) this.#idle.set(origin, pool = []);
    if (pool.length >= this.#maxIdle) {
      conn.close();
      return;
    }
    conn.idleSince = Date.now();
    pool.push(conn);
    conn.watchIdle();
  }

  /** Closes every connection, idle or in use. Safe to call more than once. */
  close(): void {
    this.#closed = true;
    for (const pool of this.#idle.values()) for (const conn of pool) conn.close();
    this.#idle.clear();
    for (const conn of this.#busy) conn.close();
    this.#busy.clear();
  }
}

/**
 * True when the environment configures an HTTP proxy (which only `fetch`
 * honours), or when it cannot be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyConfigured } from "./http1_client.ts";
 * assert(typeof proxyConfigured() === "boolean");
 * ```
 */
export function proxyConfigured(): boolean {
  for (const name of ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"]) {
    try {
      if (proxyVariable(name) || proxyVariable(name.toLowerCase())) return true;
    } catch {
      return true; // cannot tell: stay on fetch
    }
  }
  return false;
}

/** A proxy `fetch` sends a request through, and the variable that set it. */
export interface ProxyInUse {
  /** The proxy's URL as set (may hold credentials: redact before printing). */
  url: string;
  /** `HTTP_PROXY`, `https_proxy`, `ALL_PROXY`, ... */
  variable: string;
}

/**
 * The proxy `fetch` sends a request to `endpoint` through, as Deno chooses
 * it: `ALL_PROXY`, else `HTTPS_PROXY` for https, `HTTP_PROXY` for http
 * (either case, upper first, a blank one skipped); none when `NO_PROXY` (set,
 * even blank; else `no_proxy`) names the host, a domain it is in
 * (`example.com` or `.example.com`), its IP or a CIDR block holding it (`*`:
 * every name, no IP, as Deno matches it). Undefined when none applies or the
 * variables cannot be read: for messages (see {@linkcode proxyApplies} to
 * choose a transport).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyFor } from "./http1_client.ts";
 * const p = proxyFor("http://127.0.0.1:9000");
 * assert(p === undefined || typeof p.url === "string");
 * ```
 */
export function proxyFor(endpoint: string): ProxyInUse | undefined {
  try {
    return selectProxy(endpoint);
  } catch {
    return undefined;
  }
}

/**
 * Whether `fetch` sends a request to `url` through a proxy (see
 * {@linkcode proxyFor}); true also when the variables cannot be read or the
 * URL is malformed: then only `fetch` may carry the request. The one choice
 * of every transport that bypasses `fetch` (vc's HTTP/1.1 client, the
 * `node:http(s)` senders, the AWS SDK's default handler): a proxy variable
 * that does not apply to the store (`NO_PROXY` names it, or only
 * `HTTPS_PROXY` is set for an `http:` store) keeps them in use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyApplies } from "./http1_client.ts";
 * assert.equal(typeof proxyApplies("http://127.0.0.1:9000"), "boolean");
 * assert.equal(proxyApplies("not a url"), true);
 * ```
 */
export function proxyApplies(url: string | URL): boolean {
  try {
    return selectProxy(url) !== undefined;
  } catch {
    return true;
  }
}

// A proxy variable, never prompted for: one that `--allow-env` does not cover
// throws (the caller cannot tell, and leaves the request to `fetch`), as
// under `--no-prompt`; a script run on a terminal was asked for `ALL_PROXY`.
function proxyVariable(name: string): string | undefined {
  if (!envGranted(name)) {
    throw new Deno.errors.NotCapable(`Requires env access to "${name}"`);
  }
  return Deno.env.get(name);
}

/** {@linkcode proxyFor}'s choice; throws when a variable cannot be read or the URL is malformed. */
function selectProxy(endpoint: string | URL): ProxyInUse | undefined {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const https = url.protocol === "https:";
  // A blank proxy variable falls through to the lower-case one, as in Deno;
  // a blank NO_PROXY does not (Deno reads `no_proxy` only when it is unset).
  const get = (name: string) => proxyVariable(name) || proxyVariable(name.toLowerCase());
  const lower = (name: string) => proxyVariable(name) ? name : name.toLowerCase();
  const scheme = https ? "HTTPS_PROXY" : "HTTP_PROXY";
  // ALL_PROXY first: Deno's fetch takes it over the scheme's variable when
  // both are set (a CONNECT and a plain GET alike went to ALL_PROXY's proxy).
  const variable = get("ALL_PROXY") ? lower("ALL_PROXY") : get(scheme) ? lower(scheme) : undefined;
  if (variable === undefined) return undefined;
  const noProxy = proxyVariable("NO_PROXY") ?? proxyVariable("no_proxy") ?? "";
  for (const raw of noProxy.split(",")) {
    const entry = raw.trim();
    if (entry !== "" && noProxyMatches(entry, host)) return undefined;
  }
  return { url: proxyVariable(variable)!, variable };
}

/**
 * Whether one `NO_PROXY` entry names `host`, as Deno's `fetch` matches it:
 * an IP host only by its address or a CIDR block, a name by itself or a
 * parent domain (`example.com`, `.example.com`; case-sensitive), `*` any name
 * (but no IP).
 */
function noProxyMatches(entry: string, host: string): boolean {
  const ip = /^[\d.]+$/.test(host) || host.includes(":");
  if (entry === "*") return !ip;
  if (ip) {
    const slash = entry.indexOf("/");
    if (slash < 0) return entry.replace(/^\[|\]$/g, "").toLowerCase() === host;
    return inCidr(host, entry.slice(0, slash), Number(entry.slice(slash + 1)));
  }
  const name = entry.startsWith(".") ? entry.slice(1) : entry;
  return host === name || host.endsWith(`.${name}`);
}

/** Whether the IPv4 address `host` is in `net/bits` (IPv6 blocks: never). */
function inCidr(host: string, net: string, bits: number): boolean {
  const v4 = (ip: string) => {
    const parts = ip.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
      return undefined;
    }
    return parts.reduce((n, p) => n * 256 + Number(p), 0);
  };
  const a = v4(host);
  const b = v4(net);
  if (a === undefined || b === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    return false;
  }
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

/** The request line and headers, as bytes; throws `TypeError` for values fetch would refuse. */
function encodeHead(req: Http1Request): Uint8Array {
  if (!TOKEN.test(req.method)) throw new TypeError(`invalid HTTP method ${req.method}`);
  let head = `${req.method} ${
    req.url.pathname || "/"
  }${req.url.search} HTTP/1.1\r\nhost: ${req.url.host}\r\n`;
  let latin1 = false;
  for (const name in req.headers) {
    const value = req.headers[name]!;
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (lower === "host" || lower === "content-length" || lower === "connection") continue;
    if (NON_ASCII.test(value)) {
      if (BAD_VALUE.test(value)) {
        throw new TypeError(`invalid value of header ${name}: ${JSON.stringify(value)}`);
      }
      latin1 = true;
    }
    head += `${name}: ${value.trim()}\r\n`;
  }
  const length = req.body?.length ?? 0;
  if (length > 0 || req.method === "PUT" || req.method === "POST") {
    head += `content-length: ${length}\r\n`;
  }
  head += "\r\n";
  if (!latin1) return encoder.encode(head);
  const bytes = new Uint8Array(head.length);
  for (let i = 0; i < head.length; i++) bytes[i] = head.charCodeAt(i);
  return bytes;
}

async function writeAll(conn: Connection, head: Uint8Array, body: Uint8Array | undefined) {
  let out = head;
  let rest: Uint8Array | undefined = body;
  if (body !== undefined && body.length > 0 && body.length <= 64 * 1024) {
    // One write (one packet for a small PUT) instead of two.
    out = new Uint8Array(head.length + body.length);
    out.set(head);
    out.set(body, head.length);
    rest = undefined;
  }
  for (let offset = 0; offset < out.length;) offset += await conn.conn.write(out.subarray(offset));
  if (rest !== undefined) {
    for (let offset = 0; offset < rest.length;) {
      offset += await conn.conn.write(rest.subarray(offset));
    }
  }
}

interface ParsedHead {
  status: number;
  statusText: string;
  headers: [string, string][];
  framing: Framing;
  keepAlive: boolean;
}

const MAX_HEAD = 256 * 1024;
/**
 * A control character but a tab, which no header line holds (RFC 9110,
 * 5.5, has a recipient reject the message): NUL, a bare CR or LF, ESC.
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const HEADER_CONTROL = /[\0-\x08\x0a-\x1f\x7f]/;
/** The spaces and tabs around a header value. */
const OWS_ENDS = /^[ \t]+|[ \t]+$/g;
const CLOSED_BEFORE_RESPONSE = "connection closed before the response (unexpected eof)";
// Bodies with at least this much left are read without the connection's buffer.
const DIRECT_READ = 64 * 1024;

/** Reads a response head (skipping 1xx interim responses). */
async function readHead(conn: Connection, method: string): Promise<ParsedHead> {
  for (;;) {
    let scanned = conn.start;
    let end = -1;
    for (;;) {
      // indexOf (native) finds the candidates: a JavaScript loop over every
      // byte of the head costs a cold process ~10 µs per response.
      const view = conn.buf.subarray(0, conn.end);
      for (let i = Math.max(scanned, conn.start + 3); i < conn.end;) {
        const lf = view.indexOf(LF, i);
        if (lf === -1) break;
        if (view[lf - 1] === CR && view[lf - 2] === LF && view[lf - 3] === CR) {
          end = lf + 1;
          break;
        }
        i = lf + 1;
      }
      if (end !== -1) break;
      if (conn.buffered > MAX_HEAD) throw new Error("response head is too large");
      const offset = conn.end - conn.start;
      if (!(await conn.fill())) {
        throw new Error(
          conn.buffered === 0
            ? CLOSED_BEFORE_RESPONSE
            : "connection closed in the response head (unexpected eof)",
        );
      }
      scanned = conn.start + Math.max(0, offset - 3);
    }
    const text = decodeHead(conn.buf.subarray(conn.start, end - 4));
    conn.start = end;
    const lines = text.split("\r\n");
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (statusLine === null) throw new Error(`malformed status line ${inertJson(lines[0])}`);
    const status = Number(statusLine[2]);
    if (status >= 100 && status < 200 && status !== 101) continue; // interim (100 Continue)
    const headers: [string, string][] = [];
    let length: number | undefined;
    let chunked = false;
    let connection = "";
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Error(`malformed header line ${inertJson(line)}`);
      // The whole line: trimming would take a control character at either
      // end of the value (a bare CR before the line's CRLF) away unseen.
      const control = HEADER_CONTROL.exec(line);
      const name = line.slice(0, colon).trim().toLowerCase();
      // Only spaces and tabs surround a value (RFC 9110, 5.5): not obs-text's NBSP.
      const value = line.slice(colon + 1).replace(OWS_ENDS, "");
      if (control !== null) {
        // As fetch refuses it: a bare CR can hide another header in a value
        // (`etag: "…"\rcontent-length: 5`) that a reader on the way takes as one.
        throw new Error(
          `header ${inertJson(name)} holds the control character ${
            codePointLabel(control[0].charCodeAt(0))
          }, which no HTTP answer holds`,
        );
      }
      headers.push([name, value]);
      if (name === "content-length") {
        const n = Number(value);
        if (!/^\d+$/.test(value) || (length !== undefined && length !== n)) {
          throw new Error(`malformed content-length ${inertJson(value)}`);
        }
        length = n;
      } else if (name === "transfer-encoding") {
        chunked = /(^|,)\s*chunked\s*$/i.test(value);
        if (!chunked) throw new Error(`unsupported transfer-encoding ${inertJson(value)}`);
      } else if (name === "connection") connection += `,${value.toLowerCase()}`;
    }
    const http10 = statusLine[1] === "0";
    let framing: Framing;
    if (method === "HEAD" || NULL_BODY_STATUS.has(status)) framing = { kind: "none" };
    else if (chunked) framing = { kind: "chunked" };
    else if (length !== undefined) framing = { kind: "length", length };
    else framing = { kind: "close" };
    const keepAlive = !http10 && !/(^|,)\s*close\s*(,|$)/.test(connection) &&
      framing.kind !== "close";
    return { status, statusText: statusLine[3] ?? "", headers, framing, keepAlive };
  }
}

/** Header bytes as a ByteString (one char per byte), as fetch's Headers hold them. */
function decodeHead(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return asciiDecoder.decode(bytes);
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

function makeResponse(out: Http1Exchange): Response {
  const init = { status: out.status, statusText: out.statusText, headers: out.headers };
  // Empty bodies get none (Response refuses a body for 204 and 304).
  const body = out.bytes === undefined ? out.body : out.bytes.length === 0 ? null : out.bytes;
  return new Response(body as BodyInit | null, init);
}

/** A streaming body; `done(reusable)` runs once when it ends, fails or is cancelled. */
function bodyStream(
  conn: Connection,
  framing: Framing,
  done: (reusable: boolean) => void,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  let finished = false;
  const finish = (reusable: boolean) => {
    if (finished) return;
    finished = true;
    done(reusable);
  };
  let remaining = framing.kind === "length" ? framing.length : 0;
  // Chunked state: bytes left in the current chunk; -1 before a size line.
  let chunkLeft = -1;
  const need = async (what: string) => {
    if (!(await conn.fill())) throw new Error(`connection closed in the ${what} (unexpected eof)`);
  };
  const line = async (): Promise<string> => {
    for (;;) {
      const at = conn.buf.subarray(conn.start, conn.end).indexOf(LF);
      if (at !== -1) {
        const text = asciiDecoder.decode(conn.buf.subarray(conn.start, conn.start + at));
        conn.start += at + 1;
        return text.replace(/\r$/, "");
      }
      if (conn.buffered > 64 * 1024) throw new Error("chunk line is too long");
      await need("chunked body");
    }
  };
  const next = async (): Promise<Uint8Array | null> => {
    switch (framing.kind) {
      case "length": {
        if (remaining === 0) return null;
        if (conn.buffered === 0 && remaining >= DIRECT_READ) {
          // A large body: read straight into the chunk handed out (no copy
          // through the connection's buffer, fewer reads).
          const chunk = new Uint8Array(Math.min(remaining, DIRECT_READ * 4));
          const n = await conn.conn.read(chunk);
          if (n === null) throw new Error("connection closed in the body (unexpected eof)");
          remaining -= n;
          // A short read keeps only what it holds.
          return n >= DIRECT_READ / 2 ? chunk.subarray(0, n) : chunk.slice(0, n);
        }
        if (conn.buffered === 0) await need("body");
        const out = conn.take(remaining);
        remaining -= out.length;
        return out;
      }
      case "close": {
        if (conn.buffered === 0 && !(await conn.fill())) return null;
        return conn.take(Infinity);
      }
      case "chunked": {
        for (;;) {
          if (chunkLeft > 0) {
            if (conn.buffered === 0) await need("chunked body");
            const out = conn.take(chunkLeft);
            chunkLeft -= out.length;
            return out;
          }
          if (chunkLeft === 0) {
            if ((await line()) !== "") throw new Error("malformed chunked body");
          }
          const size = (await line()).split(";")[0]!.trim();
          if (!/^[0-9a-fA-F]{1,15}$/.test(size)) throw new Error("malformed chunk size");
          chunkLeft = parseInt(size, 16);
          if (chunkLeft === 0) {
            while ((await line()) !== "") { /* trailers: ignored */ }
            return null;
          }
        }
      }
      default:
        return null;
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await next();
        if (chunk === null) {
          controller.close();
          finish(framing.kind !== "close");
        } else controller.enqueue(chunk);
      } catch (error) {
        conn.close();
        finish(false);
        controller.error(
          signal?.aborted ? (signal.reason ?? error) : new TypeError(
            `error reading a body from the connection: ${(error as Error).message}`,
            { cause: error },
          ),
        );
      }
    },
    cancel() {
      conn.close();
      finish(false);
    },
  }, { highWaterMark: 0 });
}

/** Whether `error` says the server closed or reset the connection before answering. */
function isPeerClose(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionAborted ||
    (error instanceof Error && error.message === CLOSED_BEFORE_RESPONSE);
}

function wrapError(req: Http1Request, error: unknown): unknown {
  if (req.signal?.aborted) return req.signal.reason ?? error;
  if (error instanceof TypeError && /^invalid (header|HTTP)/.test(error.message)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TypeError(`error sending request for url (${req.url.href}): ${message}`, {
    cause: error,
  });
}
