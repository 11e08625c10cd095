/**
 * AWS Signature Version 4 request signing for S3, written against node:crypto
 * so that the hot path (GET / HEAD / PUT of small objects) does not pay for the
 * AWS SDK's middleware stack. This file must not import the SDK: it is loaded
 * by code that wants to stay cheap.
 *
 * S3 specifics: the path is URI-encoded once (S3 does not double-encode), and
 * the payload hash may be `UNSIGNED-PAYLOAD`.
 *
 * @module
 */
import { loadedNodeCrypto, sha256Hex } from "../hash.ts";
import type { RequestUrl } from "./request_url.ts";
import {
  type HmacKey,
  hmacKey,
  hmacSha256,
  hmacSha256Hex,
  sha256HexOfString,
} from "../sha256_js.ts";

// Payload hashes are plain SHA-256 of bodies; that implementation lives in
// hash.ts (node:crypto, loaded on first use). The strings a signature
// hashes go through sha256_js.ts, so a request without a payload to hash
// never loads node:crypto.
export { sha256Hex };

/** Credentials used to sign a request. */
export interface AwsCredentials {
  /** Access key ID (not secret; shown in error messages). */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token of temporary credentials. */
  sessionToken?: string | undefined;
  /** When temporary credentials stop working. */
  expiration?: Date | undefined;
}

/**
 * Payload hash meaning "the body is not part of the signature". S3 accepts it
 * over both http and https; integrity then comes from `Content-MD5`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UNSIGNED_PAYLOAD } from "./sigv4.ts";
 * assert(UNSIGNED_PAYLOAD === "UNSIGNED-PAYLOAD");
 * ```
 */
export const UNSIGNED_PAYLOAD: string = "UNSIGNED-PAYLOAD";

/**
 * Hex SHA-256 of the empty string: the payload hash of bodiless requests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256, sha256Hex } from "./sigv4.ts";
 * assert(sha256Hex("") === EMPTY_SHA256);
 * ```
 */
export const EMPTY_SHA256: string =
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const UNRESERVED_ONLY = /^[A-Za-z0-9\-._~]*$/;
const UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;

/**
 * URI-encodes a string the way SigV4 wants it: every byte of the UTF-8 form
 * except the unreserved characters `A-Z a-z 0-9 - . _ ~` becomes `%XX`
 * (upper-case hex). With `keepSlash`, `/` is kept, which is how S3 object keys
 * are encoded into a path. Throws `URIError` for lone surrogates, which have no
 * UTF-8 form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uriEncode } from "./sigv4.ts";
 * assert(uriEncode("a b+c/d~", true) === "a%20b%2Bc/d~");
 * assert(uriEncode("a/b") === "a%2Fb");
 * ```
 */
export function uriEncode(value: string, keepSlash = false): string {
  if ((keepSlash ? UNRESERVED_OR_SLASH : UNRESERVED_ONLY).test(value)) return value;
  // encodeURIComponent leaves !'()* alone; SigV4 wants them encoded.
  const encoded = encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, "/") : encoded;
}

/** A request to sign. `url` must already carry the encoded path and query. */
export interface SignableRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Full URL (a `URL`, or a {@linkcode RequestUrl}); its path is used verbatim as the canonical URI. */
  url: RequestUrl;
  /**
   * Headers to send and sign (names in any case). `host`, `x-amz-date`,
   * `x-amz-content-sha256` and `x-amz-security-token` are added by the signer.
   */
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body, {@linkcode EMPTY_SHA256}, or {@linkcode UNSIGNED_PAYLOAD}. */
  payloadHash: string;
}

/**
 * Signs S3 requests for one region and service, caching the derived signing
 * key per (secret, day) so a request costs one SHA-256 and one HMAC instead of
 * the five HMACs of a full key derivation (4 to derive the key, 1 to sign).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SigV4Signer, EMPTY_SHA256 } from "./sigv4.ts";
 * const signer = new SigV4Signer({ region: "us-east-1" });
 * const headers = signer.sign(
 *   { method: "GET", url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
 *     headers: { range: "bytes=0-9" }, payloadHash: EMPTY_SHA256 },
 *   { accessKeyId: "AKIAIOSFODNN7EXAMPLE",
 *     secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
 *   new Date("2013-05-24T00:00:00Z"),
 * );
 * assert(headers.authorization!.endsWith(
 *   "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
 * ```
 */
export class SigV4Signer {
  /** Region the signatures are scoped to. */
  readonly region: string;
  /** Service the signatures are scoped to (`s3`). */
  readonly service: string;
  #keys = new Map<string, HmacKey>();
  #lastSecond = NaN;
  #lastAmzDate = "";
  #lastSecret: string | undefined;
  #lastDay = "";
  #lastKey: HmacKey | undefined;

  /** Creates a signer for `region` (and `service`, default `s3`). */
  constructor(options: { region: string; service?: string }) {
    this.region = options.region;
    this.service = options.service ?? "s3";
  }

