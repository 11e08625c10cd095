/**
 * AWS Signature Version 4 verification for the fake S3 server, so a client
 * that signs a request wrongly (a key with spaces, `+`, `=` or non-ASCII
 * characters, a query value, a header) is refused as S3 refuses it: 403
 * `SignatureDoesNotMatch`, with the canonical request and string to sign
 * the server computed.
 *
 * Written from the SigV4 specification, on `node:crypto`, and independent of
 * vc's own signer (`src/store/sigv4.ts`): a check that shared the signer's
 * code would agree with its mistakes. As S3 does, the canonical URI is the
 * decoded path encoded once more (every byte but `A-Z a-z 0-9 - . _ ~` and
 * `/` as `%XX`), not the path as sent, and is never normalized (`//`, `.`
 * and `..` are key characters); query parameters are decoded and encoded the
 * same way (and `/` too), then sorted. Both `Authorization` headers and
 * presigned URLs (`X-Amz-Signature` in the query) are checked.
 *
 * @module
 */
import { createHash, createHmac } from "node:crypto";
import { S3Error } from "./s3_error.ts";

/** Access key ID → secret access key. */
export type SigningCredentials = ReadonlyMap<string, string>;

const ALGORITHM = "AWS4-HMAC-SHA256";

/**
 * Encodes `value` as SigV4 wants: every UTF-8 byte but the unreserved
 * characters as upper-case `%XX`; `/` kept when `keepSlash`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sigV4Encode } from "./signature.ts";
 * assert.equal(sigV4Encode("a b+c=(é)~/d", true), "a%20b%2Bc%3D%28%C3%A9%29~/d");
 * assert.equal(sigV4Encode("a/b", false), "a%2Fb");
 * ```
 */
export function sigV4Encode(value: string, keepSlash: boolean): string {
  let out = "";
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function decodeComponent(raw: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? raw.replace(/\+/g, " ") : raw);
  } catch {
    throw new S3Error("InvalidURI", `Couldn't parse the specified URI: ${raw}`);
  }
}

/** The canonical query of a raw query string (no `?`), leaving out `skip`. */
function canonicalQuery(rawQuery: string, skip?: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    // `+` in a query is a space, as URLSearchParams (and so the handlers) read it.
    const name = decodeComponent(eq === -1 ? part : part.slice(0, eq), true);
    if (name === skip) continue;
    const value = eq === -1 ? "" : decodeComponent(part.slice(eq + 1), true);
    pairs.push([sigV4Encode(name, false), sigV4Encode(value, false)]);
  }
  pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function hmac(key: string | Uint8Array, data: string): Uint8Array {
  return createHmac("sha256", key).update(data).digest();
}

/** What a request's signature covers, as parsed from its header or query. */
interface Claimed {
  accessKeyId: string;
  day: string;
  region: string;
  service: string;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  payloadHash: string;
  /** Query parameter left out of the canonical query (presigned: the signature). */
  skip?: string;
}

function malformed(message: string): S3Error {
  return new S3Error("AuthorizationHeaderMalformed", message);
}

function parseScope(
  credential: string,
): Omit<Claimed, "amzDate" | "signedHeaders" | "signature" | "payloadHash"> {
  // `<access key>/<yyyymmdd>/<region>/<service>/aws4_request`; the key may hold no `/`.
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request" || !/^\d{8}$/.test(parts[1]!)) {
    throw malformed(`The authorization credential is malformed: ${credential}`);
  }
  return { accessKeyId: parts[0]!, day: parts[1]!, region: parts[2]!, service: parts[3]! };
}

