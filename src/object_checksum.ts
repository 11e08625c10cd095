/**
 * S3's own full-object checksums (`x-amz-checksum-crc64nvme`, `-crc32`,
 * `-crc32c`, `-sha1`, `-sha256`): the content check left when an object's
 * ETag is no MD5 (SSE-KMS, SSE-C, a store's own ETags) and it has no
 * `vc-md5`. aws CLI v2 and the recent SDKs store a CRC64NVME with every
 * upload, so most such objects have one.
 *
 * Only a `FULL_OBJECT` checksum is of the bytes as a whole. A `COMPOSITE`
 * one (`<base64>-<parts>`, a multipart upload's) is a checksum of the parts'
 * checksums, which needs the part layout: `verify.ts` checks it part by part
 * when nothing else can be.
 *
 * @module
 */
import { hashFileWith } from "./hash.ts";
import type { ChecksumAlgorithm, ObjectChecksum } from "./store/types.ts";

/** The response header of each algorithm, as S3 names them (lower case). */
export const CHECKSUM_HEADERS: Readonly<Record<string, ChecksumAlgorithm>> = {
  "x-amz-checksum-crc64nvme": "CRC64NVME",
  "x-amz-checksum-crc32": "CRC32",
  "x-amz-checksum-crc32c": "CRC32C",
  "x-amz-checksum-sha1": "SHA1",
  "x-amz-checksum-sha256": "SHA256",
};

// Bytes of each algorithm's digest: a value of another length is no checksum of it.
const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC64NVME: 8,
  CRC32: 4,
  CRC32C: 4,
  SHA1: 20,
  SHA256: 32,
};

/**
 * The checksum a response tells, from the value of one of
 * {@linkcode CHECKSUM_HEADERS} and its `x-amz-checksum-type`. Without the
 * type (older answers, S3-compatible stores) a `-N` suffix says COMPOSITE,
 * and so does `multipart` (the object's ETag ends in `-N`) unless the
 * algorithm is CRC64NVME, which has no composite form: moto answers a HEAD
 * of a multipart object with its composite CRC32 without the suffix, which
 * taken for the content's would fail an intact download. `undefined` for a
 * value that is neither Base64 of the algorithm's digest nor a composite one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChecksum } from "./object_checksum.ts";
 * assert.deepEqual(parseChecksum("CRC32", "y/Q5Jg==", null), {
 *   algorithm: "CRC32", value: "y/Q5Jg==", type: "FULL_OBJECT",
 * });
 * assert.equal(parseChecksum("CRC32", "y/Q5Jg==-3", null)?.type, "COMPOSITE");
 * assert.equal(parseChecksum("CRC32", "y/Q5Jg==", null, true)?.type, "COMPOSITE");
 * assert.equal(parseChecksum("CRC32", "y/Q5Jg==", "FULL_OBJECT", true)?.type, "FULL_OBJECT");
 * assert.equal(parseChecksum("CRC32", "not base64", null), undefined);
 * ```
 */
export function parseChecksum(
  algorithm: ChecksumAlgorithm,
  value: string,
  type: string | null | undefined,
  multipart = false,
): ObjectChecksum | undefined {
  const v = value.trim();
  const m = /^([A-Za-z0-9+/]+={0,2})(-\d+)?$/.exec(v);
  if (m === null) return undefined;
  let bytes: number;
  try {
    bytes = atob(m[1]!).length;
  } catch {
    return undefined;
  }
  if (bytes !== DIGEST_BYTES[algorithm]) return undefined;
  const said = (type ?? "").trim().toUpperCase();
  const composite = m[2] !== undefined || said === "COMPOSITE" ||
    (said !== "FULL_OBJECT" && multipart && algorithm !== "CRC64NVME");
  return { algorithm, value: v, type: composite ? "COMPOSITE" : "FULL_OBJECT" };
}

