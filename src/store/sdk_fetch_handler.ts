/**
 * A request handler for the AWS SDK that sends through `fetch`, for when a
 * proxy is configured (`HTTP(S)_PROXY` / `ALL_PROXY`): the SDK's default
 * handler sends through `node:http` / `node:https`, which ignore those
 * variables, so its copies, deletes and multipart create / complete / abort
 * went straight to the store while every other request of the same command
 * went through the proxy (and failed where only the proxy reaches the store).
 * `fetch` honours the proxy settings (and `NO_PROXY`) as for the lean path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SdkFetchHandler } from "./sdk_fetch_handler.ts";
 * const handler = new SdkFetchHandler({ timeoutMs: 0 });
 * assert.deepEqual(handler.httpHandlerConfigs(), {});
 * ```
 *
 * @module
 */
import { MAX_TIMER_MS } from "./retry.ts";

/** The parts of the SDK's `HttpRequest` this handler reads. */
export interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null | undefined>;
  headers: Record<string, string>;
  body?: unknown;
}

/** The SDK's `HttpResponse` shape. */
export interface SdkHttpResponse {
  statusCode: number;
  reason: string;
  headers: Record<string, string>;
  body: ReadableStream<Uint8Array> | Uint8Array;
}

/** Options of {@linkcode SdkFetchHandler}. */
export interface SdkFetchHandlerOptions {
  /** Connect + response headers limit in ms (0: none). */
  timeoutMs: number;
  /** Extra CA certificates (PEM) to trust (`AWS_CA_BUNDLE`). */
  caCerts?: string[];
}

/** The SDK's query encoding (`@smithy`'s `escapeUri`): RFC 3986 unreserved kept. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The query string as the SDK signed it: keys sorted, each value escaped. */
export function sdkQueryString(query: SdkHttpRequest["query"]): string {
  const parts: string[] = [];
  for (const name of Object.keys(query ?? {}).sort()) {
    const value = query![name];
    const key = escapeUri(name);
    if (Array.isArray(value)) { for (const v of value) parts.push(`${key}=${escapeUri(v)}`); }
    else if (typeof value === "string") parts.push(`${key}=${escapeUri(value)}`);
    else parts.push(key);
  }
  return parts.join("&");
}

/** An SDK `HttpHandler` over `fetch` (so over a configured proxy). */
export class SdkFetchHandler {
  readonly metadata = { handlerProtocol: "http/1.1" };
  readonly #timeoutMs: number;
  readonly #caCerts: string[] | undefined;
  #client: Deno.HttpClient | undefined;

  /** A handler with the store's request timeout and CA bundle. */
  constructor(options: SdkFetchHandlerOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#caCerts = options.caCerts;
  }

  /** Sends one SDK request. */
  async handle(
    request: SdkHttpRequest,
    // The SDK's own AbortSignal type (a DOM-like interface): Deno's at run time.
    options: { abortSignal?: unknown; requestTimeout?: number | undefined } = {},
  ): Promise<{ response: SdkHttpResponse }> {
    const query = sdkQueryString(request.query);
    const url = `${request.protocol}//${request.hostname}${
      request.port ? `:${request.port}` : ""
    }${request.path}${query ? `?${query}` : ""}`;
    const timeoutMs = options.requestTimeout ?? this.#timeoutMs;
    const signals: AbortSignal[] = [];
    if (options.abortSignal) signals.push(options.abortSignal as AbortSignal);
    // Held to a timer's longest delay: `AbortSignal.timeout` fires a longer
    // one (`--request-timeout 30d`) at once, and aborted every request.
    if (timeoutMs > 0) signals.push(AbortSignal.timeout(Math.min(timeoutMs, MAX_TIMER_MS)));
    const body = request.method === "GET" || request.method === "HEAD"
      ? null
      : (request.body ?? null) as BodyInit | null;
    this.#client ??= Deno.createHttpClient(
      this.#caCerts ? { caCerts: this.#caCerts } : {},
    );
    const res = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body,
      redirect: "manual",
      client: this.#client,
      ...(signals.length === 0 ? {} : { signal: AbortSignal.any(signals) }),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of res.headers) headers[name] = value;
    return {
      response: {
        statusCode: res.status,
        reason: res.statusText,
        headers,
        body: res.body ?? new Uint8Array(0),
      },
    };
  }

  /** Nothing to update: the settings are fixed when the store is made. */
  updateHttpClientConfig(): void {}

  /** No settings the SDK may change. */
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** Closes the pooled connections. */
  destroy(): void {
    this.#client?.close();
    this.#client = undefined;
  }
}
