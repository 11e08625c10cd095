/**
 * Where a request without an `Authorization` header carried a token instead:
 * a query parameter (`?token=`, as some services take one), a header other
 * services read (`X-Auth-Token`, `X-API-Key`) or a misspelt one
 * (`Authentication`), or a KBase session cookie (`kbase_session`, as KBase's
 * web UI holds the token). The cache service, like the KBase server, reads
 * the token from `Authorization` only; its 400 names the place found, so a
 * client sure it sent its token is not left to guess. Only the place is
 * named, never the value.
 *
 * @module
 */

/** Query parameters that commonly carry a token. */
const QUERY_NAMES = ["token", "access_token", "auth", "authorization", "api_key", "apikey", "key"];

/** Headers that carry a token elsewhere, spelt as they are named in the hint. */
const HEADER_NAMES = [
  "X-Auth-Token",
  "X-API-Key",
  "X-Token",
  "Token",
  "Authentication",
  "Auth",
];

/** Cookies that carry a KBase token (its web UI's session) or a generic one. */
const COOKIE_NAMES = ["kbase_session", "kbase_session_backup", "token", "auth_token"];

/**
 * Where `request` carried a token other than in `Authorization` (e.g.
 * `the "token" query parameter`), or undefined when nowhere known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { misplacedToken } from "./misplaced_token.ts";
 * assert.equal(
 *   misplacedToken(new Request("http://x/v1/cache_id?token=abc")),
 *   'the "token" query parameter',
 * );
 * assert.equal(
 *   misplacedToken(new Request("http://x/", { headers: { cookie: "kbase_session=abc" } })),
 *   'the "kbase_session" cookie',
 * );
 * assert.equal(misplacedToken(new Request("http://x/")), undefined);
 * ```
 */
export function misplacedToken(request: Request): string | undefined {
  let params: URLSearchParams | undefined;
  try {
    params = new URL(request.url).searchParams;
  } catch { /* no query to look at */ }
  for (const [name, value] of params ?? []) {
    if (value.trim() !== "" && QUERY_NAMES.includes(name.toLowerCase())) {
      return `the ${JSON.stringify(name)} query parameter`;
    }
  }
  for (const name of HEADER_NAMES) {
    if ((request.headers.get(name) ?? "").trim() !== "") {
      return `the ${JSON.stringify(name)} header`;
    }
  }
  for (const pair of (request.headers.get("cookie") ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at < 0) continue;
    const name = pair.slice(0, at).trim();
    if (pair.slice(at + 1).trim() !== "" && COOKIE_NAMES.includes(name.toLowerCase())) {
      return `the ${JSON.stringify(name)} cookie`;
    }
  }
  return undefined;
}
