/**
 * CRC32 checksums of multipart uploads, checked as S3 checks them: an upload
 * created with `x-amz-checksum-algorithm: CRC32` takes only parts that carry
 * their CRC32 (header `x-amz-checksum-crc32`, or a trailer of an
 * `aws-chunked` body), a part whose bytes do not match it is refused with
 * BadDigest, and CompleteMultipartUpload must list each part's checksum. The
 * object's checksum is COMPOSITE: the CRC32 of the parts' checksums, `-N`,
 * kept with the object and answered to a whole-object GET or HEAD sent with
 * `x-amz-checksum-mode: ENABLED`, as S3 answers it.
 * Other algorithms are accepted and not checked.
 *
 * @module
 */
import { compositeCrc32, createCrc32 } from "../../store/crc32.ts";
import { S3Error } from "./s3_error.ts";

/** The checksum an upload was created with (only CRC32 is checked). */
export interface UploadChecksum {
  /** The algorithm. */
  algorithm: "CRC32";
  /** How the object's checksum is made from the parts'. */
  type: "COMPOSITE" | "FULL_OBJECT";
}

const HEADER = "x-amz-checksum-crc32";

/**
 * The CRC32 checksum a CreateMultipartUpload asks for, or `undefined` (no
 * algorithm, or one the fake does not check).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uploadChecksum } from "./part_checksum.ts";
 * const c = uploadChecksum(new Headers({ "x-amz-checksum-algorithm": "crc32" }));
 * assert.deepEqual(c, { algorithm: "CRC32", type: "COMPOSITE" });
 * assert.equal(uploadChecksum(new Headers()), undefined);
 * ```
 */
export function uploadChecksum(headers: Headers): UploadChecksum | undefined {
  if (headers.get("x-amz-checksum-algorithm")?.trim().toUpperCase() !== "CRC32") return undefined;
  const type = headers.get("x-amz-checksum-type")?.trim().toUpperCase();
  return { algorithm: "CRC32", type: type === "FULL_OBJECT" ? "FULL_OBJECT" : "COMPOSITE" };
}

/** A part body on its way in, with the CRC32 it came with. */
export interface CheckedPart {
  /** The body's bytes, hashed as they pass. */
  chunks: AsyncIterable<Uint8Array>;
  /**
   * After `chunks` was read to its end: the part's Base64 CRC32 when it
   * came with one (`undefined` otherwise). Throws BadDigest when the bytes
   * do not match it.
   */
  verify(): string | undefined;
}

/**
 * Wraps a part's body so its CRC32 is computed on the way in when the
 * client sent one (header or trailer). Throws InvalidRequest when the upload
 * was created with CRC32 and the part announces no CRC32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPart } from "./part_checksum.ts";
 * import { crc32Base64 } from "../../store/crc32.ts";
 * const body = new TextEncoder().encode("abc");
 * const headers = new Headers({ "x-amz-checksum-crc32": await crc32Base64(body) });
 * const part = await checkPart(headers, () => ReadableStream.from([body]), undefined, "k");
 * let n = 0;
 * for await (const chunk of part.chunks) n += chunk.length;
 * assert.equal(n, 3);
 * assert.equal(part.verify(), await crc32Base64(body));
 * ```
 */
export async function checkPart(
  headers: Headers,
  body: (onTrailer: (name: string, value: string) => void) => AsyncIterable<Uint8Array>,
  checksum: UploadChecksum | undefined,
  key: string,
): Promise<CheckedPart> {
  let sent = headers.get(HEADER)?.trim();
  const trailing = (headers.get("x-amz-trailer") ?? "").split(",")
    .some((t) => t.trim().toLowerCase() === HEADER);
  const source = body((name, value) => {
    if (name === HEADER) sent = value;
  });
  if (sent === undefined && !trailing) {
    if (checksum !== undefined) {
      throw new S3Error(
        "InvalidRequest",
        `Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: null`,
        { key },
      );
    }
    return { chunks: source, verify: () => undefined };
  }
  const crc = await createCrc32();
  async function* hashed(): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const chunk of source) {
      crc.update(chunk);
      yield chunk;
    }
  }
  return {
    chunks: hashed(),
    verify() {
      if (sent === undefined) {
        throw new S3Error("InvalidRequest", `the ${HEADER} trailer was announced but not sent`, {
          key,
        });
      }
      if (crc.base64() !== sent) {
        throw new S3Error(
          "BadDigest",
          `The CRC32 you specified did not match the calculated checksum: ${sent} sent, ${crc.base64()} received for ${key}`,
          { key },
        );
      }
      return sent;
    },
  };
}

/** A part as listed in a completion, with the checksum it lists. */
export interface ListedPart {
  /** Part number. */
  number: number;
  /** `<ChecksumCRC32>` as listed, if any. */
  crc32?: string | undefined;
}

/**
 * Checks the checksums a completion lists against the stored parts'
 * (`stored(n)`) and returns the object's checksum (`undefined` when the
 * upload has none, or for FULL_OBJECT, which the fake does not compute).
 * Throws InvalidRequest for a part listed without its checksum, InvalidPart
 * for one listed with another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { completionChecksum } from "./part_checksum.ts";
 * import { compositeCrc32, crc32Base64 } from "../../store/crc32.ts";
 * const c1 = await crc32Base64(new Uint8Array([1]));
 * const sum = await completionChecksum(
 *   { algorithm: "CRC32", type: "COMPOSITE" }, [{ number: 1, crc32: c1 }], () => c1, "u1",
 * );
 * assert.equal(sum, await compositeCrc32([c1]));
 * ```
 */
export async function completionChecksum(
  checksum: UploadChecksum | undefined,
  listed: readonly ListedPart[],
  stored: (number: number) => string | undefined,
  uploadId: string,
): Promise<string | undefined> {
  if (checksum === undefined) return undefined;
  for (const part of listed) {
    if (part.crc32 === undefined) {
      throw new S3Error(
        "InvalidRequest",
        `The upload was created using a crc32 checksum. The complete request must include the checksum for each part. It was missing for part ${part.number} in the request.`,
        { uploadId },
      );
    }
    if (part.crc32.trim() !== stored(part.number)) {
      throw new S3Error(
        "InvalidPart",
        `One or more of the specified parts could not be found or its checksum did not match: part ${part.number} (ChecksumCRC32 ${part.crc32})`,
        { uploadId },
      );
    }
  }
  if (checksum.type === "FULL_OBJECT") return undefined;
  return await compositeCrc32(listed.map((p) => p.crc32!.trim()));
}