  /**
   * Returns the headers to send: the request's own headers (lower-cased) plus
   * `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` (when the
   * credentials have a session token) and `authorization`. `host` is signed
   * but not returned, because `fetch` sets it from the URL.
   */
  sign(
    request: SignableRequest,
    credentials: AwsCredentials,
    now: Date = new Date(),
  ): Record<string, string> {
    const amzDate = this.#amzDate(now);
    const day = amzDate.slice(0, 8);
    const out: Record<string, string> = {};
    const given = request.headers;
    if (given !== undefined) {
      for (const name of Object.keys(given)) out[name.toLowerCase()] = given[name]!;
    }
    out["x-amz-date"] = amzDate;
    out["x-amz-content-sha256"] = request.payloadHash;
    if (credentials.sessionToken) out["x-amz-security-token"] = credentials.sessionToken;

    const names = Object.keys(out);
    names.push("host");
    names.sort();
    let canonicalHeaders = "";
    let signedHeaders = "";
    for (const name of names) {
      const value = name === "host" ? request.url.host : out[name]!;
      canonicalHeaders += `${name}:${
        NEEDS_CANONICAL_VALUE.test(value) ? canonicalHeaderValue(value) : value
      }\n`;
      signedHeaders += signedHeaders === "" ? name : `;${name}`;
    }
    const canonicalRequest = `${request.method}\n${request.url.pathname || "/"}\n${
      canonicalQuery(request.url.search)
    }\n${canonicalHeaders}\n${signedHeaders}\n${request.payloadHash}`;
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    // A request whose payload was hashed may have node:crypto loaded already
    // (hash.ts, for a payload too large to hash in TypeScript): its hashes
    // are 4× faster than the plain ones once warm. Never loaded for this.
    // Once one has, every later request uses it too (a service signing GETs
    // between its PUTs), while a process that only reads never loads it.
    const native = request.payloadHash === EMPTY_SHA256 || request.payloadHash === UNSIGNED_PAYLOAD
      ? nodeCryptoInUse
      : (nodeCryptoInUse = loadedNodeCrypto());
    const hashed = native === undefined
      ? sha256HexOfString(canonicalRequest)
      : native.createHash("sha256").update(canonicalRequest).digest("hex");
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hashed}`;
    // The derived key's HMAC states are cached, so a signature is two short hashes.
    const key = this.#signingKey(credentials.secretAccessKey, day);
    const signature = native === undefined
      ? hmacSha256Hex(key, stringToSign)
      : native.createHash("sha256").update(key.outer).update(
        native.createHash("sha256").update(key.inner).update(stringToSign).digest(),
      ).digest("hex");
    out["authorization"] =
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return out;
  }

  #amzDate(now: Date): string {
    // Formatting a date costs more than the HMAC; requests in the same second share it.
    const second = Math.floor(now.getTime() / 1000);
    if (second !== this.#lastSecond) {
      this.#lastSecond = second;
      this.#lastAmzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    }
    return this.#lastAmzDate;
  }

  #signingKey(secret: string, day: string): HmacKey {
    // The usual case: the same secret and day as the last request.
    if (secret === this.#lastSecret && day === this.#lastDay) return this.#lastKey!;
    const key = this.#derivedKey(secret, day);
    this.#lastSecret = secret;
    this.#lastDay = day;
    this.#lastKey = key;
    return key;
  }

  #derivedKey(secret: string, day: string): HmacKey {
    const cacheKey = `${day}\n${secret}`;
    let key = this.#keys.get(cacheKey);
    if (key === undefined) {
      const enc = new TextEncoder();
      const kDate = hmacSha256(hmacKey(enc.encode(`AWS4${secret}`)), day);
      const kRegion = hmacSha256(hmacKey(kDate), this.region);
      const kService = hmacSha256(hmacKey(kRegion), this.service);
      key = hmacKey(hmacSha256(hmacKey(kService), "aws4_request"));
      // Days and rotated secrets accumulate slowly; a tiny cap keeps it bounded.
      if (this.#keys.size >= 8) this.#keys.clear();
      this.#keys.set(cacheKey, key);
    }
    return key;
  }
}

/** `node:crypto`, once a request with a hashed payload was signed. */
let nodeCryptoInUse: typeof import("node:crypto") | undefined;

// Whitespace a canonical header value would lose: at either end, runs, or
// anything but a plain space. Most values have none and are used as they are.
const NEEDS_CANONICAL_VALUE = /^\s|\s$|[^\S ]| {2}/;

function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}

/**
 * The canonical query string of a URL's `search` part: parameters decoded,
 * re-encoded with {@linkcode uriEncode}, sorted by name then value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalQuery } from "./sigv4.ts";
 * assert(canonicalQuery("?prefix=J&max-keys=2") === "max-keys=2&prefix=J");
 * assert(canonicalQuery("?lifecycle") === "lifecycle=");
 * ```
 */
export function canonicalQuery(search: string): string {
  if (search.length <= 1) return "";
  const pairs: [string, string][] = [];
  for (const part of search.slice(1).split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? "" : part.slice(eq + 1);
    pairs.push([uriEncode(decodeURIComponent(name)), uriEncode(decodeURIComponent(value))]);
  }
  pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}
