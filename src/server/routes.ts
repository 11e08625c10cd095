/**
 * The URL space of the cache service (API v1), under an optional base path
 * such as `/cache` when a proxy serves it at `https://host/cache/v1/...`.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";

/** A matched route. */
export interface RouteMatch {
  /** Route template for logs and metrics, e.g. `/v1/cache/{id}` (no base path). */
  route: string;
  /** Methods the route accepts. */
  methods: readonly string[];
  /** The `<id>` of `/v1/cache/<id>`. */
  id?: string;
}

/** The routes and what they do, as `GET /` and `GET /v1` describe them. */
export const ENDPOINTS: Readonly<Record<string, string>> = {
  "POST /v1/cache_id":
    "JSON object body → cache ID for (caller, body); reserves a placeholder for 7 days",
  "POST /v1/cache/{id}": "multipart/form-data with field 'file' → stores the file for 30 days",
  "GET /v1/cache/{id}":
    "the file (Range, ETag); refreshes its 30-day inactivity window; 404 while a placeholder",
  "DELETE /v1/cache/{id}": "deletes the entry",
  "GET /healthz": "liveness: 200 while the process serves (503 once it shuts down)",
  "GET /readyz": "readiness: 200 while the store answers, 503 when not or shutting down",
  "GET /metrics": "Prometheus metrics",
};

/**
 * Normalizes a base path: `""`, `"/"` → `""`; `"cache/"` → `"/cache"`.
 * Throws `InvalidInputError` for a path no request could match (`?`, `#`,
 * spaces, `..`, an empty segment).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeBasePath } from "./routes.ts";
 * assert(normalizeBasePath("cache/") === "/cache" && normalizeBasePath("/") === "");
 * assert.throws(() => normalizeBasePath("/a?b"), /not a URL path segment/);
 * ```
 */
export function normalizeBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? "").replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return "";
  // Compared with a request's path as sent (percent-encoded): a segment
  // that is not a plain URL path segment could never match one.
  for (const segment of trimmed.split("/")) {
    if (!PATH_SEGMENT.test(segment) || segment === "." || segment === "..") {
      throw new InvalidInputError(
        `base path ${JSON.stringify(basePath)}: segment ${
          JSON.stringify(segment)
        } is not a URL path segment (letters, digits and - . _ ~ only; no empty, . or .. segment)`,
      );
    }
  }
  return `/${trimmed}`;
}

/** A base path segment: unreserved URL characters, matched as sent by every client. */
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * The route for a request path, or `undefined` for an unknown path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchRoute } from "./routes.ts";
 * const m = matchRoute("/cache/v1/cache/abc", "/cache");
 * assert(m?.route === "/v1/cache/{id}" && m.id === "abc");
 * assert(matchRoute("/v1/cache/abc", "/cache") === undefined);
 * assert(matchRoute("/cache/v1//cache_id", "/cache")?.route === "/v1/cache_id");
 * assert(matchRoute("/%63ache/v1/cache%5Fid", "/cache")?.route === "/v1/cache_id");
 * assert(matchRoute("/v1%2Fcache_id", "") === undefined);
 * ```
 */
export function matchRoute(sent: string, basePath: string): RouteMatch | undefined {
  // Repeated slashes count as one, as nginx (in front of KBase deployments)
  // and Werkzeug read them: a client whose service URL ends in `/` sends
  // `/v1//cache_id`, which the KBase server answered and vc gave 404.
  // Percent-encoded unreserved characters are those characters (RFC 3986
  // 6.2.2.2, as Werkzeug reads them): `/v1/cache%5Fid` is `/v1/cache_id`.
  // A reserved one (`%2F`) stays encoded: data, never a separator.
  const path = sent.replace(/%([0-9A-Fa-f]{2})/g, (coded, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9._~-]/.test(c) ? c : coded;
  }).replace(/\/{2,}/g, "/");
  if (basePath !== "" && path !== basePath && !path.startsWith(`${basePath}/`)) return undefined;
  const rest = path.slice(basePath.length);
  switch (rest) {
    case "":
    case "/":
      return { route: "/", methods: ["GET", "HEAD"] };
    case "/v1":
    case "/v1/":
      return { route: "/v1", methods: ["GET", "HEAD"] };
    case "/healthz":
      return { route: "/healthz", methods: ["GET", "HEAD"] };
    case "/readyz":
      return { route: "/readyz", methods: ["GET", "HEAD"] };
    case "/metrics":
      return { route: "/metrics", methods: ["GET", "HEAD"] };
    case "/v1/cache_id":
    case "/v1/cache_id/":
      return { route: "/v1/cache_id", methods: ["POST"] };
  }
  const m = /^\/v1\/cache\/([^/]+)\/?$/.exec(rest);
  if (m === null) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[1]!);
  } catch {
    id = m[1]!;
  }
  return { route: "/v1/cache/{id}", methods: ["GET", "HEAD", "POST", "DELETE"], id };
}
