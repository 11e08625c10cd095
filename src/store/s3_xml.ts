/**
 * Reading S3's XML error bodies (`<Error><Code>NoSuchKey</Code>...`) on the
 * lean request path. The documents are tiny and flat, so a few regular
 * expressions beat pulling in an XML parser.
 *
 * @module
 */
import { decodeXmlEntities } from "../xml_entities.ts";

/** What an S3 error body says. Every field is optional: proxies answer with HTML. */
export interface S3ErrorDetails {
  /** S3 error code, e.g. `NoSuchKey`, `SlowDown`, `AccessDenied`. */
  code?: string;
  /** Human-readable message. */
  message?: string;
  /** Request ID, for support tickets. */
  requestId?: string;
  /** The bucket's region, in `PermanentRedirect` / `AuthorizationHeaderMalformed` errors. */
  region?: string;
  /** The endpoint to use, in redirect errors. */
  endpoint?: string;
  /** The object's storage class, in `InvalidObjectState` errors (an archived object). */
  storageClass?: string;
  /** The object's Intelligent-Tiering access tier, in `InvalidObjectState` errors. */
  accessTier?: string;
  /** The `Location` header of a redirect response (not part of the XML). */
  location?: string;
  /**
   * The error came in the body of a 200 OK (a copy or CompleteMultipartUpload
   * that failed after S3 answered, or a proxy), not with an error status.
   */
  in200?: boolean;
}

/**
 * Extracts the fields of an S3 XML error document; fields that are absent stay
 * `undefined`, and a body that is not XML yields `{}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseS3ErrorXml } from "./s3_xml.ts";
 * const d = parseS3ErrorXml(
 *   "<Error><Code>NoSuchKey</Code><Message>The key &amp; more</Message></Error>",
 * );
 * assert(d.code === "NoSuchKey" && d.message === "The key & more");
 * ```
 */
export function parseS3ErrorXml(xml: string): S3ErrorDetails {
  const out: S3ErrorDetails = {};
  const code = xmlText(xml, "Code");
  if (code !== undefined) out.code = code;
  const message = xmlText(xml, "Message");
  if (message !== undefined) out.message = message;
  const requestId = xmlText(xml, "RequestId");
  if (requestId !== undefined) out.requestId = requestId;
  const region = xmlText(xml, "Region");
  if (region !== undefined) out.region = region;
  const endpoint = xmlText(xml, "Endpoint");
  if (endpoint !== undefined) out.endpoint = endpoint;
  const storageClass = xmlText(xml, "StorageClass");
  if (storageClass !== undefined) out.storageClass = storageClass;
  const accessTier = xmlText(xml, "AccessTier");
  if (accessTier !== undefined) out.accessTier = accessTier;
  return out;
}

/**
 * The decoded text of the first `<tag>...</tag>` element, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xmlText } from "./s3_xml.ts";
 * assert(xmlText("<a><Key>x&lt;y</Key></a>", "Key") === "x<y");
 * ```
 */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m === null ? undefined : decodeXmlEntities(m[1]!);
}
