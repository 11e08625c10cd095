/**
 * SHA-256 and HMAC-SHA-256 of the short strings SigV4 signs (canonical
 * request, string to sign, signing-key derivation), in plain TypeScript.
 *
 * Why not `node:crypto`: importing it brings up Deno's Node compatibility
 * layer, 12-22 ms of every process start, and a request that hashes no
 * payload (a listing, a HEAD, a GET) needs nothing else from it: a no-op
 * `vc mirror` then never loads it. Once `node:crypto` is loaded anyway
 * (a request whose payload was hashed, by `sha256Hex` in `hash.ts`), the
 * signer uses it instead: it is about 4× faster on warm code. A test
 * compares both on inputs of every length around the block boundaries.
 *
 * @module
 */

const K = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = [
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
];
const W = new Uint32Array(64);
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** Compresses the 64-byte blocks of `data` from `offset` into state `h`. */
function blocks(h: Uint32Array, data: Uint8Array, offset: number, end: number): void {
  let a: number, b: number, c: number, d: number, e: number, f: number, g: number, k: number;
  for (let p = offset; p + 64 <= end; p += 64) {
    for (let i = 0; i < 16; i++) {
      const j = p + i * 4;
      W[i] = (data[j]! << 24) | (data[j + 1]! << 16) | (data[j + 2]! << 8) | data[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15]!;
      const y = W[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
    }
    a = h[0]!;
    b = h[1]!;
    c = h[2]!;
    d = h[3]!;
    e = h[4]!;
    f = h[5]!;
    g = h[6]!;
    k = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + k;
  }
}

/**
 * SHA-256 of the concatenation of `parts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256, toHex } from "./sigv4_sha256.ts";
 * const abc = new TextEncoder().encode("abc");
 * assert.equal(toHex(sha256(abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * ```
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  // One buffer with the padding: these inputs are small.
  const padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
  let at = 0;
  for (const p of parts) {
    padded.set(p, at);
    at += p.length;
  }
  padded[length] = 0x80;
  const bits = length * 8;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
  view.setUint32(padded.length - 4, bits >>> 0);
  const h = new Uint32Array(INITIAL);
  blocks(h, padded, 0, padded.length);
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i]!);
  return out;
}

/**
 * Lower-case hex of bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toHex } from "./sigv4_sha256.ts";
 * assert.equal(toHex(new Uint8Array([0, 15, 255])), "000fff");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]!;
  return s;
}

/**
 * Hex SHA-256 of a string (UTF-8).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256HexOfString } from "./sigv4_sha256.ts";
 * assert.equal(sha256HexOfString(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
 * ```
 */
export function sha256HexOfString(text: string): string {
  return toHex(sha256(encoder.encode(text)));
}

/**
 * HMAC-SHA-256 key pads: the inner and outer 64-byte blocks of `key`
 * (a key longer than a block is hashed first, as RFC 2104 says).
 */
export interface HmacKey {
  /** key XOR 0x36…, 64 bytes. */
  inner: Uint8Array;
  /** key XOR 0x5c…, 64 bytes. */
  outer: Uint8Array;
}

/**
 * Prepares `key` for {@linkcode hmacSha256}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmacKey, hmacSha256, toHex } from "./sigv4_sha256.ts";
 * const enc = new TextEncoder();
 * // RFC 4231, test case 2.
 * const mac = hmacSha256(hmacKey(enc.encode("Jefe")), enc.encode("what do ya want for nothing?"));
 * assert.equal(toHex(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
 * ```
 */
export function hmacKey(key: Uint8Array): HmacKey {
  const k = key.length > 64 ? sha256(key) : key;
  const inner = new Uint8Array(64).fill(0x36);
  const outer = new Uint8Array(64).fill(0x5c);
  for (let i = 0; i < k.length; i++) {
    inner[i]! ^= k[i]!;
    outer[i]! ^= k[i]!;
  }
  return { inner, outer };
}

/**
 * HMAC-SHA-256 of `message` (a string is UTF-8) under a key prepared by
 * {@linkcode hmacKey}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmacKey, hmacSha256, toHex } from "./sigv4_sha256.ts";
 * // RFC 4231, test case 1.
 * const mac = hmacSha256(hmacKey(new Uint8Array(20).fill(0x0b)), "Hi There");
 * assert.equal(toHex(mac), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
 * ```
 */
export function hmacSha256(key: HmacKey, message: Uint8Array | string): Uint8Array {
  const bytes = typeof message === "string" ? encoder.encode(message) : message;
  return sha256(key.outer, sha256(key.inner, bytes));
}
