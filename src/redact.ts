/**
 * Redaction of URLs for messages: a URL a user gives (an S3 endpoint, the
 * cache service's URL) may carry a password in its user info or a secret in
 * its query (a token, a presigned URL's signature), and vc's messages,
 * `--json` errors and `--verbose` traces must never print one.
 *
 * @module
 */

/**
 * A URL with its secrets replaced by `***`, for messages: the user name
 * stays, a password becomes `***`, each query value becomes `***` (the names
 * stay) and a fragment becomes `#***`. Text that does not parse as a URL gets
 * the same treatment by pattern: everything between the user's `:` and the
 * last `@` (a password holding `/` or `@` goes whole; `user:password@host`
 * with no scheme, as proxies are given, too), and everything after the first
 * `?` or `#`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactUrl } from "./redact.ts";
 * assert.equal(redactUrl("http://alice:s3cret@minio:9000"), "http://alice:***@minio:9000");
 * assert.equal(redactUrl("https://h/b/k?X-Amz-Signature=abc&v=1"), "https://h/b/k?X-Amz-Signature=***&v=***");
 * assert.equal(redactUrl("http://u:p/w@[::1"), "http://u:***@[::1");
 * assert.equal(redactUrl("htp:/u:pw@h"), "htp:/u:***@h");
 * assert.equal(redactUrl("proxy:pw@10.0.0.1:3128"), "proxy:***@10.0.0.1:3128");
 * assert.equal(redactUrl("C:/Users/me@corp/x.csv"), "C:/Users/me@corp/x.csv");
 * assert.equal(redactUrl("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
 * ```
 */
export function redactUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // Unparsable, or parsed without a host (`htp:/u:pw@h` is a path): by pattern.
  if (url === undefined || url.host === "") {
    const byScheme = text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/*[^:@/?#]*):.*@/, "$1:***@");
    // No scheme at all (`user:password@proxy:3128`, as curl and Deno take a
    // proxy): a URL parser reads the user as the scheme, the rest as a path.
    // A Windows path (`C:/Users/me@corp/x.csv`, `C:\x`) is no user name and password.
    const starred = byScheme !== text || /^[A-Za-z][A-Za-z0-9+.-]*:\/\/|^[A-Za-z]:[\\/]/.test(text)
      ? byScheme
      : text.replace(/^([^:@?#]*?):[^?#]*@/, "$1:***@");
    return starred.replace(/[?#].*$/s, (rest) => (rest.startsWith("?") ? "?***" : "#***"));
  }
  if (url.username === "" && url.password === "" && url.search === "" && url.hash === "") {
    return text;
  }
  // Built by hand, not url.href after setting the parts: the parser would
  // percent-encode the `*`s of a password.
  const user = url.username === "" && url.password === ""
    ? ""
    : `${url.username}${url.password === "" ? "" : ":***"}@`;
  const query = url.search === "" ? "" : "?" + url.search.slice(1).split("&").map((pair) => {
    const eq = pair.indexOf("=");
    return eq === -1 ? pair : `${pair.slice(0, eq)}=***`;
  }).join("&");
  // `http://h` parses with the path `/`: keep the text's spelling.
  const hasPath = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*\//.test(text);
  const path = url.pathname === "/" && !hasPath ? "" : url.pathname;
  return `${url.protocol}//${user}${url.host}${path}${query}${url.hash === "" ? "" : "#***"}`;
}

/** Secrets shorter than this are not looked for: their letters would be starred inside ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * A SigV4 signature (`Signature=…` of an Authorization header,
 * `X-Amz-Signature=…` of a presigned URL): 64 hex digits, also after `%3D`
 * (a presigned URL inside another's query, `%253D` twice encoded), as a JSON
 * member (`"Signature": "…"`, its quotes escaped where a body is quoted) and
 * in S3's `<SignatureProvided>`.
 */
const SIGNATURE =
  /\b((?:X-Amz-)?Signature(?:Provided>|\\?"\s*:\s*\\?"|\s*=\s*|%(?:25)?3D))[0-9a-f]{64}(?![0-9a-f])/gi;

/**
 * `text` that came from elsewhere (a server's error message, an answer's
 * body, a cause's message) with each of `secrets` shown as `***`: a server
 * or a proxy that echoes a request back ("Invalid token …", the signed
 * headers with `x-amz-security-token`) put the secret into the error, so
 * into terminals, `--json` output and CI logs. A secret under 8 characters,
 * and an undefined one, is not looked for. A request's SigV4 signature
 * (`Signature=` of an echoed Authorization header, `X-Amz-Signature=` of a
 * presigned URL) is starred too: with the date beside it, whoever reads the
 * log could send that request again until it expires. Call it before
 * cutting the text: an echo straddling the cut would keep its first half.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactSecrets } from "./redact.ts";
 * assert.equal(
 *   redactSecrets("bad x-amz-security-token: FwoGZXIvYXdzEBc", ["FwoGZXIvYXdzEBc", undefined]),
 *   "bad x-amz-security-token: ***",
 * );
 * assert.equal(redactSecrets("a short pw", ["pw"]), "a short pw");
 * assert.equal(
 *   redactSecrets(`SignedHeaders=host, Signature=${"ab".repeat(32)}`, []),
 *   "SignedHeaders=host, Signature=***",
 * );
 * ```
 */
export function redactSecrets(
  text: string,
  secrets: Iterable<string | undefined>,
): string {
  let out = text.replace(SIGNATURE, "$1***");
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) {
      out = out.replaceAll(secret, "***");
    }
  }
  return out;
}