function fromHeader(
  req: Request,
  auth: string,
  credentials: SigningCredentials,
): Claimed | undefined {
  const fields = new Map<string, string>();
  for (const field of auth.slice(ALGORITHM.length).split(",")) {
    const eq = field.indexOf("=");
    if (eq !== -1) fields.set(field.slice(0, eq).trim(), field.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  // Another access key's request is not checked, however malformed.
  if (!credentials.has(credential?.split("/")[0] ?? "")) return undefined;
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw malformed(`The authorization header is malformed: ${auth}`);
  }
  const amzDate = req.headers.get("x-amz-date");
  if (amzDate === null) {
    throw new S3Error(
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
    );
  }
  const payloadHash = req.headers.get("x-amz-content-sha256");
  if (payloadHash === null) {
    throw new S3Error(
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    );
  }
  return {
    ...parseScope(credential),
    amzDate,
    signedHeaders: signedHeaders.split(";"),
    signature,
    payloadHash,
  };
}

function fromQuery(query: URLSearchParams, credentials: SigningCredentials): Claimed | undefined {
  if (!credentials.has(query.get("X-Amz-Credential")?.split("/")[0] ?? "")) return undefined;
  const get = (name: string) => {
    const v = query.get(name);
    if (v === null) {
      throw new S3Error(
        "AuthorizationQueryParametersError",
        `Query-string authentication version 4 requires the ${name} parameter`,
      );
    }
    return v;
  };
  if (get("X-Amz-Algorithm") !== ALGORITHM) {
    throw new S3Error(
      "AuthorizationQueryParametersError",
      `X-Amz-Algorithm only supports "${ALGORITHM}"`,
    );
  }
  const amzDate = get("X-Amz-Date");
  const expires = Number(get("X-Amz-Expires"));
  const signedAt = Date.parse(
    amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"),
  );
  if (!Number.isFinite(signedAt) || !Number.isInteger(expires) || expires < 1 || expires > 604800) {
    throw new S3Error(
      "AuthorizationQueryParametersError",
      "X-Amz-Date or X-Amz-Expires is malformed",
    );
  }
  if (Date.now() > signedAt + expires * 1000) {
    throw new S3Error("AccessDenied", "Request has expired");
  }
  return {
    ...parseScope(get("X-Amz-Credential")),
    amzDate,
    signedHeaders: get("X-Amz-SignedHeaders").split(";"),
    signature: get("X-Amz-Signature"),
    payloadHash: query.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD",
    skip: "X-Amz-Signature",
  };
}

/**
 * Checks the SigV4 signature of `req` (sent to `target`, its raw path and
 * query) against `credentials`. Unsigned requests, requests signed otherwise
 * than with SigV4, and requests signed with an access key not in
 * `credentials` pass unchecked; a wrong signature throws S3's 403
 * `SignatureDoesNotMatch`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSignature } from "./signature.ts";
 * const keys = new Map([["test", "test"]]);
 * const req = new Request("http://127.0.0.1:9000/b/k", {
 *   headers: {
 *     "x-amz-date": "20260101T000000Z",
 *     "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
 *     authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, " +
 *       "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=00",
 *   },
 * });
 * assert.throws(() => checkSignature(req, "/b/k", keys), /signature we calculated/);
 * checkSignature(new Request("http://127.0.0.1:9000/b/k"), "/b/k", keys); // unsigned
 * ```
 */
export function checkSignature(
  req: Request,
  target: string,
  credentials: SigningCredentials,
): void {
  const q = target.indexOf("?");
  const rawPath = q === -1 ? target : target.slice(0, q);
  const rawQuery = q === -1 ? "" : target.slice(q + 1);
  const auth = req.headers.get("authorization");
  let claimed: Claimed | undefined;
  if (auth !== null) {
    if (!auth.startsWith(`${ALGORITHM} `)) return;
    claimed = fromHeader(req, auth, credentials);
  } else {
    const query = new URLSearchParams(rawQuery);
    if (!query.has("X-Amz-Signature")) return;
    claimed = fromQuery(query, credentials);
  }
  if (claimed === undefined) return;
  const secret = credentials.get(claimed.accessKeyId)!;

  let canonicalHeaders = "";
  for (const name of claimed.signedHeaders) {
    const value = req.headers.get(name) ?? "";
    canonicalHeaders += `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
  }
  const canonicalRequest = [
    req.method,
    sigV4Encode(decodeComponent(rawPath, false), true),
    canonicalQuery(rawQuery, claimed.skip),
    canonicalHeaders,
    claimed.signedHeaders.join(";"),
    claimed.payloadHash,
  ].join("\n");
  const scope = `${claimed.day}/${claimed.region}/${claimed.service}/aws4_request`;
  const stringToSign = [
    ALGORITHM,
    claimed.amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  let key = hmac(`AWS4${secret}`, claimed.day);
  for (const part of [claimed.region, claimed.service, "aws4_request"]) key = hmac(key, part);
  const expected = createHmac("sha256", key).update(stringToSign).digest("hex");
  if (expected === claimed.signature.toLowerCase()) return;
  throw new S3Error(
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. " +
      "Check your key and signing method.",
    {
      fields: [
        ["AWSAccessKeyId", claimed.accessKeyId],
        ["StringToSign", stringToSign],
        ["SignatureProvided", claimed.signature],
        ["CanonicalRequest", canonicalRequest],
      ],
    },
  );
}
