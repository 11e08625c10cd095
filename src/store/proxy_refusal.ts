/**
 * A proxy's 407 Proxy Authentication Required: to a request it forwards (an
 * `http:` target) or to the `CONNECT` of an `https:` one (fetch then fails
 * with "proxy authentication required"). Never the target's answer, and no
 * attempt passes until the proxy URL carries a user and password: the S3
 * client and the cache service client say it in the same words, once.
 *
 * @module
 */
import { causeChain } from "../errors.ts";
import { redactUrl } from "../redact.ts";
import { proxyFor } from "./http1_client.ts";

/**
 * `the proxy URL (from VARIABLE) refused the request (407 …): give its user
 * and password in the proxy URL, …` for a request to `target`, the proxy's
 * password hidden (`the proxy refused …` when it cannot be told which).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyRefusalText } from "./proxy_refusal.ts";
 * assert.match(proxyRefusalText("not a url"), /^the proxy refused the request \(407/);
 * ```
 */
export function proxyRefusalText(target: string): string {
  const proxy = proxyFor(target);
  return `the proxy${
    proxy ? ` ${redactUrl(proxy.url)} (from ${proxy.variable})` : ""
  } refused the request (407 Proxy Authentication Required): give its user and password in ` +
    "the proxy URL, http://user:password@host:port (special characters percent-encoded)";
}

/**
 * Whether `error` (or a cause) is fetch's failure for a `CONNECT` the proxy
 * answered 407.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isProxyAuthRefusal } from "./proxy_refusal.ts";
 * const e = new TypeError("fetch failed", {
 *   cause: new Error("client error (Connect): proxy authentication required"),
 * });
 * assert(isProxyAuthRefusal(e));
 * assert(!isProxyAuthRefusal(new Error("connection refused")));
 * ```
 */
export function isProxyAuthRefusal(error: unknown): boolean {
  return /proxy authentication required/i.test(causeChain(error));
}
