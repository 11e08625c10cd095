/**
 * SHA-256 and HMAC-SHA-256 in plain TypeScript: the short strings SigV4
 * signs (canonical request, string to sign, signing-key derivation), and
 * the pinned SHA-256 of a small downloaded body (`verify.ts`).
 *
 * Why not `node:crypto`: importing it brings up Deno's Node compatibility
 * layer, 12-22 ms of every process start, and a request that hashes no
 * payload (a listing, a HEAD, a GET) needs nothing else from it: a no-op
 * `vc mirror` then never loads it. Once `node:crypto` is loaded anyway
 * (a request whose payload was hashed, by `sha256Hex` in `hash.ts`), the
 * signer uses it instead: it is about 4× faster on warm code. A test
 * compares both on inputs of every length around the block boundaries.
 *
 * Speed (a GET's signature is about ten blocks): all arithmetic stays in
 * signed 32-bit integers (`Int32Array` tables, `| 0` after additions), which
 * V8 keeps in registers; strings are written straight into one reusable
 * scratch buffer (`TextEncoder.encodeInto`, no allocation); and an HMAC key keeps
 * the hash states after its 64-byte pads, so an HMAC costs two blocks fewer.
 *
 * @module
 */

const K = new Int32Array([
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

const INITIAL = Int32Array.of(
  0x6a09e667,
  0xbb67ae85 | 0,
  0x3c6ef372,
  0xa54ff53a | 0,
  0x510e527f,
  0x9b05688c | 0,
  0x1f83d9ab,
  0x5be0cd19,
);
const W = new Int32Array(64);
// Built on first use: a warm `vc path` loads this module (for the cache
// layout's long names) and hashes nothing.
let hex: string[] | undefined;
const encoder = new TextEncoder();
// Messages are assembled and padded here (hashing is synchronous: one user at a time).
let scratch = new Uint8Array(1024);
// Working states, reused for the same reason (results are copied out).
const STATE = new Int32Array(8);
const OUTER = new Int32Array(8);

/** Compresses the 64-byte blocks of `data` in [`offset`, `end`) into state `h`. */
function blocks(h: Int32Array, data: Uint8Array, offset: number, end: number): void {
  let h0 = h[0]!, h1 = h[1]!, h2 = h[2]!, h3 = h[3]!;
  let h4 = h[4]!, h5 = h[5]!, h6 = h[6]!, h7 = h[7]!;
  for (let p = offset; p + 64 <= end; p += 64) {
    for (let i = 0, j = p; i < 16; i++, j += 4) {
      W[i] = (data[j]! << 24) | (data[j + 1]! << 16) | (data[j + 2]! << 8) | data[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15]!;
      const y = W[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, k = h7;
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
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + k) | 0;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  h[4] = h4;
  h[5] = h5;
  h[6] = h6;
  h[7] = h7;
}

/** The scratch buffer, at least `size` bytes (its contents are not kept). */
function scratchOf(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  return scratch;
}

/**
 * Pads the `length` message bytes at the start of the scratch buffer (which
 * has room for the padding) and compresses them into `h`; `prefix` bytes
 * were hashed into `h` before (an HMAC pad).
 */
function finish(h: Int32Array, length: number, prefix: number): void {
  const total = ((length + 9 + 63) >> 6) << 6;
  const buf = scratch;
  buf.fill(0, length, total);
  buf[length] = 0x80;
  const bits = (prefix + length) * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  buf[total - 8] = hi >>> 24;
  buf[total - 7] = hi >>> 16;
  buf[total - 6] = hi >>> 8;
  buf[total - 5] = hi;
  buf[total - 4] = lo >>> 24;
  buf[total - 3] = lo >>> 16;
  buf[total - 2] = lo >>> 8;
  buf[total - 1] = lo;
  blocks(h, buf, 0, total);
}

/** Writes `text` as UTF-8 at the start of the scratch buffer (with room to pad); returns its length. */
function writeText(text: string): number {
  // Up to 3 bytes per UTF-16 unit; encodeInto is a fast call (no allocation).
  return encoder.encodeInto(text, scratchOf(text.length * 3 + 72)).written;
}

/** Writes bytes (one part after another) at the start of the scratch buffer; returns the length. */
function writeBytes(parts: readonly Uint8Array[]): number {
  let length = 0;
  for (const p of parts) length += p.length;
  const buf = scratchOf(length + 72);
  let at = 0;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
  return length;
}

function stateBytes(h: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0, j = 0; i < 8; i++, j += 4) {
    const w = h[i]!;
    out[j] = w >>> 24;
    out[j + 1] = w >>> 16;
    out[j + 2] = w >>> 8;
    out[j + 3] = w;
  }
  return out;
}

// The character codes of a digest's hex, filled in place (one digest at a
// time, as above) and made one flat string: 32 concatenations built a
// rope of 31 cons strings (~0.8 KB a digest; two a signed request).
const HEX_DIGITS = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const HEX_CODES: number[] = new Array<number>(64).fill(0);

function stateHex(h: Int32Array): string {
  for (let i = 0, j = 0; i < 8; i++) {
    const w = h[i]!;
    for (let shift = 28; shift >= 0; shift -= 4) HEX_CODES[j++] = HEX_DIGITS[(w >>> shift) & 15]!;
  }
  return String.fromCharCode.apply(null, HEX_CODES);
}

/**
 * SHA-256 of the concatenation of `parts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256, toHex } from "./sha256_js.ts";
 * const abc = new TextEncoder().encode("abc");
 * assert.equal(toHex(sha256(abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * ```
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = INITIAL.slice();
  finish(h, writeBytes(parts), 0);
  return stateBytes(h);
}

/**
 * Lower-case hex of bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toHex } from "./sha256_js.ts";
 * assert.equal(toHex(new Uint8Array([0, 15, 255])), "000fff");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  hex ??= Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += hex[bytes[i]!]!;
  return s;
}

/**
 * Hex SHA-256 of a string (UTF-8).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256HexOfString } from "./sha256_js.ts";
 * assert.equal(sha256HexOfString(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
 * ```
 */
export function sha256HexOfString(text: string): string {
  STATE.set(INITIAL);
  finish(STATE, writeText(text), 0);
  return stateHex(STATE);
}

/**
 * HMAC-SHA-256 key pads: the inner and outer 64-byte blocks of `key`
 * (a key longer than a block is hashed first, as RFC 2104 says), and the
 * hash states after each, from which {@linkcode hmacSha256} continues.
 */
export interface HmacKey {
  /** key XOR 0x36…, 64 bytes. */
  inner: Uint8Array;
  /** key XOR 0x5c…, 64 bytes. */
  outer: Uint8Array;
  /** SHA-256 state after `inner`. */
  innerState: Int32Array;
  /** SHA-256 state after `outer`. */
  outerState: Int32Array;
}

/**
 * Prepares `key` for {@linkcode hmacSha256}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmacKey, hmacSha256, toHex } from "./sha256_js.ts";
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
  const innerState = INITIAL.slice();
  blocks(innerState, inner, 0, 64);
  const outerState = INITIAL.slice();
  blocks(outerState, outer, 0, 64);
  return { inner, outer, innerState, outerState };
}

/**
 * The HMAC's final state (a shared array: read it before hashing again)
 * after the inner hash of `length` scratch bytes, finished into the outer hash.
 */
function hmacState(key: HmacKey, length: number): Int32Array {
  const h = STATE;
  h.set(key.innerState);
  finish(h, length, 64);
  const buf = scratchOf(32 + 72);
  for (let i = 0, j = 0; i < 8; i++, j += 4) {
    const w = h[i]!;
    buf[j] = w >>> 24;
    buf[j + 1] = w >>> 16;
    buf[j + 2] = w >>> 8;
    buf[j + 3] = w;
  }
  const out = OUTER;
  out.set(key.outerState);
  finish(out, 32, 64);
  return out;
}

/**
 * HMAC-SHA-256 of `message` (a string is UTF-8) under a key prepared by
 * {@linkcode hmacKey}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmacKey, hmacSha256, toHex } from "./sha256_js.ts";
 * // RFC 4231, test case 1.
 * const mac = hmacSha256(hmacKey(new Uint8Array(20).fill(0x0b)), "Hi There");
 * assert.equal(toHex(mac), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
 * ```
 */
export function hmacSha256(key: HmacKey, message: Uint8Array | string): Uint8Array {
  const length = typeof message === "string" ? writeText(message) : writeBytes([message]);
  return stateBytes(hmacState(key, length));
}

/**
 * Hex HMAC-SHA-256 of a string (UTF-8): {@linkcode hmacSha256} without the
 * intermediate bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmacKey, hmacSha256Hex } from "./sha256_js.ts";
 * // RFC 4231, test case 1.
 * const mac = hmacSha256Hex(hmacKey(new Uint8Array(20).fill(0x0b)), "Hi There");
 * assert.equal(mac, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
 * ```
 */
export function hmacSha256Hex(key: HmacKey, message: string): string {
  return stateHex(hmacState(key, writeText(message)));
}
