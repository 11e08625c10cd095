/**
 * Sends a request whose body is already in memory through `node:http(s)`
 * instead of `fetch`. Deno's `fetch` copies a byte body when the request is
 * made (and holds more copies while sending), so 4 parts of 8 MiB in flight
 * kept ≈240 MiB resident against ≈80 MiB here (scripts/bench/stream_put.ts);
 * `node:http` writes the caller's bytes with a `Content-Length`, which S3
 * requires (a streamed `fetch` body goes out chunked, which S3 refuses).
 *
 * Used by `S3Fetch` for large bodies (UploadPart, big PUTs) when no proxy is
 * configured (`fetch` honours `HTTP(S)_PROXY`, `node:http` does not). On
 * https, `node:https` does not see Deno's `--cert`, `DENO_CERT` or
 * `DENO_TLS_CA_STORE` (it is given `AWS_CA_BUNDLE`'s certificates): after any failure there `S3Fetch` goes back to `fetch`.
 *
 * @module
 */
import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
import { Buffer } from "node:buffer";
import { MIN_PROGRESS_BYTES } from "../deadline.ts";

/**
 * A body of known length written in chunks (a file), for bodies too large
 * to hold: sent with its `Content-Length`, not chunked.
 */
export interface StreamedBody {
  /** Bytes the body holds (sent as `Content-Length`). */
  length: number;
  /**
   * Writes the body's chunks through `write`, in order, waiting for each;
   * a rejection aborts the request with that error.
   */
  pipe(write: (chunk: Uint8Array) => Promise<void>): Promise<void>;
}

/** One request: the body is sent as is, with its length. */
export interface NodeSendInit {
  /** HTTP method. */
  method: string;
  /** Headers to send (already signed). */
  headers: Record<string, string>;
  /** The body: bytes, or chunks of a known length. */
  body: Uint8Array | StreamedBody;
  /** Aborts the request (destroying its connection). */
  signal?: AbortSignal | undefined;
  /**
   * Called with the status when the answer's head arrives: a rejection
   * after it is of an answer that broke off, not of a request never answered.
   */
  onResponse?: ((status: number) => void) | undefined;
  /**
   * Called once the connection is up (TLS included): a failure after it is
   * of a server that was reached, not of one that could not be.
   */
  onConnect?: (() => void) | undefined;
  /**
   * Called as the connection takes the body (in slices of at most
   * `MIN_PROGRESS_BYTES`, each waited for when its buffers are full), with
   * the bytes taken so far, the whole length last: a body whose count stops
   * moving is one the server stopped reading.
   */
  onBodyBytes?: ((sent: number) => void) | undefined;
}

/**
 * The largest slice of a body written at once when its progress is watched:
 * the progress a stall deadline waits for (1 MiB slices took longer than a
 * short request timeout to leave on a link that kept taking bytes, and the
 * send was given up as stalled).
 */
const SEND_SLICE = MIN_PROGRESS_BYTES;

/**
 * Keep-alive connections for large-body requests, one pool per scheme.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NodeBodySender } from "./node_http_send.ts";
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) =>
 *   new Response(String((await req.arrayBuffer()).byteLength), {
 *     headers: { "x-length": req.headers.get("content-length") ?? "" },
 *   }));
 * const sender = new NodeBodySender();
 * const res = await sender.send(new URL(`http://127.0.0.1:${server.addr.port}/k`), {
 *   method: "PUT", headers: {}, body: new Uint8Array(1000),
 * });
 * assert(await res.text() === "1000" && res.headers.get("x-length") === "1000");
 * sender.close();
 * ```
 */
export class NodeBodySender {
  #http: http.Agent | undefined;
  #https: https.Agent | undefined;
  readonly #ca: string[] | undefined;

  /** `ca`: PEM certificates https trusts besides Node's default roots (`AWS_CA_BUNDLE`). */
  constructor(ca?: string[]) {
    this.#ca = ca;
  }

  /**
   * Sends the request; resolves with the whole response (bodies of answers
   * to uploads are small) or rejects with the socket's error.
   */
  send(url: URL, init: NodeSendInit): Promise<Response> {
    const secure = url.protocol === "https:";
    const agent = secure
      ? (this.#https ??= new https.Agent({
        keepAlive: true,
        // `ca` replaces the default roots: keep them.
        ...(this.#ca ? { ca: [...rootCertificates, ...this.#ca] } : {}),
      }))
      : (this.#http ??= new http.Agent({ keepAlive: true }));
    const request = secure ? https.request : http.request;
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, {
        method: init.method,
        agent,
        headers: { ...init.headers, "content-length": String(init.body.length) },
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      }, (res) => {
        init.onResponse?.(res.statusCode ?? 0);
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const headers = new Headers();
          const raw = res.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          try {
            resolve(
              new Response(
                body.length === 0 || status === 204 || status === 304 ? null : body,
                { status, statusText: res.statusMessage ?? "", headers },
              ),
            );
          } catch (error) {
            reject(error); // a status Response cannot carry (1xx)
          }
        });
      });
      req.on("error", reject);
      const onConnect = init.onConnect;
      if (onConnect !== undefined) {
        req.once("socket", (socket) => {
          // A pooled keep-alive connection is up already.
          if (!socket.connecting) onConnect();
          else socket.once(secure ? "secureConnect" : "connect", () => onConnect());
        });
      }
      const body = init.body;
      const onBodyBytes = init.onBodyBytes;
      if (body instanceof Uint8Array && onBodyBytes === undefined) {
        req.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
        return;
      }
      let sent = 0;
      const closed = () => new Error("the connection closed while sending");
      const writeSlice = async (slice: Uint8Array) => {
        // Closed between slices (its close event gone already): no drain comes.
        if (req.destroyed) throw closed();
        if (!req.write(slice)) {
          await new Promise<void>((ok, fail) => {
            // A connection destroyed while full (an abort) drains never.
            const failed = () => fail(closed());
            req.once("close", failed);
            req.once("drain", () => {
              req.off("close", failed);
              ok();
            });
          });
        }
        sent += slice.length;
        onBodyBytes?.(sent);
      };
      // Any chunk (a whole body in memory, a stream's) goes in slices, each
      // told as the connection takes it.
      const write = async (chunk: Uint8Array) => {
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (let at = 0; at < bytes.length; at += SEND_SLICE) {
          await writeSlice(bytes.subarray(at, at + SEND_SLICE));
        }
      };
      const pipe = body instanceof Uint8Array
        ? (put: (chunk: Uint8Array) => Promise<void>) => put(body)
        : (put: (chunk: Uint8Array) => Promise<void>) => body.pipe(put);
      pipe(write).then(() => req.end(), (error) => {
        req.destroy(error);
        reject(error);
      });
    });
  }

  /** Closes pooled connections. Safe to call more than once. */
  close(): void {
    this.#http?.destroy();
    this.#https?.destroy();
    this.#http = undefined;
    this.#https = undefined;
  }
}

// Shared with http1_client.ts, which loads without node:http.
export { proxyConfigured } from "./http1_client.ts";
