/**
 * Full-object checksums and SSE-KMS of single PUTs, as S3 does them: a
 * `x-amz-checksum-<algorithm>` sent with the body (header, or trailer of an
 * `aws-chunked` body, as aws CLI v2 sends its CRC64NVME) is checked (BadDigest
 * when the bytes differ) and kept; a GET or HEAD of the whole object returns
 * it, with `x-amz-checksum-type: FULL_OBJECT`, only when asked with
 * `x-amz-checksum-mode: ENABLED`. `x-amz-server-side-encryption: aws:kms`
 * makes the ETag no MD5 of the content, as S3's is for such objects.
 *
 * @module
 */
import { CHECKSUM_HEADERS, checksumHasher } from "../../object_checksum.ts";
import { md5Hex } from "../../hash.ts";
import type { ChecksumAlgorithm } from "../../store/types.ts";
import { S3Error } from "./s3_error.ts";

/** A PUT body on its way in, hashed in the algorithm its checksum names. */
export interface CheckedBody {
  /** The body's bytes. */
  chunks: AsyncIterable<Uint8Array>;
  /**
   * After `chunks` was read to its end: the headers to keep with the object
   * (its checksum and type, its encryption). Throws BadDigest when the bytes
   * do not match the checksum sent.
   */
  finish(): Record<string, string>;
}

/**
 * Wraps a PUT's body so a full-object checksum it came with is checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkObjectBody } from "./object_checksum.ts";
 * const body = new TextEncoder().encode("123456789");
 * const headers = new Headers({ "x-amz-checksum-crc32c": "4waSgw==" });
 * const checked = await checkObjectBody(headers, () => ReadableStream.from([body]), "k");
 * for await (const _ of checked.chunks);
 * assert.equal(checked.finish()["x-amz-checksum-type"], "FULL_OBJECT");
 * ```
 */
export async function checkObjectBody(
  headers: Headers,
  body: (onTrailer: (name: string, value: string) => void) => AsyncIterable<Uint8Array>,
  key: string,
): Promise<CheckedBody> {
  let header: string | undefined;
  let sent: string | undefined;
  for (const name in CHECKSUM_HEADERS) {
    const value = headers.get(name);
    if (value !== null) [header, sent] = [name, value.trim()];
  }
  const trailer = (headers.get("x-amz-trailer") ?? "").trim().toLowerCase();
  if (header === undefined && CHECKSUM_HEADERS[trailer] !== undefined) header = trailer;
  const source = body((name, value) => {
    if (name === header) sent = value.trim();
  });
  const kept: Record<string, string> = {};
  const encryption = headers.get("x-amz-server-side-encryption");
  if (encryption !== null) kept["x-amz-server-side-encryption"] = encryption;
  if (header === undefined) return { chunks: source, finish: () => kept };
  const algorithm: ChecksumAlgorithm = CHECKSUM_HEADERS[header]!;
  const hash = await checksumHasher(algorithm);
  async function* hashed(): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const chunk of source) {
      hash.update(chunk);
      yield chunk;
    }
  }
  return {
    chunks: hashed(),
    finish() {
      const got = hash.base64();
      if (sent !== undefined && sent !== got) {
        throw new S3Error(
          "BadDigest",
          `The ${algorithm} you specified did not match the calculated checksum: ${sent} sent, ${got} received for ${key}`,
          { key },
        );
      }
      return { ...kept, [header!]: got, "x-amz-checksum-type": "FULL_OBJECT" };
    },
  };
}

/**
 * The ETag S3 gives an object: the MD5 of its content, unless it is
 * encrypted with SSE-KMS (then 32 hex digits that are not).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storedEtag } from "./object_checksum.ts";
 * const md5 = "0cc175b9c0f1b6a831c399e269772661";
 * assert.equal(storedEtag(md5, {}), md5);
 * assert.notEqual(storedEtag(md5, { "x-amz-server-side-encryption": "aws:kms" }), md5);
 * ```
 */
export function storedEtag(md5: string, kept: Record<string, string>): string {
  return (kept["x-amz-server-side-encryption"] ?? "").startsWith("aws:kms")
    ? md5Hex(`sse-kms ${md5}`)
    : md5;
}

/**
 * Removes the stored checksum from a GET's or HEAD's headers unless the
 * request asked for it (`x-amz-checksum-mode: ENABLED`) and the answer is
 * the whole object (a range's bytes are not what it is of).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerChecksum } from "./object_checksum.ts";
 * const stored = () => ({ "x-amz-checksum-crc32": "y/Q5Jg==", "x-amz-checksum-type": "FULL_OBJECT" });
 * const asked = new Headers({ "x-amz-checksum-mode": "ENABLED" });
 * assert.equal(answerChecksum(stored(), asked, 200)["x-amz-checksum-crc32"], "y/Q5Jg==");
 * assert.equal(answerChecksum(stored(), new Headers(), 200)["x-amz-checksum-crc32"], undefined);
 * assert.equal(answerChecksum(stored(), asked, 206)["x-amz-checksum-type"], undefined);
 * ```
 */
export function answerChecksum(
  headers: Record<string, string>,
  request: Headers,
  status: number,
): Record<string, string> {
  const asked = request.get("x-amz-checksum-mode")?.trim().toUpperCase() === "ENABLED";
  if (asked && status === 200) return headers;
  for (const name of [...Object.keys(CHECKSUM_HEADERS), "x-amz-checksum-type"]) {
    delete headers[name];
  }
  return headers;
}
