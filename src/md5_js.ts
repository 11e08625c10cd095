/**
 * MD5 in plain TypeScript, for the small bodies of a cold cache fill.
 *
 * Why not `node:crypto`: loading it brings up Deno's Node compatibility
 * layer, 35-50 ms of main-thread time measured here (`node:crypto`,
 * `node:process`, streams), which a process that downloads small objects
 * pays before its first one is verified. This code hashes a fresh
 * process's first thousand 4 KiB bodies in ~25-35 ms, JIT warm-up included
 * (natively: 14 ms plus the load), and runs at 240-300 MB/s once warm
 * against ~450 MB/s natively. So a process hashes small bodies here until
 * it has hashed {@linkcode JS_MD5_BUDGET} bytes this way, about what the
 * load would have cost, and natively after that (see
 * {@linkcode claimJsHashing}). A test compares both on inputs of every
 * length around the block boundaries, and on random chunkings.
 *
 * @module
 */

/**
 * Bodies up to this size (bytes) may be hashed in TypeScript.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JS_MD5_LIMIT } from "./md5_js.ts";
 * assert(JS_MD5_LIMIT >= 4096);
 * ```
 */
export const JS_MD5_LIMIT: number = 256 * 1024;

/**
 * Bytes a process hashes in TypeScript before it turns to `node:crypto`:
 * past this, the native speed repays the load.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JS_MD5_BUDGET, JS_MD5_LIMIT } from "./md5_js.ts";
 * assert(JS_MD5_BUDGET > JS_MD5_LIMIT);
 * ```
 */
export const JS_MD5_BUDGET: number = 8 * 1024 * 1024;

let jsHashed = 0;

/**
 * Bytes this process has claimed for hashing in TypeScript so far (see
 * {@linkcode claimJsHashing}): what a cold fill of small objects hashes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsHashedBytes } from "./md5_js.ts";
 * assert(jsHashedBytes() >= 0);
 * ```
 */
export function jsHashedBytes(): number {
  return jsHashed;
}

/**
 * Whether a body of `size` bytes is to be hashed in TypeScript: small, and
 * within what is left of this process's {@linkcode JS_MD5_BUDGET} (counted
 * as claimed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimJsHashing, JS_MD5_LIMIT } from "./md5_js.ts";
 * assert.equal(claimJsHashing(JS_MD5_LIMIT + 1), false);
 * ```
 */
export function claimJsHashing(size: number): boolean {
  if (size > JS_MD5_LIMIT || jsHashed + size > JS_MD5_BUDGET) return false;
  jsHashed += size;
  return true;
}

/**
 * An incremental MD5 (the `update` / `digest("hex")` shape of a
 * `node:crypto` Hash, so either fits where a hash is fed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsMd5 } from "./md5_js.ts";
 * const h = new JsMd5();
 * h.update(new TextEncoder().encode("a"));
 * h.update(new TextEncoder().encode("bc"));
 * assert.equal(h.digest("hex"), "900150983cd24fb0d6963f7d28e17f72");
 * ```
 */
export class JsMd5 {
  // The state A, B, C, D.
  #h = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476);
  // Bytes of an unfinished 64-byte block.
  #pending = new Uint8Array(64);
  #pendingLength = 0;
  #total = 0;
  #done = false;