/**
 * The object's CRC32C that Google Cloud Storage's XML API tells on every
 * answer (`x-goog-hash: crc32c=<Base64>`, with `md5=<Base64>` beside it, in
 * one header or two joined by ", "), as a full-object checksum: GCS computes
 * it for every object, composite ones and those uploaded in parts included,
 * whose ETag is no MD5. `undefined` without a well-formed one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { googHashChecksum } from "./object_checksum.ts";
 * assert.deepEqual(googHashChecksum("crc32c=4waSgw==, md5=XrY7u+Ae7tCTyyK7j1rNww=="), {
 *   algorithm: "CRC32C", value: "4waSgw==", type: "FULL_OBJECT",
 * });
 * assert.equal(googHashChecksum("md5=XrY7u+Ae7tCTyyK7j1rNww=="), undefined);
 * assert.equal(googHashChecksum("crc32c=nonsense"), undefined);
 * ```
 */
export function googHashChecksum(header: string): ObjectChecksum | undefined {
  const value = googHashItem(header, "crc32c");
  return value === undefined ? undefined : parseChecksum("CRC32C", value, "FULL_OBJECT");
}

/**
 * The content's MD5 (hex) that Google Cloud Storage tells in `x-goog-hash`
 * (`md5=<Base64>`; none for a composite object), or `undefined`. Where the
 * ETag is 32 hex digits and not this, the ETag is no MD5.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { googHashMd5 } from "./object_checksum.ts";
 * assert.equal(googHashMd5("crc32c=mnG7TA==, md5=XUFAKrxLKna5cZ2REBfFkg=="), "5d41402abc4b2a76b9719d911017c592");
 * assert.equal(googHashMd5("crc32c=mnG7TA=="), undefined);
 * ```
 */
export function googHashMd5(header: string): string | undefined {
  const value = googHashItem(header, "md5");
  if (value === undefined || !/^[A-Za-z0-9+/]{22}==$/.test(value)) return undefined;
  return Uint8Array.fromBase64(value).toHex();
}

// The value of `name=` among the comma-separated items of an x-goog-hash.
function googHashItem(header: string, name: string): string | undefined {
  for (const item of header.split(",")) {
    const eq = item.indexOf("=");
    if (eq >= 0 && item.slice(0, eq).trim().toLowerCase() === name) {
      return item.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/**
 * A running hash of one of S3's checksum algorithms, read out as S3 writes
 * it (Base64 of the big-endian digest). Loads what it needs on first use
 * (`node:zlib` for CRC32, `node:crypto` for the SHA ones, the TypeScript
 * tables of `crc_table.ts` for CRC64NVME and CRC32C).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumHasher } from "./object_checksum.ts";
 * const h = await checksumHasher("CRC64NVME");
 * h.update(new TextEncoder().encode("123456789"));
 * assert.equal(h.base64(), "rosUhgp5mIg="); // 0xae8b14860a799888
 * ```
 */
export async function checksumHasher(
  algorithm: ChecksumAlgorithm,
): Promise<{ update(bytes: Uint8Array): unknown; base64(): string }> {
  switch (algorithm) {
    case "CRC64NVME":
    case "CRC32C": {
      const { createCrc32c, createCrc64Nvme } = await import("./crc_table.ts");
      const crc = algorithm === "CRC32C" ? createCrc32c() : createCrc64Nvme();
      return { update: (b) => crc.update(b), base64: () => crc.digest().toBase64() };
    }
    case "CRC32":
      return await (await import("./store/crc32.ts")).createCrc32();
    case "SHA1":
    case "SHA256": {
      const { createHash } = await import("node:crypto");
      const hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
      return { update: (b) => hash.update(b), base64: () => hash.digest("base64") };
    }
  }
}

/**
 * The checksum of a file in `algorithm`, Base64 as S3 writes it; `signal`
 * stops it between reads, `onProgress` is told the bytes read so far.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumFile } from "./object_checksum.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "123456789");
 *   assert.equal(await checksumFile(p, "CRC32C"), "4waSgw=="); // 0xe3069283
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export async function checksumFile(
  path: string,
  algorithm: ChecksumAlgorithm,
  options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {},
): Promise<string> {
  const hasher = await checksumHasher(algorithm);
  const { hash } = await hashFileWith(path, () => hasher, options);
  return hash.base64();
}
