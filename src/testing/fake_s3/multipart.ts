/**
 * Multipart upload state: uploads in progress with their parts, and the
 * validation and ETag of a completion (MD5 of the parts' binary MD5s, `-N`).
 *
 * @module
 */
import { multipartEtag } from "../../hash.ts";
import type { ObjectFields, Staged } from "./backend.ts";
import { compareKeys } from "./listing.ts";
import type { UploadChecksum } from "./part_checksum.ts";
import { S3Error } from "./s3_error.ts";

/** One uploaded part. */
export interface Part {
  /** 1..10000. */
  number: number;
  /** Hex MD5 of the part (its ETag). */
  etag: string;
  /** Size in bytes. */
  size: number;
  /** Base64 CRC32 the part was sent (and checked) with, if any. */
  crc32?: string | undefined;
  /** Upload time. */
  lastModified: Date;
  /** The bytes. */
  staged: Staged;
}

/** A multipart upload in progress. */
export interface Upload {
  /** Upload ID. */
  id: string;
  /** Destination bucket. */
  bucket: string;
  /** Destination key. */
  key: string;
  /** When it was created. */
  initiated: Date;
  /** Content type, metadata and headers given at creation. */
  fields: Omit<ObjectFields, "etag" | "partSizes">;
  /** Parts by number. */
  parts: Map<number, Part>;
  /** The part checksum the upload was created with (CRC32 only), if any. */
  checksum?: UploadChecksum | undefined;
}

/** What a successful completion produced, remembered so a retried completion succeeds again. */
export interface Completion {
  /** Bucket. */
  bucket: string;
  /** Key. */
  key: string;
  /** The object's ETag. */
  etag: string;
  /** The object's checksum (composite CRC32), if it has one. */
  crc32?: string | undefined;
}

// Retries of CompleteMultipartUpload arrive soon after the first attempt;
// remembering the latest completions is enough.
const REMEMBERED_COMPLETIONS = 1000;

/**
 * Uploads in progress, by ID.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UploadRegistry } from "./multipart.ts";
 * const uploads = new UploadRegistry();
 * const u = uploads.create("b", "k", { contentType: undefined, metadata: {}, headers: {} });
 * assert(uploads.get(u.id, "b", "k") === u);
 * ```
 */
export class UploadRegistry {
  #uploads = new Map<string, Upload>();
  #completed = new Map<string, Completion>();

  /** Starts an upload. */
  create(
    bucket: string,
    key: string,
    fields: Upload["fields"],
    checksum?: UploadChecksum,
  ): Upload {
    const id = crypto.randomUUID().replaceAll("-", "");
    const upload: Upload = {
      id,
      bucket,
      key,
      initiated: new Date(),
      fields,
      parts: new Map(),
      checksum,
    };
    this.#uploads.set(id, upload);
    return upload;
  }

  /** The upload, or NoSuchUpload when it is unknown or for another bucket/key. */
  get(id: string | null, bucket: string, key: string): Upload {
    const upload = id === null ? undefined : this.#uploads.get(id);
    if (!upload || upload.bucket !== bucket || upload.key !== key) {
      throw new S3Error(
        "NoSuchUpload",
        `The specified multipart upload does not exist: ${id} for ${bucket}/${key}`,
        { bucket, key, ...(id === null ? {} : { uploadId: id }) },
      );
    }
    return upload;
  }

  /** True when the upload is still in progress. */
  isActive(upload: Upload): boolean {
    return this.#uploads.get(upload.id) === upload;
  }

  /** Forgets an upload (completed or aborted). */
  remove(upload: Upload): void {
    this.#uploads.delete(upload.id);
  }

  /** Uploads in a bucket whose key starts with `prefix`, by key then initiation. */
  list(bucket: string, prefix: string): Upload[] {
    return [...this.#uploads.values()]
      .filter((u) => u.bucket === bucket && u.key.startsWith(prefix))
      .sort((a, b) => compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime());
  }

  /** Every upload in progress. */
  all(): Upload[] {
    return [...this.#uploads.values()];
  }

  /** Remembers a completion for retries. */
  completed(id: string, completion: Completion): void {
    this.#completed.set(id, completion);
    if (this.#completed.size > REMEMBERED_COMPLETIONS) {
      const oldest = this.#completed.keys().next().value;
      if (oldest !== undefined) this.#completed.delete(oldest);
    }
  }

  /** The remembered completion of `id` for this bucket and key, if any. */
  completion(id: string | null, bucket: string, key: string): Completion | undefined {
    const c = id === null ? undefined : this.#completed.get(id);
    return c && c.bucket === bucket && c.key === key ? c : undefined;
  }
}

/** A part as listed in a CompleteMultipartUpload request. */
export interface RequestedPart {
  /** Part number. */
  number: number;
  /** ETag as sent (quotes allowed). */
  etag: string;
  /** `<ChecksumCRC32>` as sent, if any. */
  crc32?: string | undefined;
}

/**
 * Checks a completion request against the uploaded parts like S3 does and
 * returns the parts to join and the resulting ETag. Throws MalformedXML (no
 * parts), InvalidPartOrder, InvalidPart (missing or ETag mismatch), or
 * EntityTooSmall (a part other than the last below `minPartSize`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planCompletion, UploadRegistry } from "./multipart.ts";
 * import { md5Hex } from "../../hash.ts";
 * const u = new UploadRegistry().create("b", "k", { contentType: undefined, metadata: {}, headers: {} });
 * const etag = md5Hex("x");
 * u.parts.set(1, { number: 1, etag, size: 1, lastModified: new Date(), staged: { size: 1, md5: etag, data: [] } });
 * const plan = planCompletion(u, [{ number: 1, etag: `"${etag}"` }], 5);
 * assert(plan.etag.endsWith("-1") && plan.parts.length === 1);
 * ```
 */
export function planCompletion(
  upload: Upload,
  requested: readonly RequestedPart[],
  minPartSize: number,
): { parts: Part[]; etag: string } {
  if (requested.length === 0) {
    throw new S3Error(
      "MalformedXML",
      "The XML you provided did not list any parts",
      { bucket: upload.bucket, key: upload.key, uploadId: upload.id },
    );
  }
  const parts: Part[] = [];
  let previous = 0;
  for (const r of requested) {
    if (r.number <= previous) {
      throw new S3Error(
        "InvalidPartOrder",
        `The list of parts was not in ascending order: part ${r.number} after ${previous}`,
        { uploadId: upload.id },
      );
    }
    previous = r.number;
    const part = upload.parts.get(r.number);
    const etag = r.etag.trim().replace(/^"(.*)"$/, "$1");
    if (!part || part.etag !== etag) {
      throw new S3Error(
        "InvalidPart",
        `One or more of the specified parts could not be found or its ETag did not match: part ${r.number} (${r.etag})`,
        { uploadId: upload.id },
      );
    }
    parts.push(part);
  }
  for (const part of parts.slice(0, -1)) {
    if (part.size < minPartSize) {
      throw new S3Error(
        "EntityTooSmall",
        `Your proposed upload is smaller than the minimum allowed size: part ${part.number} has ${part.size} bytes, the minimum is ${minPartSize}`,
        { uploadId: upload.id },
      );
    }
  }
  return { parts, etag: multipartEtag(parts.map((p) => p.etag)) };
}