  /** Takes the next bytes. */
  update(chunk: Uint8Array): this {
    if (this.#done) throw new Error("JsMd5: update after digest");
    this.#total += chunk.length;
    let off = 0;
    if (this.#pendingLength > 0) {
      const n = Math.min(64 - this.#pendingLength, chunk.length);
      this.#pending.set(chunk.subarray(0, n), this.#pendingLength);
      this.#pendingLength += n;
      off = n;
      if (this.#pendingLength < 64) return this;
      blocks(this.#h, this.#pending, 0, 64);
      this.#pendingLength = 0;
    }
    const whole = off + ((chunk.length - off) & ~63);
    if (whole > off) blocks(this.#h, chunk, off, whole);
    if (whole < chunk.length) {
      this.#pending.set(chunk.subarray(whole), 0);
      this.#pendingLength = chunk.length - whole;
    }
    return this;
  }

  /** The hex digest; the hash takes no more bytes after it. */
  digest(_encoding: "hex"): string {
    if (this.#done) throw new Error("JsMd5: digest called twice");
    const bits = this.#total * 8;
    const tail = new Uint8Array(this.#pendingLength < 56 ? 64 : 128);
    tail.set(this.#pending.subarray(0, this.#pendingLength));
    tail[this.#pendingLength] = 0x80;
    const n = tail.length;
    // Length in bits, little-endian, 64 bits (exact up to 2^53 bits).
    const low = bits >>> 0;
    const high = Math.floor(bits / 0x1_0000_0000) >>> 0;
    for (let i = 0; i < 4; i++) {
      tail[n - 8 + i] = (low >>> (i * 8)) & 0xff;
      tail[n - 4 + i] = (high >>> (i * 8)) & 0xff;
    }
    blocks(this.#h, tail, 0, n);
    this.#done = true;
    const h = this.#h;
    return hex(h);
  }
}

// Per-step shift, constant (floor(abs(sin(i + 1)) * 2^32)) and message word.
const S = Int32Array.of(
  ...[7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22],
  ...[5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20],
  ...[4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23],
  ...[6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21],
);
const K = new Int32Array(64);
const G = new Int32Array(64);
for (let i = 0; i < 64; i++) {
  K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;
  G[i] = i < 16 ? i : i < 32 ? (5 * i + 1) & 15 : i < 48 ? (3 * i + 5) & 15 : (7 * i) & 15;
}
const X = new Int32Array(16);

/**
 * Hashes the 64-byte blocks of `m` in [off, end) into `h`. Loops, not the
 * usual unrolled steps: V8 optimises a loop while it runs (on-stack
 * replacement), so a fresh process hashes its first thousand 4 KiB bodies
 * in ~25-35 ms (unrolled: 55-140 ms, slower than loading `node:crypto`),
 * and warm it runs at 240-300 MB/s.
 */
function blocks(h: Int32Array, m: Uint8Array, off: number, end: number): void {
  let a0 = h[0]!, b0 = h[1]!, c0 = h[2]!, d0 = h[3]!;
  for (let o = off; o < end; o += 64) {
    for (let j = 0; j < 16; j++) {
      const p = o + j * 4;
      X[j] = m[p]! | (m[p + 1]! << 8) | (m[p + 2]! << 16) | (m[p + 3]! << 24);
    }
    let a = a0, b = b0, c = c0, d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      if (i < 16) f = (b & c) | (~b & d);
      else if (i < 32) f = (d & b) | (~d & c);
      else if (i < 48) f = b ^ c ^ d;
      else f = c ^ (b | ~d);
      const x = (a + f + K[i]! + X[G[i]!]!) | 0;
      const s = S[i]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  h[0] = a0;
  h[1] = b0;
  h[2] = c0;
  h[3] = d0;
}

// The character codes of a digest's hex, filled in place (digest is
// synchronous) and made one flat string: no number-to-string conversion
// and rope of concatenations per byte (one digest per verified object).
const HEX_DIGITS = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const HEX_CODES: number[] = new Array<number>(32).fill(0);

// Hex of the state's words, each little-endian (MD5's output byte order).
function hex(h: Int32Array): string {
  for (let i = 0, j = 0; i < 4; i++) {
    const w = h[i]!;
    for (let b = 0; b < 32; b += 8) {
      HEX_CODES[j++] = HEX_DIGITS[(w >>> (b + 4)) & 15]!;
      HEX_CODES[j++] = HEX_DIGITS[(w >>> b) & 15]!;
    }
  }
  return String.fromCharCode.apply(null, HEX_CODES);
}
