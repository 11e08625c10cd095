/**
 * CRC32 (the zlib / IEEE 802.3 polynomial that S3 names `CRC32`) as S3
 * writes it: the 4 bytes big-endian, Base64. Used for the per-part
 * `x-amz-checksum-crc32` of multipart uploads, where it costs a fraction of
 * an MD5 (`node:zlib`'s `crc32`: several GB/s, MD5 ~0.3-0.5 GB/s here).
 *
 * `node:zlib` is loaded on first use: importing it costs a process ~40 ms
 * of start-up, which most commands never need.
 *
 * @module
 */

type Crc32Fn = (data: Uint8Array, value?: number) => number;

let loaded: Promise<Crc32Fn> | undefined;

function load(): Promise<Crc32Fn> {
  return loaded ??= import("node:zlib").then((zlib) => zlib.crc32 as Crc32Fn);
}

/** An incremental CRC32; see {@linkcode createCrc32}. */
export interface Crc32 {
  /** Adds bytes; returns itself. */
  update(bytes: Uint8Array): Crc32;
  /** The CRC32 of everything added, Base64 of its 4 big-endian bytes. */
  base64(): string;
}

/**
 * A new incremental CRC32 (loads `node:zlib` the first time).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCrc32 } from "./crc32.ts";
 * const crc = await createCrc32();
 * crc.update(new TextEncoder().encode("12345")).update(new TextEncoder().encode("6789"));
 * assert.equal(crc.base64(), "y/Q5Jg=="); // 0xCBF43926, the CRC-32 check value
 * ```
 */
export async function createCrc32(): Promise<Crc32> {
  const crc32 = await load();
  let value = 0;
  const self: Crc32 = {
    update(bytes) {
      value = crc32(bytes, value);
      return self;
    },
    base64: () => uint32Base64(value),
  };
  return self;
}

/**
 * The CRC32 of `bytes`, Base64 of its 4 big-endian bytes (the form of
 * `x-amz-checksum-crc32`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crc32Base64 } from "./crc32.ts";
 * assert.equal(await crc32Base64(new Uint8Array()), "AAAAAA==");
 * assert.equal(await crc32Base64(new TextEncoder().encode("123456789")), "y/Q5Jg==");
 * ```
 */
export async function crc32Base64(bytes: Uint8Array): Promise<string> {
  return (await createCrc32()).update(bytes).base64();
}

/**
 * The checksum S3 gives a multipart object uploaded with COMPOSITE CRC32
 * part checksums: the CRC32 of the parts' binary checksums joined in part
 * order, Base64, then `-` and the number of parts. Throws `TypeError` for a
 * part checksum that is not Base64 of 4 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compositeCrc32, crc32Base64 } from "./crc32.ts";
 * const parts = [await crc32Base64(new Uint8Array([1])), await crc32Base64(new Uint8Array([2]))];
 * const joined = new Uint8Array([...parts].flatMap((p) => [...atob(p)].map((c) => c.charCodeAt(0))));
 * assert.equal(await compositeCrc32(parts), `${await crc32Base64(joined)}-2`);
 * ```
 */
export async function compositeCrc32(partChecksums: readonly string[]): Promise<string> {
  const joined = new Uint8Array(partChecksums.length * 4);
  partChecksums.forEach((p, i) => {
    const raw = /^[A-Za-z0-9+/]{6}==$/.test(p) ? atob(p) : "";
    if (raw.length !== 4) throw new TypeError(`not a Base64 CRC32: ${JSON.stringify(p)}`);
    for (let k = 0; k < 4; k++) joined[i * 4 + k] = raw.charCodeAt(k);
  });
  return `${await crc32Base64(joined)}-${partChecksums.length}`;
}

function uint32Base64(value: number): string {
  const v = value >>> 0;
  return btoa(String.fromCharCode(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
}
