/**
 * The `Repr-Digest` field (RFC 9530) a whole-file download carries: the MD5
 * of the file as uploaded, which the client checks the body against.
 *
 * Chosen over `Content-MD5` (RFC 1864), which HTTP dropped (RFC 7231,
 * appendix B) for its unclear meaning with ranges and content codings;
 * `Repr-Digest` is defined as the digest of the whole representation,
 * exactly what is checked. md5 is "deprecated" in its registry for its
 * collisions, which matter against an attacker, not for bytes a store or a
 * proxy damaged; and it is the digest the service keeps (`EntryMeta.md5`).
 *
 * @module
 */
import { hexToBase64 } from "../store/s3_request.ts";

/**
 * The field's value for a file whose hex MD5 is `md5`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reprDigest } from "./repr_digest.ts";
 * assert(reprDigest("d41d8cd98f00b204e9800998ecf8427e") === "md5=:1B2M2Y8AsgTpgAmY7PhCfg==:");
 * ```
 */
export function reprDigest(md5: string): string {
  return `md5=:${hexToBase64(md5)}:`;
}

/**
 * The hex MD5 a `Repr-Digest` value names, or `undefined` when it names
 * none (absent, other algorithms only, or not a 16-byte digest). Read as a
 * structured-field dictionary (RFC 8941): of several `md5` members the last
 * one counts; a member with parameters is not one this reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reprDigestMd5 } from "./repr_digest.ts";
 * const hex = "d41d8cd98f00b204e9800998ecf8427e";
 * assert(reprDigestMd5("sha-256=:x:, md5=:1B2M2Y8AsgTpgAmY7PhCfg==:") === hex);
 * assert(reprDigestMd5(null) === undefined && reprDigestMd5("sha-256=:x:") === undefined);
 * assert(reprDigestMd5("md5=:1B2M2Y8AsgTpgAmY7PhCfg==:, md5=:AAAA:") === undefined);
 * ```
 */
export function reprDigestMd5(value: string | null): string | undefined {
  if (value === null) return undefined;
  let last: string | undefined;
  for (const member of value.split(",")) {
    if (/^\s*md5\s*(=|;|$)/.test(member)) last = member;
  }
  // A dictionary member `key=:base64:` (RFC 8941 byte sequence); keys are lowercase.
  const m = last === undefined ? null : /^\s*md5\s*=\s*:([A-Za-z0-9+/=]*):\s*$/.exec(last);
  if (m === null) return undefined;
  let binary: string;
  try {
    binary = atob(m[1]!);
  } catch {
    return undefined;
  }
  if (binary.length !== 16) return undefined;
  return [...binary].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

/**
 * The hex MD5 a response's body can be checked against: a whole file (200)
 * with a `Repr-Digest` MD5 and no content coding. A coded representation's
 * digest is of the coded bytes (RFC 9530 3), which `fetch` decodes before
 * anyone sees them: that digest cannot be checked, and is not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkableMd5 } from "./repr_digest.ts";
 * const headers = new Headers({ "repr-digest": "md5=:1B2M2Y8AsgTpgAmY7PhCfg==:" });
 * assert(checkableMd5(new Response(null, { headers })) === "d41d8cd98f00b204e9800998ecf8427e");
 * headers.set("content-encoding", "gzip");
 * assert(checkableMd5(new Response(null, { headers })) === undefined);
 * ```
 */
export function checkableMd5(res: Response): string | undefined {
  if (res.status !== 200 || !uncoded(res)) return undefined;
  return reprDigestMd5(res.headers.get("repr-digest"));
}

/**
 * Whether a response's body is the representation's bytes as sent (no
 * content coding, or `identity`): the ones its digest, `Content-Length` and
 * ranges count. `fetch` decodes a coded body before anyone sees it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uncoded } from "./repr_digest.ts";
 * assert(uncoded(new Response(null, { headers: { "content-encoding": "identity" } })));
 * assert(!uncoded(new Response(null, { headers: { "content-encoding": "gzip" } })));
 * ```
 */
export function uncoded(res: Response): boolean {
  const coding = res.headers.get("content-encoding");
  return coding === null || /^\s*(identity\s*)?$/i.test(coding);
}
