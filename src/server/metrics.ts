/**
 * Counters of one `vc serve` process, printed in the Prometheus text format
 * at `GET /metrics`. Each process counts its own requests; Prometheus sums
 * across instances.
 *
 * @module
 */

/** The methods of RFC 9110 and PATCH (RFC 5789): the only `method` label values. */
const HTTP_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

/**
 * Request, byte and cache counters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Metrics } from "./metrics.ts";
 * const m = new Metrics();
 * m.request("GET", "/v1/cache/{id}", 200, 10);
 * m.request("X".repeat(1000), "unknown", 405, 0); // counted as "other"
 * m.bytesOut(5);
 * m.hit();
 * const text = m.render();
 * assert(text.includes('vc_serve_requests_total{method="GET",route="/v1/cache/{id}",status="200"} 1'));
 * assert(text.includes('vc_serve_requests_total{method="other",route="unknown",status="405"} 1'));
 * assert(text.includes("vc_serve_cache_hits_total 1"));
 * assert(text.includes("vc_serve_bytes_out_total 5"));
 * ```
 */
export class Metrics {
  readonly #requests = new Map<string, number>();
  #bytesIn = 0;
  #bytesOut = 0;
  #hits = 0;
  #misses = 0;
  #expiredRemoved = 0;
  #inFlight = 0;
  #uploads: { readonly active: number; readonly pending: number } | undefined;
  #downloads: { readonly active: number; readonly pending: number } | undefined;
  #jsonBodies: { readonly held: number } | undefined;

  /**
   * Counts one answered request and the request body bytes it read. A
   * method outside HTTP's own is counted as `other`: a label per method a
   * client makes up would grow the counters without bound.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.request("PUT", "/v1/cache/{id}", 201, 1024);
   * m.request("PUT", "/v1/cache/{id}", 201, 24);
   * const text = m.render();
   * assert(text.includes('vc_serve_requests_total{method="PUT",route="/v1/cache/{id}",status="201"} 2'));
   * assert(text.includes("vc_serve_bytes_in_total 1048"));
   * ```
   */
  request(method: string, route: string, status: number, bytesIn: number): void {
    const label = HTTP_METHODS.has(method) ? method : "other";
    const key = `method="${label}",route="${escape(route)}",status="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    this.#bytesIn += bytesIn;
  }

  /**
   * Counts response body bytes sent.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.bytesOut(1000);
   * m.bytesOut(24);
   * assert(m.render().includes("vc_serve_bytes_out_total 1024"));
   * ```
   */
  bytesOut(bytes: number): void {
    this.#bytesOut += bytes;
  }

  /**
   * A download found its file.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.hit();
   * assert(m.render().includes("vc_serve_cache_hits_total 1"));
   * ```
   */
  hit(): void {
    this.#hits++;
  }

  /**
   * A download found no file (unknown, placeholder or expired).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.miss();
   * m.miss();
   * assert(m.render().includes("vc_serve_cache_misses_total 2"));
   * ```
   */
  miss(): void {
    this.#misses++;
  }

  /**
   * Expired entries removed (lazily or by a sweep).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.expired(); // one removed on the way
   * m.expired(3); // a sweep removed three
   * assert(/^vc_serve_expired_removed_total 4$/m.test(m.render()));
   * ```
   */
  expired(count = 1): void {
    this.#expiredRemoved += count;
  }

  /**
   * Adjusts the number of requests being served.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.inFlight(1); // a request starts
   * assert(/^vc_serve_in_flight_requests 1$/m.test(m.render()));
   * m.inFlight(-1); // ...and ends
   * assert(/^vc_serve_in_flight_requests 0$/m.test(m.render()));
   * ```
   */
  inFlight(delta: number): void {
    this.#inFlight += delta;
  }

  /**
   * Reports `slots` (the service's upload limiter) as the gauges
   * `vc_serve_uploads_active` (uploads streaming) and
   * `vc_serve_uploads_queued` (uploads waiting for a slot, bodies unread).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.uploadSlots({ active: 32, pending: 3 });
   * assert(/^vc_serve_uploads_queued 3$/m.test(m.render()));
   * ```
   */
  uploadSlots(slots: { readonly active: number; readonly pending: number }): void {
    this.#uploads = slots;
  }

  /**
   * Reports `slots` (the service's per-identity download shares) as the
   * gauges `vc_serve_downloads_active` (downloads being answered or sent)
   * and `vc_serve_downloads_queued` (downloads waiting for their
   * identity's share, see `--max-downloads-per-identity`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.downloadSlots({ active: 4, pending: 2 });
   * assert(/^vc_serve_downloads_queued 2$/m.test(m.render()));
   * ```
   */
  downloadSlots(slots: { readonly active: number; readonly pending: number }): void {
    this.#downloads = slots;
  }

  /**
   * Reports `bodies` (the budget of `cache_id` JSON bodies held while they
   * arrive) as the gauge `vc_serve_json_body_bytes`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * m.jsonBodies({ held: 1024 });
   * assert(/^vc_serve_json_body_bytes 1024$/m.test(m.render()));
   * ```
   */
  jsonBodies(bodies: { readonly held: number }): void {
    this.#jsonBodies = bodies;
  }

  /**
   * The Prometheus text exposition.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Metrics } from "./metrics.ts";
   * const m = new Metrics();
   * const text = m.render();
   * assert(text.includes("# TYPE vc_serve_requests_total counter"));
   * assert(text.endsWith("\n"));
   * ```
   */
  render(): string {
    const lines = [
      "# HELP vc_serve_requests_total HTTP requests by method, route and status.",
      "# TYPE vc_serve_requests_total counter",
      ...[...this.#requests].map(([k, v]) => `vc_serve_requests_total{${k}} ${v}`),
    ];
    const single = (name: string, type: string, help: string, value: number) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    single("vc_serve_bytes_in_total", "counter", "Request body bytes received.", this.#bytesIn);
    single(
      "vc_serve_bytes_out_total",
      "counter",
      "Response body bytes handed to the HTTP server (a file download that ended short counts what was handed on, which its client may not all have got).",
      this.#bytesOut,
    );
    single("vc_serve_cache_hits_total", "counter", "Downloads that found a file.", this.#hits);
    single("vc_serve_cache_misses_total", "counter", "Downloads that found no file.", this.#misses);
    single(
      "vc_serve_expired_removed_total",
      "counter",
      "Expired entries removed.",
      this.#expiredRemoved,
    );
    single("vc_serve_in_flight_requests", "gauge", "Requests being served.", this.#inFlight);
    if (this.#uploads !== undefined) {
      single(
        "vc_serve_uploads_active",
        "gauge",
        "Uploads streaming to the store (each holds one of --max-uploads).",
        this.#uploads.active,
      );
      single(
        "vc_serve_uploads_queued",
        "gauge",
        "Uploads waiting for a slot or their identity's share, their bodies unread.",
        this.#uploads.pending,
      );
    }
    if (this.#downloads !== undefined) {
      single(
        "vc_serve_downloads_active",
        "gauge",
        "File downloads being answered or sent (each holds one of its identity's --max-downloads-per-identity).",
        this.#downloads.active,
      );
      single(
        "vc_serve_downloads_queued",
        "gauge",
        "File downloads waiting for their identity's share.",
        this.#downloads.pending,
      );
    }
    if (this.#jsonBodies !== undefined) {
      single(
        "vc_serve_json_body_bytes",
        "gauge",
        "Bytes of cache_id JSON bodies held while they arrive (bounded: see --max-json-bytes).",
        this.#jsonBodies.held,
      );
    }
    return lines.join("\n") + "\n";
  }
}

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
